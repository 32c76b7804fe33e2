"""Vaccination counts: doses reported by pharmacies and practices, per day or week, per
vaccine and age band; coverage of a campaign against its target and objective.

Area: vaccination.

A pharmacy reports doses, not people: whether a dose is a person's first is not known, so
coverage is "doses for the target population", said as such on every page.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from maillage.core import audit

from .models import Action, ActionKind, DoseReport

# Vaccines a campaign counts, and the age bands of the counts (the HPV bands follow the
# schedule: 2 doses at 11-14, 3 at 15-26; 65+ is the flu campaign's main target).
VACCINES = {
    "grippe": "Grippe",
    "covid": "COVID-19",
    "hpv": "Papillomavirus (HPV)",
    "pneumocoque": "Pneumocoque",
    "zona": "Zona",
    "dtp": "Diphtérie, tétanos, poliomyélite (rappel)",
}
AGE_BANDS = {
    "0-10": "0-10 ans",
    "11-14": "11-14 ans",
    "15-26": "15-26 ans",
    "27-64": "27-64 ans",
    "65+": "65 ans et plus",
}
MAX_DOSES = 100_000

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.doses_report": "Doses de vaccin déclarées",
        "prevention.doses_replace": "Déclaration de doses corrigée",
    },
}


def action_day(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def live_campaigns(cpts):
    return (Action.objects.for_cpts(cpts).live().filter(kind=ActionKind.VACCINATION)
            .select_related("theme").order_by("-start", "pk"))  # fmt: skip


# A site may report late (a weekly count, a forgotten day): a campaign stays in the
# picker this long after its end.
LATE_REPORT_DAYS = 60


def open_campaigns(cpts):
    since = timezone.now() - datetime.timedelta(days=LATE_REPORT_DAYS)
    return live_campaigns(cpts).filter(end__gte=since)


def _check(action, *, site_label, day, vaccine, age_band, doses, period) -> dict:
    errors = {}
    if action.kind != ActionKind.VACCINATION:
        errors["action"] = "On ne déclare des doses que pour une campagne de vaccination."
    site_label = (site_label or "").strip()
    if not site_label:
        errors["site_label"] = "Indiquez l'officine ou le cabinet qui a vacciné."
    elif len(site_label) > 200:
        errors["site_label"] = "Nom trop long : 200 caractères au plus."
    if vaccine not in (action.vaccines or []):
        names = ", ".join(VACCINES.get(v, v) for v in action.vaccines or []) or "aucun"
        errors["vaccine"] = f"Ce vaccin ne fait pas partie de la campagne (vaccins : {names})."
    if age_band not in AGE_BANDS:
        errors["age_band"] = "Tranche d'âge inconnue."
    if period not in DoseReport.Period.values:
        errors["period"] = "Période inconnue : jour ou semaine."
    if doses is None or isinstance(doses, bool) or not isinstance(doses, int):
        errors["doses"] = "Indiquez un nombre de doses entier (0 ou plus)."
    elif doses < 0:
        errors["doses"] = "Un nombre de doses ne peut pas être négatif : indiquez 0 ou plus."
    elif doses > MAX_DOSES:
        errors["doses"] = f"Nombre de doses trop grand : {MAX_DOSES:,} au plus.".replace(
            ",", "\u202f")
    if not isinstance(day, datetime.date):
        errors["day"] = "Indiquez le jour (ex. : 14/10/2026)."
    else:
        first, last = action_day(action.start), action_day(action.end)
        # A weekly report is dated by its Monday, which may fall before the campaign opens.
        low = first - datetime.timedelta(days=6) if period == "week" else first
        if not low <= day <= last:
            errors["day"] = (f"Ce jour est hors de la campagne (du {first:%d/%m/%Y} au "
                             f"{last:%d/%m/%Y}).")  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return {"site_label": site_label}


@transaction.atomic
def report(*, action, actor, site_label, day, vaccine, age_band, doses, period="day",
           structure=None, request=None) -> DoseReport:  # fmt: skip
    """Record the doses one site gave; a second report of the same key (site, period,
    day, vaccine, age band) replaces the first, so a pharmacist corrects by reporting
    again."""
    cleaned = _check(action, site_label=site_label, day=day, vaccine=vaccine,
                     age_band=age_band, doses=doses, period=period)  # fmt: skip
    key = {"action": action, "site_label": cleaned["site_label"], "period": period,
           "day": day, "vaccine": vaccine, "age_band": age_band}  # fmt: skip
    now = timezone.now()

    def replace(existing):
        before = existing.doses
        existing.doses, existing.reporter, existing.updated_at = doses, actor, now
        if structure is not None:
            existing.structure = structure
        existing.save(update_fields=["doses", "reporter", "updated_at", "structure"])
        audit.record(action="prevention.doses_replace", actor=actor, cpts=action.cpts,
                     obj=existing, request=request,
                     detail={"replaced": before, "by": doses,
                             "summary": f"remplacé {before} par {doses}"})  # fmt: skip
        return existing

    existing = DoseReport.objects.select_for_update().filter(**key).first()
    if existing is not None:
        return replace(existing)
    try:
        with transaction.atomic():
            row = DoseReport.objects.create(cpts=action.cpts, reporter=actor,
                                            structure=structure, doses=doses, created_at=now,
                                            updated_at=now, **key)  # fmt: skip
    except IntegrityError:
        # A colleague reported the same key at the same moment (no row to lock yet): the
        # later report replaces theirs, as a correction would.
        return replace(DoseReport.objects.select_for_update().get(**key))
    audit.record(action="prevention.doses_report", actor=actor, cpts=action.cpts, obj=row,
                 request=request, detail={"doses": doses, "vaccine": vaccine,
                                          "age_band": age_band})  # fmt: skip
    return row


def default_site(cpts, user) -> tuple[str, object]:
    """(site label, structure) to prefill: the site this person last reported for, else
    the practice site of their directory entry."""
    last = (DoseReport.objects.for_cpts(cpts).filter(reporter=user)
            .order_by("-updated_at", "-pk").select_related("structure").first())  # fmt: skip
    if last is not None:
        return last.site_label, last.structure
    from maillage.directory.models import DirectoryEntry

    entry = (DirectoryEntry.objects.filter(cpts=cpts, account=user)
             .select_related("professional").first())  # fmt: skip
    if entry is not None:
        site = entry.professional.sites.exclude(name="").order_by("pk").first()
        if site is not None:
            return site.name, None
    return "", None


def my_reports(cpts, user, action=None):
    rows = DoseReport.objects.for_cpts(cpts).filter(reporter=user).select_related("action")
    if action is not None:
        rows = rows.filter(action=action)
    return rows.order_by("-day", "site_label", "vaccine", "age_band")


# Figures of a campaign (aggregated in SQL: a campaign has thousands of reports) ----------


def _rate(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


def campaign_figures(action) -> dict:
    """Doses of a campaign, by vaccine, age band, week and site, and its coverage."""
    from .actions import target_of

    rows = DoseReport.objects.filter(action=action)
    total = rows.aggregate(n=Sum("doses"))["n"] or 0
    by_vaccine = [(VACCINES.get(r["vaccine"], r["vaccine"]), r["n"]) for r in
                  rows.values("vaccine").annotate(n=Sum("doses")).order_by("vaccine")]
    bands = {r["age_band"]: r["n"] for r in rows.values("age_band").annotate(n=Sum("doses"))}
    by_band = [(label, bands[code]) for code, label in AGE_BANDS.items() if code in bands]
    by_week = [(r["week"], r["n"]) for r in
               rows.annotate(week=TruncWeek("day")).values("week").annotate(n=Sum("doses"))
               .order_by("week")]  # fmt: skip
    by_site = [(r["site_label"], r["n"]) for r in
               rows.values("site_label").annotate(n=Sum("doses")).order_by("-n", "site_label")]
    size, objective, note = target_of(action)
    coverage = _rate(total, size)
    return {
        "doses": total, "by_vaccine": by_vaccine, "by_age_band": by_band,
        "by_week": [(w.date() if isinstance(w, datetime.datetime) else w, n)
                    for w, n in by_week],
        "by_site": by_site, "target_size": size, "target_note": note,
        "objective_rate": objective, "coverage": coverage,
        "objective_reached": (coverage is not None and objective is not None
                              and coverage >= Decimal(objective)),
    }  # fmt: skip


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
