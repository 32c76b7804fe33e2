"""The territory page: map, figures, ACI size class and deadlines, and its editing."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from maillage.core import audit, permissions
from maillage.core.access import member_view
from maillage.core.text import plural_s

from . import aci, services
from .api import commune_search_limited
from .fields import suggestions
from .forms import (
    AddCommunesForm,
    AddEpciForm,
    ContractForm,
    CptsIdentityForm,
    RemoveCommunesForm,
)
from .models import TerritoryChange


def feature_collection(communes) -> str:
    """GeoJSON text built from the stored (already simplified) geometries, without
    parsing them again. `<` is escaped so the text can sit inside a <script> element."""
    features = []
    for c in communes:
        properties = json.dumps({"code": c.code, "name": c.name, "population": c.population})
        geometry = c.geometry or "null"
        features.append(f'{{"type":"Feature","properties":{properties},"geometry":{geometry}}}')
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").replace(
        "<", "\\u003c"
    )


def _context(request, **forms):
    cpts = request.cpts
    communes = list(services.territory_communes(cpts).select_related("epci").order_by("name"))
    population = sum(c.population for c in communes)
    today = timezone.localdate()
    deadlines = aci.mission_deadlines(cpts.aci_signed_on)
    return {
        "communes": communes,
        "population": population,
        "size_class": aci.size_class(population),
        "deadlines": [(d, d.state(today)) for d in deadlines],
        # The mission dashboard of the contract (reporting, downstream: named by URL only).
        "can_follow_missions": permissions.see_contract(request.membership),
        "geojson": mark_safe(feature_collection(communes)),  # noqa: S308 (escaped above)
        "can_edit": permissions.manage_territory(request.membership),
        "add_form": forms.get("add_form") or AddCommunesForm(),
        "epci_form": forms.get("epci_form") or AddEpciForm(),
        "remove_form": forms.get("remove_form") or RemoveCommunesForm(),
        "contract_form": forms.get("contract_form")
        or ContractForm(initial={"aci_signed_on": cpts.aci_signed_on}),
        "identity_form": forms.get("identity_form")
        or CptsIdentityForm(initial={"finess": cpts.finess, "phone": cpts.phone}),
        "recent_changes": TerritoryChange.objects.filter(cpts=cpts).select_related("actor")[:5],
    }


def _render(request, status=200, **forms):
    template = "territory/_panel.html" if request.htmx else "territory/territory.html"
    return render(request, template, _context(request, **forms), status=status)


@member_view(permissions.member)
def territory_view(request):
    return _render(request)


@member_view(permissions.member)
def geojson_view(request):
    communes = services.territory_communes(request.cpts).order_by("code")
    return HttpResponse(feature_collection(communes), content_type="application/geo+json")


def _apply(request, form_name, form, change):
    """Run a territory change; on a domain error, show it next to the form's field."""
    if not form.is_valid():
        return _render(request, status=400, **{form_name: form})
    try:
        result = change(form.cleaned_data)
    except ValidationError as exc:
        field = next(iter(form.fields))
        for message in exc.messages:
            form.add_error(field, message)
        return _render(request, status=400, **{form_name: form})
    verb = "ajoutée(s)" if result.action == TerritoryChange.Action.ADD else "retirée(s)"
    messages.success(
        request,
        f"{len(result.communes)} commune(s) {verb}. Population : "
        f"{result.population_before:,} → {result.population_after:,} "
        f"habitant{plural_s(result.population_after)}.".replace(
            ",", "\u202f"
        ),
    )
    if request.htmx:
        return _render(request)
    return redirect("territory:territory", cpts_slug=request.cpts.slug)


@member_view(permissions.manage_territory)
@require_POST
def add_view(request):
    return _apply(
        request,
        "add_form",
        AddCommunesForm(request.POST),
        lambda data: services.territory_add_communes(
            cpts=request.cpts,
            communes=services.resolve_communes(data["communes"]),
            actor=request.user,
            reason=data["reason"],
            request=request,
        ),
    )


@member_view(permissions.manage_territory)
@require_POST
def add_epci_view(request):
    return _apply(
        request,
        "epci_form",
        AddEpciForm(request.POST),
        lambda data: services.territory_add_epci(
            cpts=request.cpts,
            epci=services.resolve_epci(data["epci"]),
            actor=request.user,
            reason=data["reason"],
            request=request,
        ),
    )


@member_view(permissions.manage_territory)
@require_POST
def remove_view(request):
    return _apply(
        request,
        "remove_form",
        RemoveCommunesForm(request.POST),
        lambda data: services.territory_remove_communes(
            cpts=request.cpts,
            communes=services.resolve_communes(data["communes"], include_archived=True),
            actor=request.user,
            reason=data["reason"],
            request=request,
        ),
    )


@member_view(permissions.manage_territory)
@require_POST
def contract_view(request):
    form = ContractForm(request.POST)
    if not form.is_valid():
        return _render(request, status=400, contract_form=form)
    cpts = request.cpts
    previous = cpts.aci_signed_on
    cpts.aci_signed_on = form.cleaned_data["aci_signed_on"]
    cpts.save(update_fields=["aci_signed_on"])
    audit.record(
        action="cpts.contract_date",
        actor=request.user,
        cpts=cpts,
        obj=cpts,
        request=request,
        detail={"before": str(previous or ""), "after": str(cpts.aci_signed_on)},
    )
    messages.success(request, "Date de signature enregistrée : échéances recalculées.")
    return redirect("territory:territory", cpts_slug=cpts.slug)


@member_view(permissions.manage_territory)
@require_POST
def identity_view(request):
    """The CPTS's FINESS and phone, sent to the SAS in its Organization resource."""
    form = CptsIdentityForm(request.POST)
    if not form.is_valid():
        return _render(request, status=400, identity_form=form)
    cpts = request.cpts
    before = {"finess": cpts.finess, "phone": cpts.phone}
    cpts.finess = form.cleaned_data["finess"]
    cpts.phone = form.cleaned_data["phone"]
    cpts.save(update_fields=["finess", "phone"])
    audit.record(
        action="cpts.identity",
        actor=request.user,
        cpts=cpts,
        obj=cpts,
        request=request,
        detail={"before": before, "after": {"finess": cpts.finess, "phone": cpts.phone}},
    )
    messages.success(request, "Numéro FINESS et téléphone de la CPTS enregistrés.")
    return redirect("territory:territory", cpts_slug=cpts.slug)


@member_view(permissions.member)
def history_view(request):
    changes = TerritoryChange.objects.filter(cpts=request.cpts).select_related("actor")[:200]
    return render(request, "territory/history.html", {"changes": changes})


def commune_suggestions_view(request):
    """The listbox of a commune field (fields.CommuneInput): public, as the médecin-traitant
    form and the public directory use it, and rate-limited as the API's search is.

    The field's input sends its own name and value; `field` says which parameter holds
    the text, `multiple=1` that only the last comma-separated item is looked up."""
    if commune_search_limited(request, "territory.commune_suggestions"):
        return HttpResponse("", status=429)
    field = request.GET.get("field", "q")[:50]
    typed = request.GET.get(field) or request.GET.get("q", "")
    options = suggestions(typed, multiple=request.GET.get("multiple") == "1")
    return render(request, "territory/_commune_options.html", {"options": options})
