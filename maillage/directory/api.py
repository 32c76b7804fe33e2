"""Directory API: professionals, structures and the territorial diagnostic of the
caller's CPTS."""

import math
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import ERRORS, CptsSlug, choice, model_text, text
from maillage.territory.communes import INSEE_CODE_LENGTH

from . import diagnostic as diag
from . import services
from .forms import SearchForm
from .models import PROFESSIONS, Structure

# The search form's limits: the API filters as the directory page does.
SearchText = text(SearchForm.base_fields["q"].max_length)
CommuneCode = text(INSEE_CODE_LENGTH)
# "" is every profession, as in the form's list.
ProfessionFilter = choice(["", *PROFESSIONS])

router = Router(tags=["annuaire"])


class SiteOut(Schema):
    commune_code: str
    latitude: float | None
    longitude: float | None


class ProfessionalOut(Schema):
    id: str
    national_id: str
    last_name: str
    first_name: str
    profession_code: str
    profession: str
    sites: list[SiteOut]

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_sites(obj):
        return list(obj.sites.all())


class ProfessionalQuery(Schema):
    q: SearchText = ""
    profession_code: ProfessionFilter = ""
    commune: CommuneCode = ""
    skill: text(SearchForm.base_fields["skill"].max_length) = ""
    accepts_new_patients: bool | None = None
    cpts: CptsSlug | None = None


class Page(PageNumberPagination):
    """`{"count", "results"}` with `?page=` (50 per page)."""

    class Output(Schema):
        count: int
        results: list

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        # A page past the last one is empty: never sliced, as an offset past what the
        # database's 64-bit integers hold (?page=99999999999999999999) is an error there.
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        items = queryset[offset : offset + page_size] if offset < count else []
        return {self.items_attribute: items, "count": count}


@router.get("/professionals", response={200: list[ProfessionalOut], **ERRORS},
            summary="Professionnels")  # fmt: skip
@paginate(Page, page_size=50)
@api_permission(permissions.member)
def professionals(request, filters: Query[ProfessionalQuery]):
    membership = api_membership(request, filters.cpts)
    return services.search_professionals(
        membership.cpts,
        services.ProfessionalFilters(
            q=filters.q, profession_code=filters.profession_code, commune=filters.commune,
            skill=filters.skill, accepts_new_patients=filters.accepts_new_patients,
        ),
        with_entries=False,
    )  # fmt: skip


class StructureOut(Schema):
    id: str
    finess: str
    name: str
    category_code: str
    category: str
    commune_code: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)


@router.get("/structures", response={200: list[StructureOut], **ERRORS},
            summary="Structures (FINESS)")  # fmt: skip
@paginate(Page, page_size=50)
@api_permission(permissions.member)
def structures(request, q: SearchText = "",
               category_code: model_text(Structure, "category_code") = "",
               commune: CommuneCode = "", cpts: CptsSlug | None = None):  # fmt: skip
    membership = api_membership(request, cpts)
    return services.structures_for(membership.cpts, q=q, category_code=category_code,
                                   commune=commune)  # fmt: skip


class ProfessionDensityOut(Schema):
    group: str
    label: str
    count: int
    density: float | None
    national_density: float | None


class CommuneDiagnosticOut(Schema):
    code: str
    name: str
    population: int
    general_practitioners: int
    nearest_gp_km: float | None


class DiagnosticOut(Schema):
    cpts: str
    population: int
    professions: list[ProfessionDensityOut]
    communes: list[CommuneDiagnosticOut]
    communes_without_gp: list[str]
    far_km: float
    far_population: int


@router.get("/diagnostic", response={200: DiagnosticOut, **ERRORS},
            summary="Diagnostic territorial")  # fmt: skip
@api_permission(permissions.member)
def diagnostic(request, far_km: Annotated[float, Field(gt=0, le=500)] = 10.0,
               cpts: CptsSlug | None = None):  # fmt: skip
    if not math.isfinite(far_km) or not 0 < far_km <= 500:
        raise ValidationError({"far_km": "Distance en km attendue, entre 0 et 500."})
    membership = api_membership(request, cpts)
    result = diag.build_diagnostic(membership.cpts, far_km=far_km)
    return {
        "cpts": membership.cpts.slug,
        "population": result.population,
        "professions": [p.__dict__ for p in result.professions],
        "communes": [
            {
                "code": c.code,
                "name": c.name,
                "population": c.population,
                "general_practitioners": c.counts.get(diag.GP_GROUP, 0),
                "nearest_gp_km": c.nearest_gp_km,
            }
            for c in result.communes
        ],  # fmt: skip
        "communes_without_gp": [c.code for c in result.communes_without_gp],
        "far_km": result.far_km,
        "far_population": result.far_population,
    }
