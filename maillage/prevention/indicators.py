"""Prevention indicators: per action (informed, screened, positive, referred, seen), per
campaign (doses, coverage), per theme; the contract's screening rates with baseline,
tiers and amounts. Declared in core.indicators for the ACI report.

Area: vaccination (with indicators).

Every figure is an aggregate query (a campaign may have 50 000 participants): no row is
loaded into Python to be counted.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum

from maillage.core.indicators import period_bounds

MISSION = "prevention"
REFERRED = ("referred", "seen", "lost")


def action_figures(action) -> dict:
    """{"informed", "screened", "positive", "referred", "seen", "lost"} of one action:
    participants entered on a phone plus the counts entered from paper."""
    from .models import FollowUp, FollowUpStatus, Participant

    screened = Participant.objects.filter(action=action).aggregate(
        screened=Count("pk"), positive=Count("pk", filter=Q(positive=True)))
    follow = FollowUp.objects.filter(participant__action=action).aggregate(
        referred=Count("pk", filter=Q(status__in=(FollowUpStatus.REFERRED, FollowUpStatus.SEEN,
                                                  FollowUpStatus.LOST))),
        seen=Count("pk", filter=Q(status=FollowUpStatus.SEEN)),
        lost=Count("pk", filter=Q(status=FollowUpStatus.LOST)),
    )  # fmt: skip
    return {
        "informed": action.informed_count,
        "screened": screened["screened"] + action.paper_screened,
        "positive": screened["positive"],
        "referred": follow["referred"] + action.paper_referred,
        "seen": follow["seen"],
        "lost": follow["lost"],
    }


def actions_in(cpts, period):
    """Live actions that started in the period (a campaign counts in the year it opens)."""
    from .models import Action

    low, high = period_bounds(period)
    return Action.objects.for_cpts(cpts).live().filter(start__gte=low, start__lt=high)


def period_figures(cpts, period) -> dict:
    """Totals of the actions of a period, in four aggregate queries."""
    from .models import DoseReport, FollowUp, Participant

    actions = actions_in(cpts, period)
    paper = actions.aggregate(n=Count("pk"), informed=Sum("informed_count"),
                              screened=Sum("paper_screened"), referred=Sum("paper_referred"))
    people = Participant.objects.filter(action__in=actions).aggregate(
        screened=Count("pk"), positive=Count("pk", filter=Q(positive=True)))
    follow = FollowUp.objects.filter(participant__action__in=actions).aggregate(
        referred=Count("pk", filter=Q(status__in=REFERRED)),
        seen=Count("pk", filter=Q(status="seen")), lost=Count("pk", filter=Q(status="lost")))
    start, end = period
    doses = DoseReport.objects.for_cpts(cpts).filter(day__gte=start, day__lte=end).aggregate(
        n=Sum("doses"))["n"] or 0
    return {
        "actions": paper["n"], "informed": paper["informed"] or 0,
        "screened": people["screened"] + (paper["screened"] or 0),
        "positive": people["positive"],
        "referred": follow["referred"] + (paper["referred"] or 0),
        "seen": follow["seen"], "lost": follow["lost"], "doses": doses,
    }  # fmt: skip


def theme_figures(cpts, year: int) -> list[dict]:
    """One row per theme with actions in the year: actions, informed, screened, positive,
    referred, seen, doses; each column one grouped query."""
    from .models import DoseReport, FollowUp, Participant, Theme

    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    actions = actions_in(cpts, period)
    rows: dict[int, dict] = {}

    def row(theme_id):
        return rows.setdefault(theme_id, {"actions": 0, "informed": 0, "screened": 0,
                                          "positive": 0, "referred": 0, "seen": 0,
                                          "lost": 0, "doses": 0})  # fmt: skip

    for r in actions.values("theme_id").annotate(
            n=Count("pk"), informed=Sum("informed_count"), screened=Sum("paper_screened"),
            referred=Sum("paper_referred")).order_by():  # fmt: skip
        target = row(r["theme_id"])
        target.update(actions=r["n"], informed=r["informed"] or 0,
                      screened=r["screened"] or 0, referred=r["referred"] or 0)  # fmt: skip
    for r in (Participant.objects.filter(action__in=actions).values("action__theme_id")
              .annotate(n=Count("pk"), positive=Count("pk", filter=Q(positive=True)))
              .order_by()):  # fmt: skip
        target = row(r["action__theme_id"])
        target["screened"] += r["n"]
        target["positive"] = r["positive"]
    for r in (FollowUp.objects.filter(participant__action__in=actions)
              .values("participant__action__theme_id")
              .annotate(referred=Count("pk", filter=Q(status__in=REFERRED)),
                        seen=Count("pk", filter=Q(status="seen")),
                        lost=Count("pk", filter=Q(status="lost"))).order_by()):  # fmt: skip
        target = row(r["participant__action__theme_id"])
        target["referred"] += r["referred"]
        target["seen"], target["lost"] = r["seen"], r["lost"]
    for r in (DoseReport.objects.filter(action__in=actions).values("action__theme_id")
              .annotate(n=Sum("doses")).order_by()):  # fmt: skip
        row(r["action__theme_id"])["doses"] = r["n"] or 0
    themes = Theme.objects.in_bulk(list(rows))
    result = [{"theme": themes[pk], **figures} for pk, figures in rows.items()]
    return sorted(result, key=lambda r: r["theme"].label)


def action_indicators(action) -> dict:
    """What the pages and the API show for one action: its figures, and for a campaign
    its doses and coverage."""
    from . import vaccination
    from .models import ActionKind

    data = {"figures": action_figures(action), "campaign": None}
    if action.kind == ActionKind.VACCINATION:
        data["campaign"] = vaccination.campaign_figures(action)
    return data


# The indicator registry (core.indicators) ------------------------------------------------


def _figure(key):
    def compute(cpts, period):
        from maillage.core import indicators

        figures = indicators.shared(("prevention.period_figures", cpts.pk, tuple(period)),
                                    lambda: period_figures(cpts, period))  # fmt: skip
        return indicators.Value(figures[key])

    compute.__name__ = f"prevention_{key}"
    return compute


def _rate_of(theme_code):
    def compute(cpts, period):
        from maillage.core import indicators

        from . import contract
        from .models import ContractRate

        row = (ContractRate.objects.for_cpts(cpts)
               .filter(theme__code=theme_code, year=period[1].year).first())  # fmt: skip
        if row is None or row.rate is None:
            return indicators.Value(None, note="taux non saisi")
        reached = contract.standing(row)
        return indicators.Value(
            float(row.rate),
            note=f"source : {row.rate_source}, {row.rate_date:%d/%m/%Y} ; palier atteint : "
                 f"{reached.label} ({reached.amount} €)")  # fmt: skip

    compute.__name__ = f"prevention_rate_{theme_code}"
    return compute


FIGURES = (
    ("prevention.actions", "Actions de prévention", "Actions (campagnes, journées de "
     "dépistage, séances de sensibilisation) commencées dans la période, annulées exclues.",
     "actions", "actions"),
    ("prevention.informed", "Personnes informées", "Personnes informées lors des actions de "
     "la période (comptes saisis par la coordination).", "personnes", "informed"),
    ("prevention.screened", "Personnes dépistées", "Participants saisis sur téléphone aux "
     "actions de la période, plus les dépistés comptés sur papier.", "personnes", "screened"),
    ("prevention.positive", "Dépistages positifs", "Participants des actions de la période "
     "dont le résultat appelle une orientation.", "personnes", "positive"),
    ("prevention.referred", "Personnes orientées", "Dépistés positifs adressés à un médecin "
     "(lettre ou demande de médecin traitant), plus les orientés comptés sur papier.",
     "personnes", "referred"),
    ("prevention.seen", "Personnes vues par un médecin", "Dépistés positifs dont la "
     "consultation a été confirmée par le médecin ou la coordination.", "personnes", "seen"),
    ("prevention.lost", "Personnes perdues de vue", "Dépistés positifs orientés dont on n'a "
     "plus de nouvelles.", "personnes", "lost"),
    ("prevention.doses", "Doses de vaccin déclarées", "Doses déclarées par les officines et "
     "cabinets pour les jours (ou semaines) de la période ; des doses, pas des personnes "
     "(une première dose n'est pas distinguée).", "doses", "doses"),
)  # fmt: skip


def register_indicators():
    from maillage.core import indicators

    from .contract import DEFAULTS

    for code, label, definition, unit, key in FIGURES:
        indicators.register(code, mission=MISSION, label=label, definition=definition,
                            unit=unit, source="saisies de prévention (Maillage)",
                            compute=_COMPUTE.setdefault(code, _figure(key)))  # fmt: skip
    names = {"depistage-cancer-sein": "cancer du sein", "depistage-cancer-col":
             "cancer du col de l'utérus", "depistage-cancer-colorectal": "cancer colorectal"}
    for theme_code in DEFAULTS:
        code = f"prevention.rate.{theme_code}"
        indicators.register(
            code, mission=MISSION, label=f"Taux de dépistage du {names[theme_code]}",
            definition=f"Taux de dépistage du {names[theme_code]} du territoire pour l'année "
                       "de la fin de période, tel que la CPAM le communique, avec le palier "
                       "du contrat atteint.",
            unit="%", source="CPAM (saisi ou importé par la coordination)",
            compute=_COMPUTE.setdefault(code, _rate_of(theme_code)))  # fmt: skip


# Registering twice (tests reload apps) must hand the registry the same function.
_COMPUTE: dict = {}


def first_action(cpts):
    """The day the first prevention action (cancelled ones excluded) started."""
    from django.utils import timezone

    from .models import Action

    start = (Action.objects.for_cpts(cpts).live().order_by("start")
             .values_list("start", flat=True).first())  # fmt: skip
    return timezone.localtime(start).date() if start else None


def ready():
    from maillage.core import indicators

    from . import contract

    contract.ready()
    register_indicators()
    indicators.register_start(MISSION, label="première action de prévention",
                              first_activity=first_action)  # fmt: skip
