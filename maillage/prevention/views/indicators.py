"""Indicators pages: the year's figures per theme and per action, one action's figures
(and a campaign's doses and coverage), charts with their tables, CSV export; the
contract's screening rates with their tiers, entered or imported from the CPAM's CSV."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from maillage.core import exports, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form

from .. import charts, contract
from .. import indicators as figures
from ..models import Action, ContractRate

CSV_HEADER = ["action", "type", "thème", "début", "fin", "statut", "informés", "dépistés",
              "positifs", "orientés", "vus par un médecin", "perdus de vue", "doses",
              "population cible", "couverture (%)"]  # fmt: skip


def _year(request) -> int:
    text = request.GET.get("annee", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def _years(year):
    current = timezone.localdate().year
    return sorted({*range(current - 4, current + 2), year}, reverse=True)


def _period(year):
    return (datetime.date(year, 1, 1), datetime.date(year, 12, 31))


@member_view(permissions.see_prevention_indicators)
def indicators_view(request):
    year = _year(request)
    actions = list(figures.actions_in(request.cpts, _period(year)).select_related("theme")
                   .order_by("start", "pk"))  # fmt: skip
    totals = figures.period_figures(request.cpts, _period(year))
    themes = figures.theme_figures(request.cpts, year)
    chart = charts.action_chart(totals)
    return render(request, "prevention/indicators/index.html", {
        "year": year, "years": _years(year), "actions": actions, "totals": totals,
        "themes": themes, "chart": chart,
        "can_manage": permissions.manage_prevention(request.membership),
    })  # fmt: skip


def _action(request, public_id):
    return get_by_public_id(Action.objects.for_cpts(request.cpts).select_related(
        "theme", "programme_theme"), public_id)


@member_view(permissions.see_prevention_indicators)
def action_indicators_view(request, public_id):
    action = _action(request, public_id)
    data = figures.action_indicators(action)
    campaign = data["campaign"]
    return render(request, "prevention/indicators/action.html", {
        "action": action, "figures": data["figures"], "campaign": campaign,
        "chart": charts.action_chart(data["figures"]) if campaign is None else None,
        "campaign_charts": charts.campaign_charts(campaign) if campaign else [],
    })  # fmt: skip


def _csv_rows(actions):
    for action in actions:
        data = figures.action_indicators(action)
        f, c = data["figures"], data["campaign"] or {}
        yield [action.title, action.get_kind_display(), action.theme.label,
               timezone.localtime(action.start).strftime("%d/%m/%Y"),
               timezone.localtime(action.end).strftime("%d/%m/%Y"),
               action.get_status_display(), f["informed"], f["screened"], f["positive"],
               f["referred"], f["seen"], f["lost"], c.get("doses", ""),
               c.get("target_size") or "", c.get("coverage") or ""]  # fmt: skip


@member_view(permissions.see_prevention_indicators)
def indicators_csv_view(request):
    year = _year(request)
    actions = list(figures.actions_in(request.cpts, _period(year)).select_related(
        "theme", "programme_theme").order_by("start", "pk"))
    return exports.csv_response(f"prevention-indicateurs-{year}.csv", CSV_HEADER,
                                _csv_rows(actions))  # fmt: skip


# The contract's screening rates --------------------------------------------------------

# Django interpolates these messages with their limit (`message % params`): a percent
# sign is written %%.
PERCENT_ERRORS = {
    "required": "Indiquez un taux (ex. : 69,70).",
    "invalid": "Indiquez un taux en pourcentage (ex. : 69,70).",
    "min_value": "Un taux est entre 0 et 100 %%.",
    "max_value": "Un taux est entre 0 et 100 %%.",
    "max_digits": "Deux décimales au plus (ex. : 69,70).",
    "max_decimal_places": "Deux décimales au plus (ex. : 69,70).",
    "max_whole_digits": "Un taux est entre 0 et 100 %%.",
}
AMOUNT_ERRORS = {
    "required": "Indiquez un montant en euros (0 si ce palier ne paie pas).",
    "invalid": "Indiquez un montant entier en euros (ex. : 2500).",
    "min_value": "Un montant ne peut pas être négatif.",
    "max_value": "Montant trop grand : 1 000 000 € au plus.",
}


def _percent(label, required=True, help_text=""):
    return forms.DecimalField(label=label, required=required, min_value=0, max_value=100,
                              max_digits=5, decimal_places=2, help_text=help_text,
                              localize=True, error_messages=PERCENT_ERRORS,
                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip


def _amount(label):
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000,
                              error_messages=AMOUNT_ERRORS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))  # fmt: skip


class RateForm(forms.Form):
    theme = forms.ModelChoiceField(label="Dépistage", queryset=None, to_field_name="code",
                                   error_messages={"required": "Choisissez le dépistage.",
                                                   "invalid_choice": "Thème inconnu."})  # fmt: skip
    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100, error_messages={
        "required": "Indiquez l'année.", "invalid": "Indiquez une année (ex. : 2026).",
        "min_value": "Année entre 2000 et 2100.", "max_value": "Année entre 2000 et 2100."})
    baseline = _percent("Situation de départ (%)")
    socle = _percent("Palier socle (%)")
    intermediate = _percent("Palier intermédiaire (%)")
    objective = _percent("Palier objectif (%)")
    amount_socle = _amount("Montant du palier socle (€)")
    amount_intermediate = _amount("Montant du palier intermédiaire (€)")
    amount_objective = _amount("Montant du palier objectif (€)")
    rate = _percent("Taux constaté par la CPAM (%) (facultatif)", required=False,
                    help_text="Le chiffre de la CPAM pour le territoire : il fait foi.")
    rate_source = forms.CharField(label="Source du taux (facultatif)", max_length=200,
                                  required=False,
                                  help_text="Ex. : CPAM de l'Isère, courrier du 15/03.")
    rate_date = forms.DateField(label="Date du taux (facultatif)", required=False,
                                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                widget=forms.DateInput(attrs={"type": "date"},
                                                       format="%Y-%m-%d"),
                                error_messages={"invalid": "Date invalide (ex. : 15/03/2026)."})

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = contract.screening_themes(cpts)

    def clean(self):
        data = super().clean()
        for field, message in contract.check_tiers(
                {k: v for k, v in data.items() if k not in self.errors}).items():  # fmt: skip
            if field not in self.errors:
                self.add_error(field, message)
        return data


def _rows_with_standing(rows):
    for row in rows:
        row.standing = contract.standing(row)
        yield row


@member_view(permissions.see_prevention_indicators)
def rates_view(request):
    rows = list(_rows_with_standing(contract.rates(request.cpts)))
    return render(request, "prevention/indicators/rates.html", {
        "rows": rows, "can_manage": permissions.manage_prevention(request.membership),
        "defaults": [(code, contract.DEFAULTS[code]) for code in contract.DEFAULTS],
    })  # fmt: skip


def _rate_form(request, row):
    if request.method == "POST":
        form = RateForm(request.POST, cpts=request.cpts)
        if form.is_valid():
            data = dict(form.cleaned_data)
            theme, year = data.pop("theme"), data.pop("year")
            if row is not None and (row.theme_id != theme.pk or row.year != year):
                clash = ContractRate.objects.for_cpts(request.cpts).filter(
                    theme=theme, year=year).exclude(pk=row.pk).exists()
                if clash:
                    form.add_error("year", "Ce dépistage a déjà sa ligne pour cette année.")
            if not form.errors:
                try:
                    with transaction.atomic():
                        if row is not None:
                            row.theme, row.year = theme, year
                            row.save(update_fields=["theme", "year"])
                        saved = contract.save_rate(cpts=request.cpts, actor=request.user,
                                                   theme=theme, year=year, data=data,
                                                   request=request)  # fmt: skip
                except ValidationError as exc:
                    errors_to_form(form, exc)
                else:
                    reached = contract.standing(saved)
                    note = (f" Palier atteint : {reached.label}, {reached.amount} €."
                            if reached else "")  # fmt: skip
                    messages.success(request, f"Taux enregistré : {theme.label} {year}.{note}")
                    return redirect("prevention:rates", cpts_slug=request.cpts.slug)
    else:
        if row is not None:
            initial = {f: getattr(row, f) for f in contract.RATE_FIELDS}
            initial.update(theme=row.theme.code, year=row.year)
        else:
            code = request.GET.get("theme", "")
            initial = {"year": timezone.localdate().year, "theme": code or None,
                       **contract.defaults_for(code)}  # fmt: skip
        form = RateForm(initial=initial, cpts=request.cpts)
    return render(request, "prevention/indicators/rate_form.html", {
        "form": form, "row": row,
        "defaults": [(code, label) for code, label in (
            ("depistage-cancer-sein", "cancer du sein"),
            ("depistage-cancer-col", "cancer du col de l'utérus"),
            ("depistage-cancer-colorectal", "cancer colorectal"))],
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_prevention)
def rate_new_view(request):
    return _rate_form(request, None)


@member_view(permissions.manage_prevention)
def rate_view(request, public_id):
    row = get_by_public_id(ContractRate.objects.for_cpts(request.cpts).select_related("theme"),
                           public_id)  # fmt: skip
    return _rate_form(request, row)


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV de la CPAM",
                           help_text="Colonnes : theme;year;rate;source;date (code du thème, "
                                     "année, taux en %, source, date). Tout ou rien : une "
                                     "ligne fausse et rien n'est importé.",
                           error_messages={"required": "Choisissez un fichier CSV.",
                                           "empty": "Le fichier est vide."})  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1_000_000:
            raise ValidationError("Fichier trop gros : 1 Mo au plus.")
        return upload


@member_view(permissions.manage_prevention)
def rates_import_view(request):
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                count = contract.import_csv(cpts=request.cpts, actor=request.user,
                                            content=form.cleaned_data["file"].read(),
                                            request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"{count} taux importé{'s' if count > 1 else ''}.")
                return redirect("prevention:rates", cpts_slug=request.cpts.slug)
    else:
        form = ImportForm()
    return render(request, "prevention/indicators/rates_import.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.see_prevention_indicators)
def rates_csv_view(request):
    rows = _rows_with_standing(contract.rates(request.cpts))
    header = ["dépistage", "code", "année", "situation de départ (%)", "socle (%)",
              "intermédiaire (%)", "objectif (%)", "montant socle (€)",
              "montant intermédiaire (€)", "montant objectif (€)", "taux constaté (%)",
              "source", "date du taux", "palier atteint", "montant acquis (€)"]  # fmt: skip

    def lines():
        for r in rows:
            s = r.standing
            yield [r.theme.label, r.theme.code, r.year, r.baseline, r.socle, r.intermediate,
                   r.objective, r.amount_socle, r.amount_intermediate, r.amount_objective,
                   r.rate if r.rate is not None else "", r.rate_source,
                   r.rate_date.strftime("%d/%m/%Y") if r.rate_date else "",
                   s.label if s else "", s.amount if s else ""]  # fmt: skip

    return exports.csv_response("prevention-taux-contrat.csv", header, lines())


urls = [
    path("c/<slug:cpts_slug>/prevention/indicateurs/", indicators_view, name="indicators"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/export.csv", indicators_csv_view,
         name="indicators_csv"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/action/<uuid:public_id>/",
         action_indicators_view, name="action_indicators"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/contrat/", rates_view, name="rates"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/contrat/export.csv", rates_csv_view,
         name="rates_csv"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/contrat/nouveau/", rate_new_view,
         name="rate_new"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/contrat/import/", rates_import_view,
         name="rates_import"),
    path("c/<slug:cpts_slug>/prevention/indicateurs/contrat/<uuid:public_id>/", rate_view,
         name="rate"),
]  # fmt: skip
