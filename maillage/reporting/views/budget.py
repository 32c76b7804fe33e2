"""Pages of the contract: budget per mission (spending against the funding received),
the entry of one expense, the import of the accounting's CSV (preview, then confirm),
the CSV export."""

import base64
import re

import pygal
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pygal.style import Style

from maillage.core import exports, permissions
from maillage.core.access import member_view
from maillage.core.forms import errors_to_form

from .. import access, budget, years
from ..models import FUNDING_LINES

SESSION_KEY = "reporting.budget_import"
MAX_YEAR = 2100


class SpendingForm(forms.Form):
    spent_on = forms.CharField(label="Date", max_length=20,
                               help_text="Ex. : 31/12/2027.",
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                               error_messages={"required": "Indiquez la date."})  # fmt: skip
    line = forms.ChoiceField(label="Mission", choices=FUNDING_LINES,
                             error_messages={"required": "Choisissez la mission.",
                                             "invalid_choice": "Choisissez une mission de la "
                                                               "liste."})  # fmt: skip
    label = forms.CharField(label="Libellé", max_length=budget.MAX_LABEL, strip=False,
                            error_messages={"required": "Indiquez un libellé.",
                                            "max_length": "Libellé trop long : 300 caractères "
                                                          "au plus."})  # fmt: skip
    amount = forms.CharField(label="Montant (euros)", max_length=30,
                             help_text="Ex. : 1 234,56.",
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                             error_messages={"required": "Indiquez un montant."})  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier CSV de la comptabilité",
        help_text="Colonnes date;libellé;mission;montant (séparateur point-virgule ou "
                  "virgule) ; 5 000 lignes et 2 Mo au plus.",
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide.",
                        "invalid": "Fichier illisible : choisissez-le de nouveau."},
    )  # fmt: skip


def _year(request, contract) -> int:
    raw = request.GET.get("annee") or request.POST.get("annee")
    today = timezone.localdate()
    if contract is not None:
        if raw in (None, ""):
            current = years.year_of(contract, today)
            if current is not None:
                return current
            return contract.years if today > contract.signed_on else 1
        return years.check_year(contract, raw)
    if raw in (None, ""):
        return today.year
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"year": "L'année est un nombre (ex. : 2027)."}) from None
    if not budget.EARLIEST.year <= value <= MAX_YEAR:
        raise ValidationError({"year": f"Année entre {budget.EARLIEST.year} et {MAX_YEAR}."})
    return value


STYLE = Style(background="white", plot_background="white", foreground="#1b1b1b",
              foreground_strong="#1b1b1b", foreground_subtle="#6b6b6b",
              colors=("#000091", "#c9191e"), font_family="sans-serif", label_font_size=13,
              major_label_font_size=13, value_font_size=12, legend_font_size=13,
              title_font_size=16)  # fmt: skip
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def chart_uri(lines) -> str:
    """Received and spent per line, as an inert SVG image (no script: the page's CSP)."""
    chart = pygal.Bar(title="Reçu et dépensé par mission (euros)", style=STYLE, js=[],
                      disable_xml_declaration=True, width=640, height=320,
                      explicit_size=False, pretty_print=False, x_label_rotation=20,
                      legend_at_bottom=True)  # fmt: skip
    chart.x_labels = [line.label.split(" (")[0] for line in lines]
    chart.add("Reçu", [float(line.received) for line in lines])
    chart.add("Dépensé", [float(line.spent) for line in lines])
    svg = _COMMENT.sub("", _SCRIPT.sub("", chart.render(is_unicode=True))).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _page(request, *, form=None, status=200):
    contract = access.contract_of(request.cpts)
    try:
        year = _year(request, contract)
    except ValidationError as exc:
        return render(request, "reporting/budget/index.html",
                      {"error": " ".join(exc.messages)}, status=400)  # fmt: skip
    span = budget.period(contract, year)
    lines = budget.totals(request.cpts, contract, span)
    rows = list(budget.spending(request.cpts, span))
    if request.GET.get("format") == "csv":
        labels = dict(FUNDING_LINES)
        return exports.csv_response(
            f"depenses-{span[0]:%Y%m%d}-{span[1]:%Y%m%d}.csv",
            ["date", "libellé", "mission", "montant", "origine"],
            [(r.spent_on.strftime("%d/%m/%Y"), r.label, labels.get(r.line, r.line), r.amount,
              r.source) for r in rows])  # fmt: skip
    can_manage = permissions.manage_budget(request.membership)
    context = {
        "contract": contract, "year": year, "span": span, "lines": lines, "rows": rows,
        "years": years.all_years(contract) if contract else None,
        "total_received": sum((line.received for line in lines), start=0),
        "total_spent": sum((line.spent for line in lines), start=0),
        "chart": chart_uri(lines) if lines else "", "can_manage": can_manage,
        "form": (form or SpendingForm()) if can_manage else None,
    }  # fmt: skip
    context["total_balance"] = context["total_received"] - context["total_spent"]
    return render(request, "reporting/budget/index.html", context, status=status)


@member_view(permissions.see_budget)
def budget_view(request):
    return _page(request)


@member_view(permissions.manage_budget)
@require_POST
def budget_add_view(request):
    form = SpendingForm(request.POST)
    if form.is_valid():
        try:
            row = budget.record_spending(cpts=request.cpts, actor=request.user, request=request,
                                         **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Dépense enregistrée : {row.label}.")
            # Back to the year shown, when the form carried a year number: any other
            # text (100 000 characters) would make an unsafe redirect, a 500 after the write.
            shown = request.POST.get("annee", "").strip()
            back = reverse("reporting:budget", args=[request.cpts.slug])
            plain = shown.isascii() and shown.isdigit() and len(shown) <= 2
            return redirect(back + f"?annee={shown}" if plain else back)
    return _page(request, form=form, status=400)


@member_view(permissions.manage_budget)
def budget_import_view(request):
    """GET: the form. POST with a file: the preview (nothing written). POST "confirmer":
    the rows previewed, all written or none."""
    form = ImportForm()
    if request.method == "POST" and request.POST.get("confirmer"):
        pending = request.session.get(SESSION_KEY)
        if not pending:
            return render(
                request,
                "reporting/budget/import.html",
                {"form": form, "errors": ["L'aperçu a expiré : déposez le fichier de nouveau."]},
                status=400,
            )
        try:
            created = budget.import_spending(cpts=request.cpts, text=pending["text"],
                                             file_name=pending["name"], actor=request.user,
                                             request=request)  # fmt: skip
        except ValidationError as exc:
            del request.session[SESSION_KEY]
            return render(request, "reporting/budget/import.html",
                          {"form": form, "errors": exc.messages}, status=400)  # fmt: skip
        del request.session[SESSION_KEY]
        messages.success(request, f"{len(created)} dépense(s) importée(s).")
        return redirect("reporting:budget", request.cpts.slug)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > budget.MAX_BYTES:
                    raise ValidationError({"file": "Fichier trop lourd : 2 Mo au plus."})
                text = budget.decode(upload.read(budget.MAX_BYTES + 1))
                rows = budget.parse_csv(text)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                name = budget.file_label(upload.name)
                request.session[SESSION_KEY] = {"name": name, "text": text}
                labels = dict(FUNDING_LINES)
                for row in rows:
                    row.line_label = labels.get(row.line, row.line)
                return render(request, "reporting/budget/import.html",
                              {"form": None, "rows": rows, "name": name,
                               "total": sum(r.amount for r in rows)})  # fmt: skip
        return render(request, "reporting/budget/import.html", {"form": form}, status=400)
    return render(request, "reporting/budget/import.html", {"form": form})


urls = [
    path("c/<slug:cpts_slug>/contrat/budget/", budget_view, name="budget"),
    path("c/<slug:cpts_slug>/contrat/budget/depense/", budget_add_view, name="budget_add"),
    path("c/<slug:cpts_slug>/contrat/budget/import/", budget_import_view, name="budget_import"),
]
