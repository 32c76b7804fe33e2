"""Directory pages (members and public), curation, local entries, and the diagnostic."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response, xlsx_response
from maillage.core.forms import errors_to_form
from maillage.core.models import Cpts

from . import diagnostic as diag
from . import services
from .forms import (
    DensityReferenceForm,
    DiagnosticForm,
    EntryForm,
    LocalFigureForm,
    LocalProfessionalForm,
    LocalStructureForm,
    PublicSearchForm,
    SearchForm,
    StructureCommuneForm,
    StructureEntryForm,
)
from .models import ImportRun, LocalFigure, PracticeSite, StructureEntry

PAGE_SIZE = 25
EXPORT_HEADER = [
    "Identifiant national", "Nom", "Prénom", "Profession", "Spécialité", "Commune",
    "Adresse", "Téléphone", "E-mail", "Statut CPTS", "Nouveaux patients", "SNP",
    "Visites à domicile", "Langues", "Compétences",
]  # fmt: skip


def _code(commune) -> str:
    """The INSEE code of a commune field's value (the field takes names), "" for none."""
    return commune.code if commune else ""


def _filters(form) -> services.ProfessionalFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return services.ProfessionalFilters(
        q=data.get("q", ""),
        profession_code=data.get("profession_code", ""),
        skill=data.get("skill", ""),
        commune=_code(data.get("commune")),
        accepts_new_patients=data.get("accepts_new_patients"),
        membership_status=data.get("membership_status", ""),
    )


def _markers(professionals) -> str:
    """Map markers of a page of results; `<` escaped for a <script> element."""
    points = []
    for p in professionals:
        for site in p.sites.all():
            if site.latitude is not None:
                points.append({
                    "lat": site.latitude, "lon": site.longitude,
                    "label": f"{p.first_name} {p.last_name} ({p.profession})",
                    "url": str(p.public_id),
                })  # fmt: skip
    return json.dumps(points, ensure_ascii=False).replace("<", "\\u003c")


def _outline(cpts) -> str:
    from maillage.territory.services import territory_communes
    from maillage.territory.views import feature_collection

    return feature_collection(
        territory_communes(cpts).only("code", "name", "population", "geometry")
    )


def _entry(professional):
    entries = getattr(professional, "cpts_entries", None)
    return entries[0] if entries else None


@member_view(permissions.member)
def directory_view(request):
    form = SearchForm(request.GET or None)
    results = services.search_professionals(request.cpts, _filters(form))
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "page": page,
            "rows": [(p, _entry(p)) for p in page],
            "markers": _markers(page),
            "outline": _outline(request.cpts),
            "query": query.urlencode(),
            "can_edit": permissions.manage_territory(request.membership),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _export_rows(professionals):
    for p in professionals:
        entry = _entry(p)
        site = next(iter(p.sites.all()), None)
        yield [
            p.national_id, p.last_name, p.first_name, p.profession, p.specialty,
            site.commune_code if site else "", site.address if site else "",
            (entry.phone if entry and entry.phone else site.phone if site else ""),
            (entry.email if entry and entry.email else site.email if site else ""),
            entry.get_membership_status_display() if entry else "Non-membre",
            "oui" if entry and entry.accepts_new_patients else "non",
            "oui" if entry and entry.takes_part_snp else "non",
            "oui" if entry and entry.home_visits else "non",
            entry.languages if entry else "", entry.skills if entry else "",
        ]  # fmt: skip


@member_view(permissions.member)
def export_view(request, fmt):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    form = SearchForm(request.GET or None)
    results = services.search_professionals(request.cpts, _filters(form))
    audit.record(
        action="directory.export",
        actor=request.user,
        cpts=request.cpts,
        request=request,
        detail={"format": fmt, "filters": dict(request.GET.items())},
    )
    name = f"annuaire-{request.cpts.slug}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(name, EXPORT_HEADER, _export_rows(results), "Annuaire")
    return csv_response(name, EXPORT_HEADER, _export_rows(results))


def _professional_or_404(cpts, public_id, *, national_only=False):
    queryset = services.professionals_for(
        cpts, include_inactive=True, national_only=national_only
    ).prefetch_related(Prefetch("sites", PracticeSite.objects.select_related("commune")))
    return get_by_public_id(queryset, public_id)


@member_view(permissions.member)
@require_http_methods(["GET", "POST"])
def professional_view(request, public_id):
    professional = _professional_or_404(request.cpts, public_id)
    entry = services.entry_for(request.cpts, professional)
    can_edit = permissions.manage_territory(request.membership)
    form = EntryForm(request.POST or None, instance=entry) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            services.directory_entry_update(
                cpts=request.cpts, professional=professional, actor=request.user,
                data=form.cleaned_data, request=request,
            )  # fmt: skip
            messages.success(request, "Fiche mise à jour.")
            return redirect("directory:professional", request.cpts.slug, professional.public_id)
    return render(
        request,
        "directory/professional.html",
        {
            "professional": professional,
            "entry": entry,
            "form": form,
            "markers": _markers([professional]),
            "outline": _outline(request.cpts),
        },
        status=400 if form is not None and form.errors else 200,
    )


@member_view(permissions.manage_territory)
@require_http_methods(["GET", "POST"])
def local_professional_view(request):
    form = LocalProfessionalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            professional = services.local_professional_create(
                cpts=request.cpts, actor=request.user, last_name=data["last_name"],
                first_name=data["first_name"], profession=data["profession"],
                commune_code=data["commune"].code, address=data["address"], phone=data["phone"],
                email=data["email"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Professionnel ajouté à l'annuaire de la CPTS.")
            return redirect("directory:professional", request.cpts.slug, professional.public_id)
    return render(request, "directory/local_form.html",
                  {"form": form, "title": "Ajouter un professionnel absent du RPPS"},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.member)
def structures_view(request):
    q = request.GET.get("q", "")
    category = request.GET.get("categorie", "")
    commune_form = StructureCommuneForm(request.GET or None)
    commune = _code(commune_form.cleaned_data.get("commune")) if commune_form.is_valid() else ""
    structures = services.structures_for(request.cpts, q=q, category_code=category,
                                         commune=commune)  # fmt: skip
    if request.GET.get("format") in {"csv", "xlsx"}:
        header = ["FINESS", "Nom", "Catégorie", "Adresse", "Commune", "Téléphone"]
        rows = ([s.finess, s.name, s.category, s.address, s.commune_code, s.phone]
                for s in structures)  # fmt: skip
        name = f"structures-{request.cpts.slug}.{request.GET['format']}"
        if request.GET["format"] == "xlsx":
            return xlsx_response(name, header, rows, "Structures")
        return csv_response(name, header, rows)
    page = Paginator(structures, PAGE_SIZE).get_page(request.GET.get("page"))
    points = [
        {"lat": s.latitude, "lon": s.longitude, "label": s.name, "url": str(s.public_id)}
        for s in page if s.latitude is not None
    ]  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "directory/structures.html", {
        "page": page, "q": q, "categorie": category, "commune_form": commune_form,
        "markers": json.dumps(points, ensure_ascii=False).replace("<", "\\u003c"),
        "outline": _outline(request.cpts),
        "query": query.urlencode(),
        "can_edit": permissions.manage_territory(request.membership),
    })  # fmt: skip


@member_view(permissions.member)
@require_http_methods(["GET", "POST"])
def structure_view(request, public_id):
    structure = get_by_public_id(services.structures_for(request.cpts), public_id)
    entry = StructureEntry.objects.filter(cpts=request.cpts, structure=structure).first()
    can_edit = permissions.manage_territory(request.membership)
    form = StructureEntryForm(request.POST or None, instance=entry) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            services.structure_entry_update(
                cpts=request.cpts, structure=structure, actor=request.user,
                data=form.cleaned_data, request=request,
            )  # fmt: skip
            messages.success(request, "Fiche mise à jour.")
            return redirect("directory:structure", request.cpts.slug, structure.public_id)
    professionals = (
        services.professionals_for(request.cpts).filter(sites__finess=structure.finess).distinct()
        if structure.finess and not structure.finess.startswith("L")
        else []
    )
    return render(request, "directory/structure.html", {
        "structure": structure, "entry": entry, "form": form,
        "professionals": professionals,
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_territory)
@require_http_methods(["GET", "POST"])
def local_structure_view(request):
    form = LocalStructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            structure = services.local_structure_create(
                cpts=request.cpts, actor=request.user, name=data["name"],
                category=data["category"], commune_code=data["commune"].code,
                address=data["address"], phone=data["phone"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Structure ajoutée à l'annuaire de la CPTS.")
            return redirect("directory:structure", request.cpts.slug, structure.public_id)
    return render(request, "directory/local_form.html",
                  {"form": form, "title": "Ajouter une structure absente du FINESS"},
                  status=400 if form.errors else 200)  # fmt: skip


# Public directory --------------------------------------------------------------------


def _public_cpts(slug):
    return get_object_or_404(Cpts.objects.active(), slug=slug)


def public_directory_view(request, cpts_slug):
    cpts = _public_cpts(cpts_slug)
    form = PublicSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = services.ProfessionalFilters(
        q=data.get("q", ""), profession_code=data.get("profession_code", ""),
        commune=_code(data.get("commune")),
    )  # fmt: skip
    results = services.search_professionals(cpts, filters, with_entries=False,
                                            national_only=True)  # fmt: skip
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "directory/public.html", {
        "cpts": cpts, "form": form, "page": page, "markers": _markers(page),
        "outline": _outline(cpts), "query": query.urlencode(),
    })  # fmt: skip


def public_professional_view(request, cpts_slug, public_id):
    cpts = _public_cpts(cpts_slug)
    professional = _professional_or_404(cpts, public_id, national_only=True)
    if not professional.active:
        raise Http404
    return render(request, "directory/public_professional.html", {
        "cpts": cpts, "professional": professional, "markers": _markers([professional]),
        "outline": _outline(cpts),
    })  # fmt: skip


# Diagnostic ----------------------------------------------------------------------------


def _choropleth(result, communes_geo, group: str, reference: float | None) -> str:
    """Communes coloured by the density of one profession against a reference (national
    density when known, else the territory's own)."""
    features = []
    for row in result.communes:
        geometry = communes_geo.get(row.code) or "null"
        properties = json.dumps({
            "code": row.code, "name": row.name, "population": row.population,
            "count": row.counts.get(group, 0), "density": row.density(group),
            "reference": reference, "nearest": row.nearest_gp_km,
        })  # fmt: skip
        features.append(f'{{"type":"Feature","properties":{properties},"geometry":{geometry}}}')
    text = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return text.replace("<", "\\u003c")


@member_view(permissions.member)
def diagnostic_view(request):
    return _diagnostic_page(request)


def _diagnostic_page(request, *, reference_form=None, figure_form=None, status=200):
    """The diagnostic; a coordinator's form just posted with errors is shown bound, at 400."""
    from maillage.territory.services import territory_communes

    form = DiagnosticForm(request.GET or None)
    km = float(form.cleaned_data.get("km") or 10) if form.is_valid() else 10.0
    result = diag.build_diagnostic(request.cpts, far_km=km)
    if request.method == "GET" and request.GET.get("format") == "csv":
        groups = [p.group for p in result.professions]
        header = ["Code INSEE", "Commune", "Population", "Médecin généraliste le plus proche (km)"]
        for p in result.professions:
            header += [f"{p.label} (effectif)", f"{p.label} (densité /10 000)"]
        rows = [["", "Territoire", result.population, ""]
                + [x for p in result.professions for x in (p.count, p.density)]]  # fmt: skip
        for c in result.communes:
            rows.append(
                [c.code, c.name, c.population, c.nearest_gp_km]
                + [x for g in groups for x in (c.counts.get(g, 0), c.density(g))]
            )
        return csv_response(f"diagnostic-{request.cpts.slug}.csv", header, rows)
    geo = dict(territory_communes(request.cpts).values_list("code", "geometry"))
    can_edit = permissions.manage_territory(request.membership)
    rows = {p.group: p for p in result.professions}
    group = request.GET.get("profession", diag.GP_GROUP)
    if group not in rows:
        group = diag.GP_GROUP
    selected = rows[group]
    reference = selected.national_density or selected.density
    if form.is_bound and not form.is_valid():
        status = 400
    return render(request, "directory/diagnostic.html", {
        "result": result, "form": form,
        "choropleth": _choropleth(result, geo, group, reference),
        "selected": selected, "reference": reference,
        "imports": ImportRun.objects.filter(cpts=request.cpts)[:5] if can_edit else [],
        "can_edit": can_edit,
        "reference_form": (reference_form or DensityReferenceForm()) if can_edit else None,
        "figure_form": (figure_form or LocalFigureForm()) if can_edit else None,
        "figures": LocalFigure.objects.filter(cpts=request.cpts).select_related("commune"),
        "gp_group": diag.GP_GROUP,
        "group": group,
    }, status=status)  # fmt: skip


@member_view(permissions.manage_territory)
@require_POST
def density_reference_view(request):
    form = DensityReferenceForm(request.POST)
    if not form.is_valid():
        return _diagnostic_page(request, reference_form=form, status=400)
    diag.set_density_reference(
        cpts=request.cpts, profession_code=form.cleaned_data["profession_code"],
        value=form.cleaned_data["density"], actor=request.user,
    )  # fmt: skip
    audit.record(
        action="diagnostic.reference",
        actor=request.user,
        cpts=request.cpts,
        request=request,
        detail={k: str(v) for k, v in form.cleaned_data.items()},
    )
    messages.success(request, "Densité de référence enregistrée.")
    return redirect("directory:diagnostic", request.cpts.slug)


@member_view(permissions.manage_territory)
@require_POST
def local_figure_view(request):
    form = LocalFigureForm(request.POST)
    if form.is_valid():
        try:
            diag.set_local_figure(cpts=request.cpts, actor=request.user,
                                  **{**form.cleaned_data,
                                     "commune": _code(form.cleaned_data["commune"])})  # fmt: skip
        except ValidationError as exc:
            # The only refusal is about the commune (outside the territory).
            errors_to_form(form, exc if hasattr(exc, "error_dict")
                           else ValidationError({"commune": exc.messages}))  # fmt: skip
        else:
            audit.record(
                action="diagnostic.local_figure",
                actor=request.user,
                cpts=request.cpts,
                request=request,
                detail={k: str(v) for k, v in form.cleaned_data.items()},
            )
            messages.success(request, "Chiffre local enregistré.")
            return redirect("directory:diagnostic", request.cpts.slug)
    return _diagnostic_page(request, figure_form=form, status=400)


@member_view(permissions.member)
def member_suggestions_view(request):
    """The listbox of a member picker (pickers.MemberPickerInput): members of the caller's
    CPTS matching what was typed (names and e-mails, which every member may see)."""
    from .pickers import SCOPES, member_label, search_members

    scope = SCOPES.get(request.GET.get("scope", ""), SCOPES["professionals"])
    field = request.GET.get("field", "q")[:50]
    typed = request.GET.get(field) or request.GET.get("q", "")
    matches = search_members(scope(request.cpts), typed)
    return render(request, "directory/_member_options.html",
                  {"options": [(member_label(m), m) for m in matches]})  # fmt: skip
