"""« Déclarer des doses »: a pharmacist or a practice reports the doses of a vaccination
campaign from a phone: the campaign and the site are remembered, today is prefilled, and
each vaccine x age band is a number with − / + buttons. The buttons submit the form
(no script needed): the counts are kept on the page until « Enregistrer »."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from maillage.core import permissions
from maillage.core.access import get_by_public_id, member_view

from .. import vaccination
from ..contract import parse_day
from ..models import DoseReport

DOSE_ERRORS = {
    "invalid": "Indiquez un nombre de doses entier (ex. : 12).",
    "negative": "Un nombre de doses ne peut pas être négatif : indiquez 0 ou plus.",
    "max": f"Nombre de doses trop grand : {vaccination.MAX_DOSES:,} au plus.".replace(
        ",", "\u202f"),
}


def _field(vaccine, band):
    return f"d-{vaccine}-{band}"


def _parse_int(text):
    text = (text or "").strip()
    if text == "":
        return None, None
    try:
        value = int(text)
    except ValueError:
        return None, DOSE_ERRORS["invalid"]
    if value < 0:
        return value, DOSE_ERRORS["negative"]
    if value > vaccination.MAX_DOSES:
        return value, DOSE_ERRORS["max"]
    return value, None


def _grid(campaign, values, errors):
    rows = []
    for vaccine in campaign.vaccines or []:
        cells = []
        for band, label in vaccination.AGE_BANDS.items():
            name = _field(vaccine, band)
            cells.append({"name": name, "label": label, "value": values.get(name, ""),
                          "error": errors.get(name, ""), "band": band})  # fmt: skip
        rows.append({"vaccine": vaccine, "label": vaccination.VACCINES.get(vaccine, vaccine),
                     "cells": cells})  # fmt: skip
    return rows


def _existing(campaign, site_label, day, period):
    rows = DoseReport.objects.filter(action=campaign, site_label=site_label, day=day,
                                     period=period)  # fmt: skip
    return {_field(r.vaccine, r.age_band): str(r.doses) for r in rows}


@member_view(permissions.report_doses)
def doses_view(request):
    campaigns = list(vaccination.open_campaigns(request.cpts))
    data = request.POST if request.method == "POST" else request.GET
    campaign = None
    wanted = data.get("campagne")
    if wanted:
        # Any campaign not cancelled: the edit links of older reports lead here too.
        campaign = get_by_public_id(vaccination.live_campaigns(request.cpts), wanted)
        if campaign not in campaigns:
            campaigns.append(campaign)
    elif campaigns:
        today = timezone.localdate()
        running = [c for c in campaigns if vaccination.action_day(c.start) <= today
                   <= vaccination.action_day(c.end)]  # fmt: skip
        campaign = (running or campaigns)[0]
    remembered_site, structure = vaccination.default_site(request.cpts, request.user)
    site_label = (data.get("site") if "site" in data else remembered_site) or ""
    period = data.get("periode") or "day"
    day_text = data.get("jour") or timezone.localdate().isoformat()
    errors, values, status = {}, {}, 200
    if campaign is not None:
        names = [_field(v, b) for v in campaign.vaccines or [] for b in vaccination.AGE_BANDS]
        if request.method == "POST":
            values = {n: request.POST.get(n, "").strip() for n in names}
        else:
            day = parse_day(day_text)
            if day is not None and site_label:
                values = _existing(campaign, site_label, day, period)
        step = request.POST.get("pas") if request.method == "POST" else None
        if step:
            # A − / + button: change one count and show the page again, nothing saved.
            name, _, delta = step.rpartition(":")
            if name in values:
                current, _error = _parse_int(values[name])
                values[name] = str(max(0, (current or 0) + (1 if delta == "+" else -1)))
        elif request.method == "POST":
            result = _save(request, campaign, site_label, structure, day_text, period, values)
            if isinstance(result, dict):
                errors, status = result, 400
            else:
                messages.success(request, result)
                url = reverse("prevention:doses", args=[request.cpts.slug])
                return redirect(f"{url}?campagne={campaign.public_id}")
    mine = list(vaccination.my_reports(request.cpts, request.user)[:60])
    for row in mine:
        row.vaccine_label = vaccination.VACCINES.get(row.vaccine, row.vaccine)
        row.band_label = vaccination.AGE_BANDS.get(row.age_band, row.age_band)
    summary = [{"id": k, "message": v} for k, v in errors.items()]
    return render(request, "prevention/vaccination/doses.html", {
        "campaigns": campaigns, "campaign": campaign, "site_label": site_label,
        "day": day_text, "period": period, "periods": DoseReport.Period.choices,
        "grid": _grid(campaign, values, errors) if campaign else [], "errors": errors,
        "summary": summary, "mine": mine,
    }, status=status)  # fmt: skip


def _save(request, campaign, site_label, structure, day_text, period, values):
    """Every filled count of the grid, all or nothing; returns the errors (field ->
    message) or the confirmation."""
    errors = {}
    day = parse_day(day_text)
    if day is None:
        errors["jour"] = "Indiquez le jour (ex. : 14/10/2026)."
    if not site_label.strip():
        errors["site"] = "Indiquez l'officine ou le cabinet qui a vacciné."
    counts = {}
    for name, text in values.items():
        value, error = _parse_int(text)
        if error:
            errors[name] = error
        elif value is not None:
            counts[name] = value
    if not counts and not errors:
        errors["grille"] = "Indiquez au moins un nombre de doses (0 si aucune)."
    if errors:
        return errors
    total = 0
    try:
        with transaction.atomic():
            for name, value in counts.items():
                _, vaccine, band = name.split("-", 2)
                try:
                    vaccination.report(action=campaign, actor=request.user,
                                       site_label=site_label, day=day, vaccine=vaccine,
                                       age_band=band, doses=value, period=period,
                                       structure=structure, request=request)  # fmt: skip
                except ValidationError as exc:
                    for field, messages_ in exc.message_dict.items():
                        key = {"day": "jour", "site_label": "site", "doses": name,
                               "period": "periode"}.get(field, name)  # fmt: skip
                        errors.setdefault(key, " ".join(messages_))
                    raise
                total += value
    except ValidationError:
        return errors
    return (f"{total} dose{'s' if total > 1 else ''} enregistrée{'s' if total > 1 else ''} "
            f"pour {site_label.strip()} le {day:%d/%m/%Y}.")  # fmt: skip


urls = [
    path("c/<slug:cpts_slug>/prevention/vaccination/doses/", doses_view, name="doses"),
]
