"""The deterministic demo: two neighbouring CPTS on real INSEE communes, one account per
persona, a synthetic directory, a same-day supply, patients in the missions. Same seed,
same data: secrets are derived from the seed, never random.

Built again by every `make run`: what is missing is created, what exists is never
updated nor deleted, so what people did in the demo since (imports, bookings, patients,
edits) stays as they left it."""

import datetime
import hashlib
import hmac
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core import permissions
from maillage.core.models import Cpts, Membership, Role, User
from maillage.territory.models import Epci, TerritoryCommune
from maillage.territory.services import territory_add_epci

DEMO_PASSWORD = "Maillage-demo-2026"  # noqa: S105 (published demo credential)
DEMO_DOMAIN = "maillage.test"
DEFAULT_SEED = "maillage-demo"


@dataclass(frozen=True)
class DemoCpts:
    slug: str
    name: str
    epci_siren: str
    aci_signed_on: datetime.date


DEMO_CPTS = (
    DemoCpts(
        "pays-berjalliens", "CPTS des Pays Berjalliens", "243800604", datetime.date(2022, 6, 30)
    ),
    DemoCpts(
        "vals-du-dauphine", "CPTS des Vals du Dauphiné", "200068567", datetime.date(2023, 3, 15)
    ),
)

# (local part of the e-mail, role, title, first name, last name): fictional people.
PERSONAS = (
    ("coordination", Role.COORDINATOR, "Coordinatrice", "Claire", "Morel"),
    ("medecin", Role.PROFESSIONAL, "Médecin généraliste", "Julien", "Perrin"),
    ("infirmier", Role.PROFESSIONAL, "Infirmier libéral", "Hugo", "Garnier"),
    ("pharmacien", Role.PROFESSIONAL, "Pharmacienne", "Sophie", "Chevalier"),
    ("regulation", Role.REGULATOR, "Assistante de régulation", "Nadia", "Benali"),
    ("partenaire", Role.PARTNER, "Assistante sociale, EHPAD", "Marc", "Lefebvre"),
    ("bureau", Role.BOARD, "Co-trésorière", "Anne", "Roux"),
    ("financeur", Role.FUNDER, "Chargée de mission CPAM", "Élise", "Marchand"),
)


def demo_email(local: str, slug: str) -> str:
    return f"{local}@{slug}.{DEMO_DOMAIN}"


def demo_totp_key(seed: str, email: str) -> str:
    """A 20-byte hex TOTP key derived from the seed: stable across runs."""
    return hmac.new(seed.encode(), email.encode(), hashlib.sha1).hexdigest()


# Approximate national densities per 10 000 inhabitants (DREES, 2023), entered for the
# demo CPTS the way a coordinator would when only the local file is loaded.
NATIONAL_DENSITY_REFERENCES = {
    "10-MG": Decimal("8.5"), "10": Decimal("9.0"), "60": Decimal("18.0"),
    "21": Decimal("10.0"), "70": Decimal("13.0"), "40": Decimal("6.5"),
    "50": Decimal("3.5"), "91": Decimal("3.8"), "80": Decimal("2.0"),
}  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    title: str
    cpts: str
    two_factor: bool


DEMO_RPPS_FILE = "PS_LibreAcces_Personne_activite_demo.txt"
DEMO_FINESS_FILE = "etalab_cs1100507_stock_demo.csv"


def _imported(tenant, kind: str, file_name: str) -> bool:
    from maillage.directory.models import ImportRun

    return ImportRun.objects.filter(cpts=tenant, kind=kind, file_name=file_name).exists()


def build_demo_directory(*, seed: str = DEFAULT_SEED) -> dict:
    """Synthetic RPPS and FINESS files for the demo territories, loaded through the real
    importers (one file for both CPTS, so identifiers are unique; each CPTS imports its
    own communes, so a real national import elsewhere in the database is never touched).

    Once per CPTS: a scoped import deactivates the professionals of the territory missing
    from the file, so importing the demo file again would undo the imports people made
    in the demo since (their ImportRun rows say what was already loaded)."""
    from maillage.directory.diagnostic import set_density_reference
    from maillage.directory.finess import import_finess
    from maillage.directory.models import DensityReference
    from maillage.directory.rpps import import_rpps
    from maillage.directory.services import record_import_run
    from maillage.territory.services import territory_communes

    from .directory_files import write_finess_file, write_rpps_file

    tenants = list(Cpts.objects.filter(slug__in=[c.slug for c in DEMO_CPTS]).order_by("slug"))
    for tenant in tenants:
        known = set(DensityReference.objects.filter(cpts=tenant)
                    .values_list("profession_code", flat=True))  # fmt: skip
        for group, value in NATIONAL_DENSITY_REFERENCES.items():
            if group not in known:  # a value the coordinator changed stays
                set_density_reference(cpts=tenant, profession_code=group, value=value,
                                      actor=None)  # fmt: skip
    pending = {
        tenant: [kind for kind, name in (("rpps", DEMO_RPPS_FILE), ("finess", DEMO_FINESS_FILE))
                 if not _imported(tenant, kind, name)]
        for tenant in tenants
    }  # fmt: skip
    if not any(pending.values()):
        return {}
    communes = sorted(
        {c.code: c for t in tenants for c in territory_communes(t)}.values(), key=lambda c: c.code
    )
    summary = {}
    with tempfile.TemporaryDirectory(prefix="maillage-demo-") as folder:
        paths = {"rpps": Path(folder) / DEMO_RPPS_FILE, "finess": Path(folder) / DEMO_FINESS_FILE}
        write_rpps_file(paths["rpps"], communes, seed=seed)
        write_finess_file(paths["finess"], communes, seed=seed)
        importers = {"rpps": import_rpps, "finess": import_finess}
        for tenant, kinds in pending.items():
            for kind in kinds:
                report = importers[kind](paths[kind], cpts=tenant)
                record_import_run(kind=kind, cpts=tenant, file_name=paths[kind].name,
                                  report=report)  # fmt: skip
                summary.setdefault(tenant.slug, {})[kind] = report.as_dict()
    return summary


def link_persona_professionals() -> None:
    """The persona accounts of the first CPTS linked to their own entries of the demo
    directory (same name, an RPPS number the SAS sees). An account already linked, or an
    entry already given to someone, is left as it is."""
    from maillage.directory.models import DirectoryEntry, Professional

    from .directory_files import DEMO_PERSONA_PROFESSIONALS

    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    for named in DEMO_PERSONA_PROFESSIONALS:
        user = User.objects.filter(email=demo_email(named.persona, cpts.slug)).first()
        if user is None or DirectoryEntry.objects.filter(cpts=cpts, account=user).exists():
            continue
        professional = Professional.objects.filter(national_id="8" + named.rpps).first()
        if professional is None:
            continue
        entry, created = DirectoryEntry.objects.get_or_create(
            cpts=cpts, professional=professional,
            defaults={"account": user, "membership_status": "adherent",
                      "takes_part_snp": True, "accepts_new_patients": named.kind == "gp",
                      "home_visits": named.kind == "nurse"},
        )  # fmt: skip
        if not created and entry.account_id is None:
            entry.account = user
            entry.save(update_fields=["account"])


def _persona_account(cpts, persona: tuple, seed: str) -> DemoAccount:
    """A persona's account, membership and second factor, created when missing. What
    exists is left alone: a changed password, role or title, an archived membership, a
    second factor enrolled again."""
    local, role, title, first, last = persona
    email = demo_email(local, cpts.slug)
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(
        user=user, cpts=cpts, defaults={"role": role, "title": title}
    )
    # A second factor for whoever sees patients; the board and the funder see none.
    if (permissions.requires_two_factor(membership)
            and not TOTPDevice.objects.filter(user=user).exists()):  # fmt: skip
        TOTPDevice.objects.create(
            user=user, name="Démonstration", key=demo_totp_key(seed, email), confirmed=True
        )
    two_factor = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return DemoAccount(email, membership.role, membership.title, cpts.slug, two_factor)


def _demo_cpts(spec: DemoCpts) -> Cpts:
    epci = Epci.objects.filter(code=spec.epci_siren).first()
    if epci is None:
        raise ValidationError(
            f"EPCI {spec.epci_siren} introuvable : chargez d'abord la géographie "
            "(maillage load-geography)."
        )
    # Created once: the coordination may rename it or enter its FINESS and phone since.
    cpts, _ = Cpts.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "aci_signed_on": spec.aci_signed_on,
            # Synthetic FINESS (valid check digit) and phone (ARCEP range for fiction).
            **{
                "pays-berjalliens": {"finess": "380012344", "phone": "+33465713801"},
                "vals-du-dauphine": {"finess": "380045674", "phone": "+33465713802"},
            }.get(spec.slug, {}),
        },
    )
    if not TerritoryCommune.objects.filter(cpts=cpts).exists():
        territory_add_epci(cpts=cpts, epci=epci, reason="Territoire initial (démonstration)")
    return cpts


@transaction.atomic
def build_demo(
    *, seed: str = DEFAULT_SEED, directory: bool = True, today: datetime.date | None = None,
    crisis: bool = True, prevention: bool = True, reporting: bool = True,
) -> list[DemoAccount]:
    """Build what is missing, leave what exists: `make run` calls it at every start, on a
    database where people have imported files, booked, recorded patients and edited
    since. Each part is created once (or, for the same-day slots, on the days that have
    none), never updated. `today` moves the fortnight of same-day slots (tests). The tests'
    reference database leaves out the crisis preparation (`crisis=False`) and the
    prevention mission (`prevention=False`) and the ACI contract (`reporting=False`): each of
    their tests builds what it speaks of."""
    accounts = []
    for spec in DEMO_CPTS:
        cpts = _demo_cpts(spec)
        accounts.extend(_persona_account(cpts, persona, seed) for persona in PERSONAS)
    if directory:
        build_demo_directory(seed=seed)
        link_persona_professionals()
    build_demo_gp_access()
    build_demo_same_day(seed=seed, today=today)
    from maillage.pathways.services import install_shipped_templates
    from maillage.prevention.themes import install_catalogue

    # Shipped reference data (loaded by data migrations) that a flush between
    # transactional tests empties: put back with the rest of the demo.
    install_shipped_templates()
    install_catalogue()
    build_demo_pathways()
    if crisis:
        build_demo_crisis()
    if prevention:
        from maillage.prevention.demo import build_demo_prevention

        build_demo_prevention(today=today)
    if reporting:
        from maillage.reporting.demo import build_demo_reporting

        build_demo_reporting(today=today)
    return accounts


# Fictional residents looking for a médecin traitant in the first demo CPTS:
# (birth name, first names, birth date, sex, commune, situation, status to reach).
DEMO_PATIENTS = (
    ("LAMBERT", "Odette", "1948-03-12", "F", "38053", {"ald": True}, "qualified"),
    ("FAURE", "Henri", "1951-11-02", "M", "38193", {"isolated": True}, "qualified"),
    ("GIRAUD", "Samia", "1989-06-21", "F", "38553", {"c2s": True, "pregnant": True}, "qualified"),
    ("ROUSSEL", "Kevin", "1996-01-30", "M", "38537", {}, "qualified"),
    ("BLANC", "Jeanne", "1940-09-09", "F", "38276", {"ald": True}, "qualified"),
    ("MERCIER", "Louis", "1975-04-17", "M", "38449", {"chronic_treatment": True}, "new"),
    ("ARNAUD", "Nathalie", "1963-12-05", "F", "38053", {"disability": True}, "new"),
    ("CHAUVIN", "Paul", "1944-07-28", "M", "38348", {"ald": True, "c2s": True}, "new"),
)  # fmt: skip


def build_demo_gp_access() -> None:
    """Volunteer GP capacity and a few requests at different stages, through the real
    services (so they are audited like any other). Built once."""
    from maillage.gp_access.models import GpCapacity, GpRequest, Origin
    from maillage.gp_access.services import request_create, transition
    from maillage.patients.services import patient_create
    from maillage.territory.models import Commune

    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    gp = User.objects.get(email=demo_email("medecin", cpts.slug))
    coordinator = User.objects.get(email=demo_email("coordination", cpts.slug))
    GpCapacity.objects.get_or_create(
        cpts=cpts, gp=gp,
        defaults={"monthly_new_patients": 4, "max_distance_km": 15,
                  "practice_commune": Commune.objects.get(code="38053")},
    )  # fmt: skip
    if GpRequest.objects.filter(cpts=cpts).exists():
        return
    for index, (name, first, born, sex, commune, situation, status) in enumerate(DEMO_PATIENTS):
        patient = patient_create(
            cpts=cpts, actor=coordinator,
            data={"birth_name": name, "first_names": first, "birth_date": born, "sex": sex,
                  "commune": commune, "phone": f"06 12 34 56 {index:02d}", **situation},
            consent_method="oral", allow_duplicate=True,
        )  # fmt: skip
        gp_request = request_create(cpts=cpts, actor=coordinator, patient=patient,
                                    origin=Origin.COORDINATION)  # fmt: skip
        if status == "qualified":
            transition(gp_request=gp_request, to_status="qualified", actor=coordinator)


def build_demo_same_day(*, seed: str = DEFAULT_SEED, today: datetime.date | None = None) -> None:
    """Dozens of professionals publishing same-day slots over the next two weeks
    (maillage/demo/supply.py), and a Saturday permanence, built once."""
    import datetime as dt

    from maillage.same_day_care.models import RotaPeriod, RotaVolunteer
    from maillage.territory.models import Commune

    from .supply import build_supply

    build_supply(seed=seed, today=today)
    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    gp = User.objects.get(email=demo_email("medecin", cpts.slug))
    if not RotaPeriod.objects.filter(cpts=cpts).exists():
        RotaPeriod.objects.create(
            cpts=cpts,
            label="Samedi matin",
            weekday=5,
            start_time=dt.time(8),
            end_time=dt.time(12),
            commune=Commune.objects.get(code="38053"),
            site="Maison de santé du centre",
        )
        RotaVolunteer.objects.get_or_create(cpts=cpts, user=gp)


# Fictional patients followed in the diabetes pathway of the first demo CPTS:
# (birth name, first names, birth date, sex, commune, days since enrolment).
DEMO_PATHWAY_PATIENTS = (
    ("VIDAL", "Bernard", "1954-05-14", "M", "38053", 120),
    ("COLIN", "Martine", "1961-10-03", "F", "38193", 60),
    ("PERRET", "Yves", "1947-02-22", "M", "38053", 10),
)  # fmt: skip


def build_demo_crisis() -> None:
    """The first demo CPTS's crisis preparation: the plan (version 1 approved by the board
    and delivered), the contact tree with its cell, sites and stocks, and six people of
    the vulnerable register. Each part is built once, through the real services."""
    from maillage.crisis import demo_contacts, demo_plan, demo_register

    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    user = {local: User.objects.get(email=demo_email(local, cpts.slug))
            for local in ("coordination", "medecin", "infirmier", "bureau")}  # fmt: skip
    demo_plan.build(cpts, user["coordination"], user["bureau"])
    demo_contacts.build(cpts, user["coordination"])
    demo_register.build(cpts, user["coordination"], [user["medecin"], user["infirmier"]])


def build_demo_pathways() -> None:
    """Three patients in the type 2 diabetes pathway (one with a late HbA1c and a foot at
    risk, hence a podiatrist follow-up), a coordination note, and a concertation meeting
    next week with a case on its agenda. Built once, through the real services."""
    from django.utils import timezone

    from maillage.pathways import meetings
    from maillage.pathways.models import Enrolment, PathwayTemplate, Task
    from maillage.pathways.services import add_note, complete, enrol
    from maillage.patients.services import patient_create, set_attending_gp

    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    if Enrolment.objects.filter(cpts=cpts).exists():
        return
    coordinator = User.objects.get(email=demo_email("coordination", cpts.slug))
    gp = User.objects.get(email=demo_email("medecin", cpts.slug))
    nurse = User.objects.get(email=demo_email("infirmier", cpts.slug))
    pharmacist = User.objects.get(email=demo_email("pharmacien", cpts.slug))
    diabetes = PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True, version=1)
    today = timezone.localdate()
    enrolments = []
    for index, (name, first, born, sex, commune, days) in enumerate(DEMO_PATHWAY_PATIENTS):
        patient = patient_create(
            cpts=cpts, actor=coordinator, consent_method="oral", allow_duplicate=True,
            data={"birth_name": name, "first_names": first, "birth_date": born, "sex": sex,
                  "commune": commune, "phone": f"06 98 76 54 {index:02d}",
                  "ald": True, "ald_detail": "Diabète de type 2"},
        )  # fmt: skip
        set_attending_gp(patient=patient, gp=gp, actor=coordinator)
        enrolments.append(enrol(
            cpts=cpts, patient=patient, template=diabetes, actor=coordinator,
            team=[(gp, "Médecin traitant", True), (nurse, "Infirmier libéral", False),
                  (pharmacist, "Pharmacienne", False)],
            on=today - datetime.timedelta(days=days),
        ))  # fmt: skip
    first = enrolments[0]

    def done(enrolment, code, value, days_ago):
        task = Task.objects.get(enrolment=enrolment, step__code=code, status="due")
        complete(task=task, actor=gp, value=value,
                 on=today - datetime.timedelta(days=days_ago))  # fmt: skip

    # HbA1c done 100 days ago: the next one (every 91 days) is late.
    done(first, "hba1c", "8.1", 100)
    # Foot grade 1: a podiatrist follow-up starts.
    done(first, "pieds", "1", 85)
    done(first, "lipides", "1.3", 100)
    done(first, "dfg", "78", 100)
    done(first, "albuminurie", "2.1", 100)
    done(first, "ecg", "oui", 60)
    done(first, "fond-oeil", "oui", 50)
    done(enrolments[1], "hba1c", "6.9", 55)
    done(enrolments[1], "lipides", "1.1", 55)
    done(enrolments[1], "dfg", "92", 55)
    done(enrolments[1], "albuminurie", "1.4", 55)
    add_note(enrolment=first, author=nurse,
             text="Glycémies capillaires élevées le soir ; revoir le traitement avec le "
                  "médecin traitant.")  # fmt: skip
    organiser = Membership.objects.get(cpts=cpts, user=coordinator)
    start = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(19, 30))
    )
    meeting = meetings.schedule(
        cpts=cpts, organiser_membership=organiser, title="RCP diabète du mois",
        starts_at=start, duration_minutes=90, place="Maison de santé du centre, salle 2",
        participants=[gp, nurse, pharmacist],
    )  # fmt: skip
    meetings.add_case(meeting=meeting, membership=organiser, enrolment=first,
                      question="HbA1c à 8,1 % malgré la bithérapie : intensifier ? "
                               "Organiser le suivi podologique.")  # fmt: skip
