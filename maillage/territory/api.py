from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from ninja import Router, Schema, Status

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import ERRORS, CptsSlug, ErrorOut, text
from maillage.core.http import client_ip

from .communes import MAX_INPUT, departement_code, search_communes
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


# Public commune search ------------------------------------------------------------------

# Typing a name asks a few times a second: enough for people, a wall for a crawler of the
# whole registry. Counted per client address in the shared cache (settings.CACHES).
COMMUNE_SEARCH_RATE = "120/m"


class CommuneFound(Schema):
    code: str
    name: str
    postal_codes: list[str]
    departement: str


def _client_key(group, request) -> str:
    return client_ip(request) or "unknown"


def commune_search_limited(request, group: str) -> bool:
    return is_ratelimited(request, group=group, key=_client_key, rate=COMMUNE_SEARCH_RATE,
                          method=ALL, increment=True)  # fmt: skip


@router.get(
    "/communes", auth=None,
    # 400: a NUL character (core.middleware), 422: `q` too long, 429: too many searches.
    response={200: list[CommuneFound], 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Chercher une commune par son nom, son code postal ou son code INSEE (public)",
    description="Au plus 20 communes, le nom exact d'abord, puis les noms qui commencent par "
    "la saisie, puis les plus peuplées. Casse, accents et « St » ignorés. Sans "
    "authentification ; limité à 120 recherches par minute et par adresse (429 au-delà).",
)
@api_permission(permissions.search_communes)
def communes(request, q: text(MAX_INPUT) = ""):
    if commune_search_limited(request, "territory.api_communes"):
        return Status(429, {"detail": "Trop de recherches : réessayez dans une minute.",
                            "errors": []})  # fmt: skip
    return [
        {"code": c.code, "name": c.name, "postal_codes": c.postal_codes.split(),
         "departement": departement_code(c)}
        for c in search_communes(q)
    ]  # fmt: skip
