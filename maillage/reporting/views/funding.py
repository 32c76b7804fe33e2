"""Pages of the contract's funding: the payment schedule and the payments received (CSV,
a payment's entry and its matching), the current year's forecast (chart and table), the
indicator grid of a contract year (CSV).

Every page reads the contract through access.contract_of; without one it says so and
links to the contract page. A funder's reads are audited (access.audit_read)."""

from __future__ import annotations

import base64
import re

import pygal
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from pygal.style import Style

from maillage.core import exports, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form

from .. import access, funding, missions, payments, years
from ..achievement import ZERO
from ..models import IndicatorSource, Payment, Rule

NO_CONTRACT = "reporting/funding/no_contract.html"


def _no_contract(request, title):
    return render(request, NO_CONTRACT, {"title": title})


def _money(value) -> str:
    return funding.format_amount(value) if value is not None else "—"


# -- payments ------------------------------------------------------------------------------

SCHEDULE_CSV = ["date", "année du contrat", "ligne de financement", "nature", "montant (EUR)",
                "part fixe (EUR)", "part variable (EUR)", "estimé", "reçu (EUR)", "état",
                "versements"]  # fmt: skip


def _schedule_csv(rows):
    for s in rows:
        ln = s.line
        yield [ln.date.strftime("%d/%m/%Y"), ln.year, missions.label(ln.line),
               "avance" if ln.kind == funding.ADVANCE else "solde", ln.amount, ln.fixed,
               ln.variable, "oui" if ln.estimated else "non", s.received, s.label,
               ", ".join(p.reference for p in s.payments)]  # fmt: skip


@member_view(permissions.see_contract)
def payments_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        return _no_contract(request, "Versements")
    access.audit_read(
        request,
        "reporting.payments",
        **({"format": "csv"} if request.GET.get("format") == "csv" else {}),
    )
    rows = payments.statuses(contract)
    if request.GET.get("format") == "csv":
        return exports.csv_response("aci-echeancier.csv", SCHEDULE_CSV, _schedule_csv(rows))
    by_year = []
    for year in years.all_years(contract):
        mine = [s for s in rows if s.line.year == year]
        by_year.append({"year": year, "rows": mine,
                        "due": sum((s.line.amount for s in mine), ZERO),
                        "received": sum((s.received for s in mine), ZERO)})  # fmt: skip
    received = list(Payment.objects.for_cpts(request.cpts).filter(contract=contract)
                    .select_related("entered_by"))  # fmt: skip
    return render(request, "reporting/funding/payments.html", {
        "contract": contract, "by_year": by_year, "received": received,
        "total_due": sum((s.line.amount for s in rows), ZERO),
        "total_received": sum((p.amount for p in received), ZERO),
        "can_manage": permissions.manage_contract(request.membership),
    })  # fmt: skip


def _line_value(ln) -> str:
    return f"{ln.date.isoformat()}|{ln.line}|{ln.kind}"


class PaymentForm(forms.Form):
    received_on = forms.DateField(
        label="Reçu le", input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de réception.",
                        "invalid": "Date invalide (JJ/MM/AAAA)."})  # fmt: skip
    amount = forms.CharField(
        label="Montant (EUR)", max_length=20, help_text="Ex. : 67500,00",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": "Indiquez le montant reçu."})  # fmt: skip
    reference = forms.CharField(
        label="Référence du virement", max_length=120,
        help_text="Telle qu'elle figure sur le relevé ou l'avis de paiement de la CPAM.",
        error_messages={"required": "Indiquez la référence du virement.",
                        "max_length": "120 caractères au plus."})  # fmt: skip
    schedule_line = forms.ChoiceField(
        label="Échéance payée (facultatif)", required=False,
        help_text="Sans choix, Maillage retrouve l'échéance ouverte de ce montant exact.",
        error_messages={"invalid_choice": "Choisissez une échéance de la liste."})  # fmt: skip
    note = forms.CharField(label="Remarque (facultatif)", max_length=300, required=False,
                           error_messages={"max_length": "300 caractères au plus."})  # fmt: skip

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule_line"].choices = [("", "Retrouver l'échéance d'après le montant")] + [
            (_line_value(s.line), f"{payments.describe(s.line)} ({s.label.lower()})")
            for s in rows
        ]  # fmt: skip


@member_view(permissions.manage_contract)
def payment_add_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        return _no_contract(request, "Nouveau versement")
    if request.method == "POST" and request.POST.get("delete"):
        payment = get_by_public_id(Payment.objects.for_cpts(request.cpts), request.POST["delete"])
        payments.delete_payment(payment=payment, actor=request.user, request=request)
        messages.success(request, f"Versement « {payment.reference} » supprimé.")
        return redirect("reporting:payments", request.cpts.slug)
    rows = payments.statuses(contract)
    status = 200
    if request.method == "POST":
        form = PaymentForm(request.POST, rows=rows)
        if form.is_valid():
            data = form.cleaned_data
            chosen = {}
            if data["schedule_line"]:
                line = next(s.line for s in rows if _line_value(s.line) == data["schedule_line"])
                chosen = {"line": line.line, "due_on": line.date, "kind": line.kind}
            try:
                payment = payments.record_payment(
                    contract=contract, received_on=data["received_on"], amount=data["amount"],
                    reference=data["reference"], note=data["note"], actor=request.user,
                    request=request, **chosen)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, _renamed(exc))
            else:
                paid = next(
                    s.line
                    for s in rows
                    if s.line.key == (payment.due_on, payment.line, payment.kind)
                )
                messages.success(request, "Versement enregistré et rapproché de l'échéance "
                                          f"{payments.describe(paid)}.")  # fmt: skip
                return redirect("reporting:payments", request.cpts.slug)
        status = 400
    else:
        form = PaymentForm(rows=rows)
    return render(request, "reporting/funding/payment_form.html",
                  {"form": form, "contract": contract}, status=status)  # fmt: skip


def _renamed(exc: ValidationError) -> ValidationError:
    """The service names the schedule line `line`; the form, `schedule_line`."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({("schedule_line" if f == "line" else f): e
                            for f, e in exc.error_dict.items()})  # fmt: skip


# -- forecast ------------------------------------------------------------------------------

CHART_STYLE = Style(
    background="white", plot_background="white", foreground="#1b1b1b",
    foreground_strong="#1b1b1b", foreground_subtle="#6b6b6b",
    colors=("#000091", "#18753c", "#c9191e"), font_family="sans-serif", label_font_size=13,
    major_label_font_size=13, value_font_size=12, legend_font_size=13, title_font_size=16,
)  # fmt: skip
# pygal writes an inline <script> and credits itself in comments: both go (the page's
# Content-Security-Policy refuses inline scripts; the image is pure drawing).
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def forecast_chart(rows) -> str:
    """Expected, received and at risk per funding line, as an SVG data URI (shown in an
    <img>, so its own <style> does not meet the page's policy); the page's table beside it
    carries the same figures for screen readers and print."""
    chart = pygal.HorizontalBar(title="Année en cours, par ligne de financement (EUR)",
                                style=CHART_STYLE, js=[], disable_xml_declaration=True,
                                width=640, height=80 + 60 * max(1, len(rows)),
                                explicit_size=False, pretty_print=False,
                                legend_at_bottom=True)  # fmt: skip
    chart.x_labels = [r.label for r in rows]
    chart.add("Attendu", [float(r.expected) for r in rows])  # drawing only, never money
    chart.add("Reçu", [float(r.received) for r in rows])
    chart.add("À risque", [float(r.at_risk) for r in rows])
    svg = _COMMENT.sub("", _SCRIPT.sub("", chart.render(is_unicode=True))).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@member_view(permissions.see_contract)
def forecast_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        return _no_contract(request, "Prévisions")
    access.audit_read(request, "reporting.forecast")
    outlook = funding.forecast(contract)
    context = {"contract": contract, "forecast": outlook}
    if outlook is not None:
        context["chart"] = forecast_chart(outlook.missions)
        context["bounds"] = years.bounds(contract, outlook.year)
    return render(request, "reporting/funding/forecast.html", context)


# -- indicators ----------------------------------------------------------------------------

INDICATORS_CSV = ["mission", "code", "indicateur", "source", "valeur de référence",
                  "règle", "cible ou paliers", "valeur atteinte", "montant gagné (EUR)",
                  "montant maximum (EUR)", "prochaine étape"]  # fmt: skip


def rule_text(result) -> str:
    """ "≤ 50 : 9 000 EUR · ≤ 100 : 6 000 EUR" or "cible 80 (au prorata) : 10 000 EUR"."""
    rule = result.rule
    if rule is None:
        return "Pas de règle pour cette année"
    unit = result.indicator.unit
    if rule.rule == Rule.TIERS:
        sign = "≤" if result.indicator.direction == "lower" else "≥"
        return " · ".join(f"{sign} {funding.format_number(t, unit)} : {_money(a)}"
                          for t, a in result.tiers) or "Aucun palier"  # fmt: skip
    if rule.target is None:
        return "Cible non fixée"
    how = "au prorata" if rule.pro_rata else "tout ou rien"
    return (f"cible {funding.format_number(rule.target, unit)} ({how}) : "
            f"{_money(rule.amount or ZERO)}")  # fmt: skip


def next_step_text(result) -> str:
    step = result.outcome.next_step if result.outcome else None
    if step is None:
        return "Montant maximum atteint" if result.outcome else ""
    return funding.what_if_text(result.indicator, step.threshold, step.gain)


def value_text(result) -> str:
    if result.value is None:
        return result.missing or "—"
    return funding.format_number(result.value, result.indicator.unit)


def _year_param(request, contract):
    """(year, error): the contract year of ?annee=N, the current one by default."""
    raw = request.GET.get("annee", "").strip()
    if not raw:
        today_year = years.year_of(contract, _today())
        if today_year is None:
            today_year = 1 if _today() < contract.signed_on else contract.years
        return today_year, ""
    try:
        return years.check_year(contract, raw), ""
    except ValidationError as exc:
        return None, " ".join(exc.message_dict["year"])


def _today():
    from django.utils import timezone

    return timezone.localdate()


def indicator_rows(contract, year):
    from .. import achievement

    results = achievement.results(contract, year)
    by_mission: dict = {}
    for r in results:
        by_mission.setdefault(r.indicator.mission, []).append(r)
    return [{"mission": m, "label": missions.label(m.code), "results": rs}
            for m, rs in by_mission.items()]  # fmt: skip


def _indicators_csv(groups):
    for group in groups:
        for r in group["results"]:
            ind = r.indicator
            yield [group["label"], ind.code, ind.label, r.source_text or ind.get_source_display(),
                   ind.baseline, r.rule.get_rule_display() if r.rule else "", rule_text(r),
                   r.value, r.earned, r.maximum, next_step_text(r)]  # fmt: skip


@member_view(permissions.see_contract)
def indicators_view(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        return _no_contract(request, "Indicateurs du contrat")
    year, error = _year_param(request, contract)
    if error:
        return render(request, "reporting/funding/indicators.html", {
            "contract": contract, "error": error, "years": years.all_years(contract)},
            status=400)  # fmt: skip
    wants_csv = request.GET.get("format") == "csv"
    access.audit_read(request, "reporting.indicators", year=year,
                      **({"format": "csv"} if wants_csv else {}))  # fmt: skip
    groups = indicator_rows(contract, year)
    if wants_csv:
        return exports.csv_response(f"aci-indicateurs-annee-{year}.csv", INDICATORS_CSV,
                                    _indicators_csv(groups))  # fmt: skip
    can_manage = permissions.manage_contract(request.membership)
    for group in groups:
        group["total"] = sum((r.earned for r in group["results"]), ZERO)
        group["maximum"] = sum((r.maximum for r in group["results"]), ZERO)
        for r in group["results"]:
            r.rule_text, r.value_text, r.next_text = rule_text(r), value_text(r), next_step_text(r)
            r.figure_url = (reverse("reporting:indicator_figure",
                                    args=[request.cpts.slug, r.indicator.public_id])
                            if can_manage and r.indicator.source != IndicatorSource.COMPUTED
                            else "")  # fmt: skip
    start, end = years.bounds(contract, year)
    return render(request, "reporting/funding/indicators.html", {
        "contract": contract, "year": year, "years": years.all_years(contract),
        "groups": groups, "start": start, "end": end,
        "earned": sum((g["total"] for g in groups), ZERO),
        "maximum": sum((g["maximum"] for g in groups), ZERO),
    })  # fmt: skip


urls = [
    path("c/<slug:cpts_slug>/contrat/versements/", payments_view, name="payments"),
    path("c/<slug:cpts_slug>/contrat/versements/nouveau/", payment_add_view, name="payment_add"),
    path("c/<slug:cpts_slug>/contrat/previsions/", forecast_view, name="forecast"),
    path("c/<slug:cpts_slug>/contrat/indicateurs/", indicators_view, name="indicators"),
]
