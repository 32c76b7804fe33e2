from ninja import Router, Schema

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import ERRORS, CptsSlug

from .services import territory_communes, territory_summary

router = Router(tags=["territoire"])


class CommuneOut(Schema):
    code: str
    name: str
    population: int


class TerritoryOut(Schema):
    cpts: str
    population: int
    size_class: int
    communes: list[CommuneOut]


@router.get("/territory", response={200: TerritoryOut, **ERRORS},
            summary="Le territoire de la CPTS de l'appelant")  # fmt: skip
@api_permission(permissions.member)
def territory(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    summary = territory_summary(membership.cpts)
    communes = (
        territory_communes(membership.cpts).order_by("code").values("code", "name", "population")
    )
    return {
        "cpts": membership.cpts.slug,
        "population": summary.population,
        "size_class": summary.size_class,
        "communes": list(communes),
    }
