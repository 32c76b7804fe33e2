"""Demo: the prevention mission of the first demo CPTS (`make run`).

The programme of the current year (diabète from 35, grippe from 65 with the 75 % objective,
dépistage du cancer colorectal, chutes), a past diabetes screening day at a pharmacy of the
territory with about thirty participants entered through the real screening service (some
positive after a capillary glucose test, their follow-ups in various states), an upcoming
public awareness event on falls (20 places, full, one person on the waiting list), a flu
campaign with weekly dose reports from two pharmacies, and the contract's screening rates
(the real contract table of domain/prevention.md).

Deterministic (no randomness: every answer is derived from the participant's rank) and
idempotent: each part is looked up first and built only when missing, so what people did
in the demo since stays as they left it."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from maillage.core.models import Cpts, User

from .models import (
    Action,
    ActionKind,
    ActionProfessional,
    ActionStatus,
    ContractRate,
    DoseReport,
    FollowUp,
    FollowUpStatus,
    Participant,
    Programme,
    ProgrammeTheme,
    Registration,
    Sex,
    TargetSource,
    Theme,
)

SCREENING_TITLE = "Journée de dépistage du diabète en pharmacie"
EVENT_TITLE = "Prévenir les chutes : atelier ouvert au public"
FLU_TITLE = "Campagne de vaccination contre la grippe"
EVENT_CAPACITY = 20
PARTICIPANTS = 30
# The commune of the CPTS's main town, where the places named by hand are.
MAIN_COMMUNE = "38053"

# (theme code, objectives, sex, age min, age max, target size, where the size comes from,
# objective rate, objective count).
PROGRAMME = (
    ("diabete",
     "Repérer le diabète de type 2 méconnu chez les 35 ans et plus (questionnaire FINDRISC "
     "en pharmacie, glycémie capillaire au-delà de 12 points) et adresser chaque résultat "
     "anormal au médecin traitant.",
     "", 35, None, None, "", None, 400),
    ("vaccination-grippe",
     "Atteindre 75 % de couverture vaccinale chez les 65 ans et plus (cible OMS), avec les "
     "pharmacies et les cabinets infirmiers du territoire.",
     "", 65, None, 19800,
     "Estimation de la coordination : 18 % de la population INSEE du territoire", Decimal("75"),
     None),
    ("depistage-cancer-colorectal",
     "Mars bleu : informer les 50-74 ans sur le test immunologique et faire progresser le "
     "taux de dépistage vers le palier objectif du contrat.",
     "", 50, 74, 31500, "Donnée CPAM de l'Isère (population éligible)", Decimal("27"), None),
    ("chutes",
     "Prévenir les chutes des personnes âgées à domicile : ateliers ouverts au public, "
     "repérage par les infirmiers et les kinésithérapeutes.",
     "", 65, None, None, "", None, 120),
)  # fmt: skip

# The real contract table (domain/prevention.md): (theme code, baseline, socle,
# intermédiaire, objectif) in %, each tier paying 1 000 / 2 500 / 3 500 EUR; then the
# territory's rate from the CPAM (a demo figure) with its source.
CONTRACT = (
    ("depistage-cancer-sein", "66.26", "69.70", "72.40", "75.00", "70.10"),
    ("depistage-cancer-col", "64.08", "66.70", "67.45", "68.20", "65.90"),
    ("depistage-cancer-colorectal", "23.50", "25.00", "26.10", "27.00", "25.40"),
)
TIER_AMOUNTS = (1000, 2500, 3500)
RATE_SOURCE = "CPAM de l'Isère, tableau de bord ACI de la CPTS (chiffre de démonstration)"

# Residents registered to the public event, in order: the last one finds it full.
REGISTRANTS = (
    ("Monique", "Bertrand"), ("Gérard", "Lemoine"), ("Josette", "Fabre"),
    ("René", "Guillot"), ("Simone", "Picard"), ("Roger", "Masson"), ("Colette", "Brun"),
    ("André", "Rey"), ("Huguette", "Marchand"), ("Marcel", "Dumas"), ("Yvette", "Charpentier"),
    ("Lucien", "Roche"), ("Paulette", "Lacroix"), ("Robert", "Gauthier"),
    ("Denise", "Boyer"), ("Jacques", "Renaud"), ("Ginette", "Collet"),
    ("Maurice", "Baron"), ("Odile", "Carré"), ("Fernand", "Meunier"), ("Lucienne", "Hubert"),
)  # fmt: skip


def build_demo_prevention(*, today: datetime.date | None = None) -> dict:
    """Build what is missing of the first demo CPTS's prevention; returns what was added
    (part name: count), empty when everything was there already."""
    from maillage.demo.builder import DEMO_CPTS, demo_email

    today = today or timezone.localdate()
    cpts = Cpts.objects.get(slug=DEMO_CPTS[0].slug)
    user = {local: User.objects.get(email=demo_email(local, cpts.slug))
            for local in ("coordination", "pharmacien", "infirmier", "medecin")}  # fmt: skip
    added = {}
    with transaction.atomic():
        themes = _programme(cpts, user["coordination"], today, added)
        pharmacies = _pharmacies(cpts)
        _screening_day(cpts, user, themes["diabete"], pharmacies[0], today, added)
        _public_event(cpts, user["coordination"], themes["chutes"], today, added)
        _flu_campaign(cpts, user, themes["vaccination-grippe"], pharmacies, today, added)
        _contract_rates(cpts, user["coordination"], today, added)
    return added


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _programme(cpts, coordinator, today, added) -> dict:
    programme, created = Programme.objects.get_or_create(
        cpts=cpts, year=today.year,
        defaults={"created_by": coordinator,
                  "notes": "Priorités issues du diagnostic territorial : diabète, "
                           "vaccination des personnes âgées, dépistage des cancers, chutes."},
    )  # fmt: skip
    added["programme"] = int(created)
    themes = {}
    for code, objectives, sex, age_min, age_max, size, note, rate, count in PROGRAMME:
        theme = Theme.objects.get(cpts__isnull=True, code=code)
        entry, created = ProgrammeTheme.objects.get_or_create(
            programme=programme, theme=theme,
            defaults={"cpts": cpts, "objectives": objectives, "target_sex": sex,
                      "age_min": age_min, "age_max": age_max, "target_size": size,
                      "target_source": TargetSource.ENTERED, "target_note": note,
                      "objective_rate": rate, "objective_count": count},
        )  # fmt: skip
        added["programme_themes"] = added.get("programme_themes", 0) + int(created)
        themes[code] = entry
    return themes


def _pharmacies(cpts) -> list[tuple[str, object, object]]:
    """(name, structure, commune) of two pharmacies of the territory: from the directory
    when it is loaded, else named by hand in the main town."""
    from maillage.directory.models import Structure
    from maillage.territory.models import Commune
    from maillage.territory.services import territory_communes

    codes = [c.code for c in territory_communes(cpts)]
    found = list(Structure.objects.filter(category_code="620", active=True, commune_code__in=codes)
                 .select_related("commune").order_by("commune_code", "name", "pk")[:2])  # fmt: skip
    main = Commune.objects.get(code=MAIN_COMMUNE)
    pharmacies = [(s.name, s, s.commune or main) for s in found]
    for name in ("Pharmacie du Centre", "Pharmacie de la Gare")[len(pharmacies):]:
        pharmacies.append((name, None, main))
    return pharmacies


def _action(cpts, title, *, same_prefix: str = "", **fields) -> tuple[Action, bool]:
    """The demo's action of this title (or, for a yearly one, of any season: the title
    starts with `same_prefix`), created when missing."""
    found = Action.objects.for_cpts(cpts)
    found = found.filter(title__startswith=same_prefix) if same_prefix else found.filter(
        title=title)
    existing = found.order_by("pk").first()
    if existing is not None:
        return existing, False
    return Action.objects.create(cpts=cpts, title=title, **fields), True


# The screening day ----------------------------------------------------------------------

BMI = (22, 24, 26.5, 28, 31, 33.5)
WAIST = {Sex.FEMALE: (76, 84, 93), Sex.MALE: (90, 98, 107)}
FAMILY = ("none", "second_degree", "none", "first_degree")


def participant_data(rank: int) -> dict:
    """The answers of the demo's participant of this rank (0-based): varied, realistic,
    never twice the same person (age and height differ from one rank to the next)."""
    sex = Sex.FEMALE if rank % 2 == 0 else Sex.MALE
    height = (156 + rank % 11) if sex == Sex.FEMALE else (168 + rank % 13)
    weight = round(BMI[rank % len(BMI)] * (height / 100) ** 2)
    return {
        "sex": sex, "age": 36 + (rank * 7) % 41,
        "answers": {
            "height_cm": height, "weight_kg": weight, "waist_cm": WAIST[sex][rank % 3],
            "daily_activity": rank % 3 != 0, "daily_vegetables": rank % 4 != 1,
            "bp_medication": rank % 5 == 2, "high_glucose_history": rank % 7 == 3,
            "family_history": FAMILY[rank % len(FAMILY)],
        },
    }  # fmt: skip


# Capillary glucose of the participants asked for one, in turn: (g/L, fasting). Two of
# three are abnormal (non-fasting ≥ 2.00, fasting ≥ 1.26): they are referred.
GLUCOSE = ((Decimal("2.30"), False), (Decimal("1.32"), True), (Decimal("1.02"), True))
# What became of the positives, in turn (the demo shows every state of the follow-up).
OUTCOMES = (FollowUpStatus.SEEN, FollowUpStatus.REFERRED, FollowUpStatus.LOST,
            FollowUpStatus.TO_REFER, FollowUpStatus.SEEN, FollowUpStatus.DECLINED)  # fmt: skip


def _screening_day(cpts, user, programme_theme, pharmacy, today, added) -> None:
    from . import participants

    name, structure, commune = pharmacy
    day = today - datetime.timedelta(days=24)
    action, _ = _action(
        cpts, SCREENING_TITLE, kind=ActionKind.SCREENING, theme=programme_theme.theme,
        programme_theme=programme_theme, start=_aware(day, 9), end=_aware(day, 17),
        commune=commune, structure=structure, place=name, questionnaire="findrisc",
        partners="Association des diabétiques de l'Isère ; Ville de Bourgoin-Jallieu",
        description="Questionnaire FINDRISC pour les 35 ans et plus, glycémie capillaire "
                    "au-delà de 12 points, orientation vers le médecin traitant.",
        informed_count=85, created_by=user["coordination"],
    )  # fmt: skip
    for local, role in (("pharmacien", "Pharmacienne, saisie des participants"),
                        ("infirmier", "Infirmier, glycémies capillaires")):  # fmt: skip
        ActionProfessional.objects.get_or_create(
            action=action, user=user[local],
            defaults={"cpts": cpts, "role": role, "attended": True, "minutes": 420,
                      "recorded_by": user["coordination"], "recorded_at": action.end},
        )  # fmt: skip
    if Participant.objects.filter(action=action).exists():
        return
    # Entered while the action is open, as at the event; it is marked done afterwards.
    status = action.status
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.PLANNED)
    action.status = ActionStatus.PLANNED
    glucose = 0
    entered = []
    for rank in range(PARTICIPANTS):
        data = participant_data(rank)
        participant = participants.enter(
            action=action, actor=user["pharmacien"], sex=data["sex"], age=data["age"],
            commune=commune, questionnaire="findrisc", answers=data["answers"],
        )  # fmt: skip
        if participant.next_step == "glucose":
            value, fasting = GLUCOSE[glucose % len(GLUCOSE)]
            glucose += 1
            participant = participants.add_measure(
                participant=participant, actor=user["infirmier"], kind="glucose", value=value,
                fasting=fasting,
            )  # fmt: skip
        entered.append(participant)
    # Entered over the day of the event, one every ten minutes or so.
    for rank, participant in enumerate(entered):
        Participant.objects.filter(pk=participant.pk).update(
            entered_at=action.start + datetime.timedelta(minutes=10 * rank + 5))
    _follow_ups(action, user, day)
    final = ActionStatus.DONE if status == ActionStatus.PLANNED else status
    Action.objects.filter(pk=action.pk).update(status=final)
    added["participants"] = len(entered)


def _follow_ups(action, user, day) -> None:
    """The follow-ups the positives opened, moved to the state the demo shows. The
    follow-up area's own transitions (letter, queue request, confirmation) are not
    replayed here: the demo only needs the states to be visible."""
    follow_ups = FollowUp.objects.filter(participant__action=action).order_by("pk")
    for index, follow_up in enumerate(follow_ups):
        status = OUTCOMES[index % len(OUTCOMES)]
        if status == FollowUpStatus.REFERRED:
            _referred_to_the_demo_gp(follow_up, user, day)
            continue
        fields = {"status": status, "updated_at": _aware(day, 18)}
        if status in (FollowUpStatus.REFERRED, FollowUpStatus.SEEN, FollowUpStatus.LOST):
            fields.update(referred_at=_aware(day, 17, 30), letter_at=_aware(day, 17, 30),
                          has_gp=True, gp_name="Julien Perrin")  # fmt: skip
        if status == FollowUpStatus.SEEN:
            fields.update(seen_on=day + datetime.timedelta(days=9), outcome="confirmed",
                          confirmed_by=user["coordination"],
                          closed_at=_aware(day + datetime.timedelta(days=10), 9))  # fmt: skip
        if status == FollowUpStatus.LOST:
            fields.update(closed_at=_aware(day + datetime.timedelta(days=21), 9),
                          notes="Trois relances sans réponse.")  # fmt: skip
        if status == FollowUpStatus.DECLINED:
            fields.update(closed_at=_aware(day, 17, 45),
                          notes="Préfère en parler elle-même à son médecin.")  # fmt: skip
        FollowUp.objects.filter(pk=follow_up.pk).update(**fields)


def _referred_to_the_demo_gp(follow_up, user, day) -> None:
    """One positive goes the whole way through the follow-up services: identity with
    consent, then addressed to the demo GP, who finds it on their home page to confirm."""
    from maillage.patients.services import patient_create

    from . import followup

    participant = follow_up.participant
    patient = patient_create(
        cpts=follow_up.cpts, actor=user["coordination"], consent_method="oral",
        allow_duplicate=True, data={
            "birth_name": "Garnier",
            "first_names": "Paulette" if participant.sex == "F" else "Paul",
            "birth_date": day.replace(year=day.year - participant.age - 1),
            "sex": participant.sex, "phone": "06 45 12 78 33",
            "commune": participant.commune,
        })  # fmt: skip
    followup.attach_patient(follow_up=follow_up, patient=patient, actor=user["coordination"])
    followup.refer(follow_up=follow_up, actor=user["coordination"], gp=user["medecin"])


# The public event -------------------------------------------------------------------------


def _public_event(cpts, coordinator, programme_theme, today, added) -> None:
    from maillage.territory.models import Commune

    from . import registrations

    day = today + datetime.timedelta(days=21)
    action, _ = _action(
        cpts, EVENT_TITLE, kind=ActionKind.AWARENESS, theme=programme_theme.theme,
        programme_theme=programme_theme, start=_aware(day, 14, 30), end=_aware(day, 16, 30),
        commune=Commune.objects.get(code=MAIN_COMMUNE),
        place="Salle polyvalente de la mairie, 1 place Charles de Gaulle",
        partners="Centre communal d'action sociale ; kinésithérapeutes de la CPTS",
        description="Équilibre, aménagement du logement, que faire après une chute : "
                    "un atelier avec un kinésithérapeute et une ergothérapeute.",
        public=True, audience="Personnes de 65 ans et plus et leurs proches aidants",
        capacity=EVENT_CAPACITY, created_by=coordinator,
    )  # fmt: skip
    if Registration.objects.filter(action=action).exists():
        return
    for index, (first, last) in enumerate(REGISTRANTS):
        contact = ({"email": f"{_ascii(first)}.{_ascii(last)}@example.org"} if index % 3
                   else {"phone": f"06 45 21 33 {index:02d}"})  # fmt: skip
        registrations.register(action=action, first_name=first, last_name=last, **contact)
    added["registrations"] = len(REGISTRANTS)


def _ascii(text: str) -> str:
    import unicodedata

    return (unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
            .lower().replace(" ", "-"))  # fmt: skip


# The flu campaign ---------------------------------------------------------------------------

# Doses per week at each of the two pharmacies: (65 and over, 27-64).
WEEKLY_DOSES = (((38, 12), (22, 9)), ((45, 15), (30, 11)), ((41, 10), (27, 8)),
                ((33, 9), (25, 6)), ((24, 7), (18, 5)), ((17, 4), (12, 3)))  # fmt: skip


def _flu_campaign(cpts, user, programme_theme, pharmacies, today, added) -> None:
    from . import vaccination

    # The campaign opened six weeks ago, on a Monday, and runs for five months.
    monday = today - datetime.timedelta(days=today.weekday() + 7 * len(WEEKLY_DOSES))
    season = monday.year if monday.month >= 7 else monday.year - 1
    action, _ = _action(
        cpts, f"{FLU_TITLE} {season}-{season + 1}", same_prefix=FLU_TITLE,
        kind=ActionKind.VACCINATION,
        theme=programme_theme.theme, programme_theme=programme_theme,
        start=_aware(monday, 8), end=_aware(monday + datetime.timedelta(days=150), 19),
        commune=pharmacies[0][2], place="Pharmacies et cabinets infirmiers du territoire",
        partners="CPAM de l'Isère ; pharmacies d'officine", vaccines=["grippe"],
        description="Vaccination des personnes de 65 ans et plus et des personnes à risque, "
                    "en officine et en cabinet.",
        created_by=user["coordination"],
    )  # fmt: skip
    if DoseReport.objects.filter(action=action).exists():
        return
    count = 0
    for week, per_site in enumerate(WEEKLY_DOSES):
        day = action.start.date() + datetime.timedelta(weeks=week)
        if day > today:
            break
        for (name, structure, _), (old, adults) in zip(pharmacies, per_site, strict=False):
            for band, doses in (("65+", old), ("27-64", adults)):
                vaccination.report(action=action, actor=user["pharmacien"], site_label=name,
                                   day=day, vaccine="grippe", age_band=band, doses=doses,
                                   period="week", structure=structure)  # fmt: skip
                count += 1
    added["dose_reports"] = count


# The contract's screening rates ------------------------------------------------------------


def _contract_rates(cpts, coordinator, today, added) -> None:
    measured_on = datetime.date(today.year, 3, 31) if today.month > 3 else \
        datetime.date(today.year - 1, 3, 31)  # fmt: skip
    for code, baseline, socle, middle, objective, rate in CONTRACT:
        _, created = ContractRate.objects.get_or_create(
            cpts=cpts, theme=Theme.objects.get(cpts__isnull=True, code=code), year=today.year,
            defaults={"baseline": Decimal(baseline), "socle": Decimal(socle),
                      "intermediate": Decimal(middle), "objective": Decimal(objective),
                      "amount_socle": TIER_AMOUNTS[0], "amount_intermediate": TIER_AMOUNTS[1],
                      "amount_objective": TIER_AMOUNTS[2], "rate": Decimal(rate),
                      "rate_source": RATE_SOURCE, "rate_date": measured_on,
                      "updated_by": coordinator},
        )  # fmt: skip
        added["contract_rates"] = added.get("contract_rates", 0) + int(created)
