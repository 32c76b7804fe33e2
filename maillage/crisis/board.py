"""The figures of the crisis board: who was reached, who answered, who is available, by
alert, by commune and by skill.

Every count comes from a few grouped queries over the alerts' recipients (conditional
COUNTs), never from a loop over recipients in Python: the board is polled every few seconds
during a crisis, for thousands of recipients. The per-alert and per-commune figures are one
query grouped by both (alerts × communes rows, summed here); the skills are two small
grouped queries. Only the names of available people are read row by row, and they are
capped (bench/bench_crisis.py measures the page with 2 000 recipients).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from maillage.notifications.models import Delivery

from .alerts import SKILLS_SEPARATOR
from .models import Alert, AlertRecipient, Call, CallOutcome, ContactSkill
from .skills import SKILLS

AVAILABLE_NOW, AVAILABLE_FROM, UNAVAILABLE = "available_now", "available_from", "unavailable"
AVAILABLE = (AVAILABLE_NOW, AVAILABLE_FROM)
# Names shown per commune or per skill (the count says how many more), and available
# people read to fill them: the board stays as fast with 2 000 people available as with 20.
NAMES_PER_GROUP = 5
NAMES_READ = 200
NO_COMMUNE = "Commune non précisée"

ANSWERED = Q(notification__answered_at__isnull=False)
IS_AVAILABLE = Q(notification__answer__in=AVAILABLE)
FIGURES = ("recipients", "reached", "answered", "available_now", "available_from",
           "unavailable")  # fmt: skip
EMPTY = dict.fromkeys(FIGURES, 0)


def _reached() -> Q:
    sent = Delivery.objects.filter(notification_id=OuterRef("notification_id"),
                                   status=Delivery.Status.SENT)  # fmt: skip
    return Q(Exists(sent))


def _figures():
    return {
        "recipients": Count("pk"),
        "reached": Count("pk", filter=_reached()),
        "answered": Count("pk", filter=ANSWERED),
        "available_now": Count("pk", filter=Q(notification__answer=AVAILABLE_NOW)),
        "available_from": Count("pk", filter=Q(notification__answer=AVAILABLE_FROM)),
        "unavailable": Count("pk", filter=Q(notification__answer=UNAVAILABLE)),
    }


def _complete(values: dict) -> dict:
    values["available"] = values["available_now"] + values["available_from"]
    values["pending"] = values["recipients"] - values["answered"]
    return values


def alert_figures(alert: Alert) -> dict:
    """recipients, reached (a delivery sent), answered, available_now, available_from,
    available, unavailable, pending: for one alert."""
    rows = AlertRecipient.objects.filter(alert=alert)
    return _complete(rows.aggregate(**_figures()))


def figures_by_alert(alerts) -> dict[int, dict]:
    """The same figures for several alerts, in one grouped query: {alert_id: figures}."""
    rows = (AlertRecipient.objects.filter(alert__in=alerts)
            .values("alert_id").order_by().annotate(**_figures()))  # fmt: skip
    return {row.pop("alert_id"): _complete(row) for row in rows}


def _figures_and_communes(recipients) -> tuple[dict[int, dict], list[dict]]:
    """The figures per alert and, per commune of the contacts, recipients, answered and
    available: one query grouped by alert and commune, summed both ways."""
    rows = (recipients.values("alert_id", "contact__commune__code", "contact__commune__name")
            .order_by().annotate(**_figures()))  # fmt: skip
    per_alert: dict[int, dict] = {}
    communes: dict[str, dict] = {}
    for row in rows:
        figures = per_alert.setdefault(row["alert_id"], dict(EMPTY))
        for key in FIGURES:
            figures[key] += row[key]
        code = row["contact__commune__code"] or ""
        commune = communes.get(code)
        if commune is None:
            commune = communes[code] = {
                "code": code, "name": row["contact__commune__name"] or NO_COMMUNE,
                "recipients": 0, "answered": 0, "available": 0}  # fmt: skip
        commune["recipients"] += row["recipients"]
        commune["answered"] += row["answered"]
        commune["available"] += row["available_now"] + row["available_from"]
    for figures in per_alert.values():
        _complete(figures)
    return per_alert, sorted(communes.values(), key=lambda r: (-r["available"], r["name"]))


def by_skill(recipients) -> list[dict]:
    """Available people per skill. A skill counts when the person ticked it in their answer
    or has it in the contact tree: the answers grouped by the skills ticked, plus the
    skills of the tree of those who did not tick them (two grouped queries)."""
    available = recipients.filter(IS_AVAILABLE).order_by()
    counts = dict.fromkeys(SKILLS, 0)
    for ticked, n in (available.values_list("notification__answer_skills")
                      .annotate(n=Count("pk"))):  # fmt: skip
        for code, label in SKILLS.items():
            if label in (ticked or ""):
                counts[code] += n
    declared = (available.filter(contact__skills__code__in=list(SKILLS))
                .values_list("contact__skills__code", "notification__answer_skills")
                .annotate(n=Count("pk")))  # fmt: skip
    for code, ticked, n in declared:
        if SKILLS[code] not in (ticked or ""):
            counts[code] += n
    return [{"code": code, "label": label, "available": counts[code]}
            for code, label in SKILLS.items()]  # fmt: skip


def _since(now: bool, moment, zone) -> str:
    """"maintenant" or "dès 14:30" (local time), as the board writes it. The zone is looked
    up once per board: `localtime()` for each of hundreds of people is measurable."""
    if now:
        return "maintenant"
    return f"dès {moment.astimezone(zone).strftime('%H:%M')}" if moment else "dès"


def available_people(recipients) -> list[dict]:
    """The people who answered available (each once, their newest answer), with what the
    board shows of them: name, mobile, commune, since when (`when`, as the board writes
    it), skills."""
    rows = (recipients.filter(IS_AVAILABLE)
            .order_by("contact__name", "contact_id", "-notification__answered_at")
            .values_list("contact_id", "contact__name", "contact__mobile",
                         "contact__commune__name", "notification__answer",
                         "notification__answer_available_from", "notification__answer_skills")
            [:NAMES_READ])  # fmt: skip
    people, seen = [], set()
    zone = timezone.get_current_timezone()
    for contact_id, name, mobile, commune, answer, moment, ticked in rows:
        if contact_id in seen:
            continue
        seen.add(contact_id)
        now = answer == AVAILABLE_NOW
        people.append({
            "contact_id": contact_id, "name": name, "mobile": mobile, "commune": commune or "",
            "now": now, "from": moment, "when": _since(now, moment, zone),
            "skills": {s for s in (ticked or "").split(SKILLS_SEPARATOR) if s},
        })  # fmt: skip
    if people:
        declared = defaultdict(set)
        for contact_id, code in ContactSkill.objects.filter(
                contact_id__in=[p["contact_id"] for p in people]).values_list("contact_id", "code"):
            if code in SKILLS:
                declared[contact_id].add(SKILLS[code])
        for person in people:
            person["skills"] = sorted(person["skills"] | declared[person["contact_id"]])
    return people


def _grouped(people, key_of) -> dict[str, list]:
    groups: dict[str, list] = {}
    for person in people:
        for key in key_of(person):
            group = groups.setdefault(key, [])
            if len(group) < NAMES_PER_GROUP:
                group.append(person)
    return groups


def call_counts(activation) -> list[dict]:
    """The calls of the vulnerable register for this activation, per outcome."""
    rows = dict(Call.objects.filter(campaign__activation=activation).values("outcome").order_by()
                .annotate(n=Count("pk")).values_list("outcome", "n"))  # fmt: skip
    if not rows:
        return []
    return [{"outcome": value, "label": label, "count": rows.get(value, 0)}
            for value, label in CallOutcome.choices]  # fmt: skip


def activation_board(activation) -> dict:
    """Everything the live board of an activation shows."""
    alerts = list(Alert.objects.filter(activation=activation).order_by("-created_at", "-pk"))
    per_alert, communes = {}, []
    recipients = AlertRecipient.objects.filter(alert_id__in=[a.pk for a in alerts])
    if alerts:
        per_alert, communes = _figures_and_communes(recipients)
    rows = [{"alert": a, "figures": per_alert.get(a.pk) or _complete(dict(EMPTY))}
            for a in alerts]  # fmt: skip
    total = _complete({key: sum(r["figures"][key] for r in rows) for key in FIGURES})
    details = _details(recipients, communes) if alerts else _details(None, [])
    return {"alerts": rows, "total": total, **details, "calls": call_counts(activation)}


def alert_board(alert) -> dict:
    """The same for one alert (its page, the yearly test)."""
    recipients = AlertRecipient.objects.filter(alert=alert)
    per_alert, communes = _figures_and_communes(recipients)
    total = per_alert.get(alert.pk) or _complete(dict(EMPTY))
    return {"total": total, **_details(recipients, communes)}


def _details(recipients, communes) -> dict:
    if recipients is None:
        skills, people = [], []
    else:
        skills = [s for s in by_skill(recipients) if s["available"]]
        # Every available person is counted in their commune's row.
        people = (available_people(recipients) if any(c["available"] for c in communes)
                  else [])  # fmt: skip
    named_communes = _grouped(people, lambda p: [p["commune"] or NO_COMMUNE])
    named_skills = _grouped(people, lambda p: p["skills"])
    # "and N more": from the counts, not from the names read.
    for row in communes:
        row["people"] = named_communes.get(row["name"], [])
        row["more"] = max(0, row["available"] - len(row["people"]))
    for row in skills:
        row["people"] = named_skills.get(row["label"], [])
        row["more"] = max(0, row["available"] - len(row["people"]))
    return {"communes": communes, "skills": skills, "available_people": people}
