"""The demo's same-day supply: professionals of the demo directory who publish same-day
slots over the next two weeks, the way a CPTS's members do.

Deterministic and idempotent. Which professionals take part is decided once per CPTS, from
the seed (a keyed hash of their national identifier, not their rank, so that what an import
adds later does not shift the choice). Their accounts carry the name of their directory
entry. Each professional's week follows a pattern drawn from the seed and their identifier,
each day from the seed, the identifier and the date: a rerun computes the same slots. A
day on which the professional already has a slot (published by the demo, by them, booked or
withdrawn since) is left alone; the days still missing (a rerun a few days later: the end
of the new fortnight) are published through the same service as the "Mes créneaux" page.
"""

import datetime
import hashlib
import hmac
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from maillage.core.models import Cpts, Membership, Role, User

SUPPLY_DAYS = 14  # tomorrow and the 13 days after it


@dataclass(frozen=True)
class Pattern:
    """How one profession offers same-day care in the demo."""

    profession_code: str
    title: str
    weekdays: tuple[int, ...]  # days it may work (0: Monday)
    workdays: int  # how many of them each professional works
    extra_day: tuple[int, float] | None  # (weekday, probability): Saturday mornings...
    starts: tuple[datetime.time, ...]  # first slot of a block
    minutes: tuple[int, ...]
    counts: tuple[int, ...]
    modes: tuple[str, ...]  # drawn per block
    sas_share: float = 0.0  # blocks reserved to the SAS regulation (GPs)
    second_block: float = 0.0  # probability of an evening block after a daytime one


def _t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


PATTERNS = {
    "gp": Pattern("10", "Médecin généraliste", (0, 1, 2, 3, 4), 4, (5, 0.35),
                  (_t(8), _t(11, 30), _t(12), _t(13, 30), _t(17), _t(17, 30), _t(18)),
                  (15, 20), (2, 3, 3, 4), ("practice",) * 5 + ("tele",), 0.3, 0.25),
    "nurse": Pattern("60", "Infirmier libéral", (0, 1, 2, 3, 4, 5), 5, (6, 0.3),
                     (_t(7, 30), _t(12, 30), _t(17)), (30,), (2, 3), ("home",)),
    "pharmacist": Pattern("21", "Pharmacien d'officine", (0, 1, 2, 3, 4, 5), 5, None,
                          (_t(10), _t(14, 30), _t(17)), (15,), (2, 3), ("practice",)),
    "physio": Pattern("70", "Masseur-kinésithérapeute", (0, 1, 2, 3, 4), 3, None,
                      (_t(12), _t(18)), (30,), (1, 2), ("practice",)),
    "dentist": Pattern("40", "Chirurgien-dentiste", (0, 1, 2, 3, 4), 2, (5, 0.2),
                       (_t(8, 30), _t(13, 30), _t(18)), (30,), (2,), ("practice",)),
    "midwife": Pattern("50", "Sage-femme", (0, 1, 2, 3, 4), 2, None,
                       (_t(9), _t(14)), (30,), (2,), ("practice", "tele")),
}  # fmt: skip
PROFESSION_KINDS = {p.profession_code: key for key, p in PATTERNS.items()}

# How many professionals of each kind take part, per CPTS (on top of the personas).
SUPPLY = {
    "pays-berjalliens": (("gp", 16), ("nurse", 7), ("pharmacist", 3), ("physio", 3),
                         ("dentist", 3), ("midwife", 2)),
    "vals-du-dauphine": (("gp", 10), ("nurse", 4), ("pharmacist", 1), ("physio", 2),
                         ("dentist", 1)),
}  # fmt: skip
# The personas who publish slots, and where when their account has no directory entry
# (a demo built without the directory). The pharmacist persona stays out of the directory:
# the demo keeps a care-team member without an RPPS number.
PERSONA_KINDS = {"medecin": "gp", "infirmier": "nurse"}
FALLBACK_COMMUNE, FALLBACK_SITE = "38053", "Maison de santé du centre"


def _key(seed: str, text: str) -> str:
    return hmac.new(seed.encode(), text.encode(), hashlib.sha256).hexdigest()


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())


# ---------------------------------------------------------------------------- accounts


def _demo_domain(cpts) -> str:
    from .builder import DEMO_DOMAIN

    return f"@{cpts.slug}.{DEMO_DOMAIN}"


def _persona_emails(cpts) -> list[str]:
    from .builder import PERSONAS, demo_email

    return [demo_email(local, cpts.slug) for local, *_ in PERSONAS]


def supply_started(cpts) -> bool:
    """Whether this CPTS already has its supply accounts (then none is added again)."""
    return (
        Membership.objects.filter(cpts=cpts, user__email__endswith=_demo_domain(cpts))
        .exclude(user__email__in=_persona_emails(cpts))
        .exists()
    )


def _candidates(cpts, kind: str, seed: str) -> list:
    """Liberal professionals of this kind practising in the territory, in the seed's
    order, without an account of their own anywhere."""
    from maillage.directory.models import GP_SPECIALTIES, DirectoryEntry, Professional
    from maillage.territory.services import territory_communes

    codes = list(territory_communes(cpts).values_list("code", flat=True))
    sites = {"sites__commune_code__in": codes, "sites__practice_mode__startswith": "Libéral"}
    if kind == "pharmacist":  # officine owners, not the biologists of a laboratory
        sites["sites__name__icontains"] = "pharmacie"
    found = Professional.objects.active().filter(
        owner__isnull=True, profession_code=PATTERNS[kind].profession_code, **sites
    )
    if kind == "gp":
        found = found.filter(specialty_code__in=GP_SPECIALTIES)
    linked = DirectoryEntry.objects.filter(account__isnull=False).values("professional_id")
    found = found.exclude(pk__in=linked).distinct()
    return sorted(found, key=lambda p: _key(seed, p.national_id))


def _new_email(professional, cpts) -> str:
    local = f"{_ascii(professional.first_name)}.{_ascii(professional.last_name)}".strip(".")
    email = f"{local}{_demo_domain(cpts)}"
    if User.objects.filter(email=email).exists():  # namesakes
        email = f"{local}.{professional.national_id[-4:]}{_demo_domain(cpts)}"
    return email


def create_supply_accounts(cpts, *, seed: str) -> int:
    """Once per CPTS: an account (no password: nobody logs in as them), a membership and a
    link to the directory entry for each chosen professional. Returns how many."""
    from maillage.directory.models import DirectoryEntry

    if supply_started(cpts):
        return 0
    created = 0
    for kind, count in SUPPLY.get(cpts.slug, ()):
        for professional in _candidates(cpts, kind, seed)[:count]:
            user = User.objects.create_user(
                _new_email(professional, cpts),
                first_name=professional.first_name,
                last_name=professional.last_name,
            )
            Membership.objects.create(
                user=user, cpts=cpts, role=Role.PROFESSIONAL, title=PATTERNS[kind].title
            )
            entry, new = DirectoryEntry.objects.get_or_create(
                cpts=cpts, professional=professional,
                defaults={"account": user, "membership_status": "adherent",
                          "takes_part_snp": True, "home_visits": kind == "nurse"},
            )  # fmt: skip
            if not new:  # an entry the coordination curated: only the link is added
                entry.account = user
                entry.takes_part_snp = True
                entry.save(update_fields=["account", "takes_part_snp"])
            created += 1
    return created


# ---------------------------------------------------------------------------- slots


@dataclass(frozen=True)
class Publisher:
    user: User
    kind: str
    key: str  # national identifier, or the e-mail without a directory entry
    commune: object
    site: str


def publishers(cpts) -> list[Publisher]:
    """The demo's professionals of this CPTS who publish slots: the personas and the
    supply accounts, while their membership is active."""
    from maillage.directory.models import DirectoryEntry, PracticeSite
    from maillage.territory.models import Commune
    from maillage.territory.services import territory_communes

    from .builder import demo_email

    members = (
        Membership.objects.filter(cpts=cpts, user__email__endswith=_demo_domain(cpts),
                                  role=Role.PROFESSIONAL, archived_at__isnull=True,
                                  user__is_active=True)
        .select_related("user").order_by("user__email")
    )  # fmt: skip
    entries = {
        e.account_id: e
        for e in DirectoryEntry.objects.filter(cpts=cpts, account__isnull=False).select_related(
            "professional"
        )
    }
    personas = {demo_email(local, cpts.slug): kind for local, kind in PERSONA_KINDS.items()}
    codes = set(territory_communes(cpts).values_list("code", flat=True))
    fallback = None
    found = []
    for membership in members:
        user = membership.user
        entry = entries.get(user.pk)
        if entry is None:
            kind = personas.get(user.email)
            if kind is None or FALLBACK_COMMUNE not in codes:
                continue
            fallback = fallback or Commune.objects.get(code=FALLBACK_COMMUNE)
            found.append(Publisher(user, kind, user.email, fallback, FALLBACK_SITE))
            continue
        kind = PROFESSION_KINDS.get(entry.professional.profession_code)
        # A liberal site first ("Libéral…" sorts before "Salarié").
        site = (
            PracticeSite.objects.filter(professional=entry.professional, commune_code__in=codes)
            .order_by("practice_mode", "pk").first()
        )  # fmt: skip
        if kind is None or site is None:
            continue
        commune = site.commune or Commune.objects.filter(code=site.commune_code).first()
        if commune is None:
            continue
        found.append(Publisher(user, kind, entry.professional.national_id, commune,
                               site.name[:200]))  # fmt: skip
    return found


def day_plan(publisher: Publisher, day: datetime.date, *, seed: str) -> list[tuple]:
    """[(start, end, slot kind, mode), ...] of this professional on this day."""
    pattern = PATTERNS[publisher.kind]
    week = random.Random(f"{seed}:supply:{publisher.key}")
    worked = set(week.sample(pattern.weekdays, pattern.workdays))
    extra, parity = week.random(), week.randrange(2)
    base, minutes = week.choice(pattern.starts), week.choice(pattern.minutes)
    if pattern.extra_day is not None:
        weekday, probability = pattern.extra_day
        if extra < probability and day.isocalendar().week % 2 == parity:  # every other week
            worked.add(weekday)
    if day.weekday() not in worked:
        return []
    rng = random.Random(f"{seed}:supply:{publisher.key}:{day.isoformat()}")
    zone = timezone.get_current_timezone()
    blocks = []
    weekend = day.weekday() >= 5
    first = datetime.time(9) if weekend and pattern.profession_code != "60" else base
    start = datetime.datetime.combine(day, first, zone) + datetime.timedelta(
        minutes=rng.choice((-30, 0, 0, 30)))  # fmt: skip
    blocks.append((start, rng.choice(pattern.counts), rng.choice(pattern.modes)))
    if not weekend and first.hour < 15 and rng.random() < pattern.second_block:
        evening = datetime.datetime.combine(day, datetime.time(18, 30), zone)
        blocks.append((evening, 2, "practice"))
    slots = []
    for begin, count, mode in blocks:
        kind = "sas" if rng.random() < pattern.sas_share else "cpts"
        for index in range(count):
            at = begin + datetime.timedelta(minutes=minutes * index)
            slots.append((at, at + datetime.timedelta(minutes=minutes), kind, mode))
    return slots


def publish_missing_days(cpts, *, seed: str, today: datetime.date | None = None) -> int:
    """Publish the slots of the next SUPPLY_DAYS days on which a demo professional has
    no slot yet; returns how many slots were published."""
    from maillage.same_day_care.models import Slot
    from maillage.same_day_care.services import publish_slots

    today = today or timezone.localdate()
    days = [today + datetime.timedelta(days=n) for n in range(1, SUPPLY_DAYS + 1)]
    zone = timezone.get_current_timezone()
    window = (datetime.datetime.combine(days[0], datetime.time(0), zone),
              datetime.datetime.combine(days[-1] + datetime.timedelta(days=1),
                                        datetime.time(0), zone))  # fmt: skip
    found = publishers(cpts)
    taken = defaultdict(set)  # user id -> local dates with a slot of theirs, in any CPTS
    for user_id, start in Slot.objects.filter(
        professional__in=[p.user for p in found], start__gte=window[0], start__lt=window[1]
    ).values_list("professional_id", "start"):
        taken[user_id].add(timezone.localtime(start, zone).date())
    published = 0
    now = timezone.now()
    for publisher in found:
        groups = defaultdict(list)
        for day in days:
            if day in taken[publisher.user.pk]:
                continue
            for begin, end, kind, mode in day_plan(publisher, day, seed=seed):
                if begin > now:
                    groups[(kind, mode)].append((begin, end))
        for (kind, mode), times in sorted(groups.items()):
            published += len(publish_slots(
                cpts=cpts, professional=publisher.user, actor=publisher.user, times=times,
                profession_code=PATTERNS[publisher.kind].profession_code, kind=kind,
                mode=mode, commune=publisher.commune, site=publisher.site,
            ))  # fmt: skip
    return published


def build_supply(*, seed: str, today: datetime.date | None = None) -> dict[str, int]:
    from .builder import DEMO_CPTS

    summary = {}
    for cpts in Cpts.objects.filter(slug__in=[c.slug for c in DEMO_CPTS]).order_by("slug"):
        create_supply_accounts(cpts, seed=seed)
        summary[cpts.slug] = publish_missing_days(cpts, seed=seed, today=today)
    return summary
