"""The FHIR endpoints the SAS calls (INT_R01 / INT_R04 slot search).

In production the SAS authenticates by mutual TLS (IGC-Santé certificates), terminated
in front of the application. Here the caller presents the API bearer token of a member
with the role regulator or coordinator; the answer covers that member's CPTS only.
Every answer, errors included, is FHIR JSON: an OperationOutcome explains a refusal.
"""

import json

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt

from maillage.core import permissions
from maillage.core.api import BearerToken
from maillage.core.models import Membership

from . import fhir

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir_response(payload: dict | str, status: int = 200) -> HttpResponse:
    """A FHIR resource, as plain dicts (one compact json.dumps) or as JSON text."""
    if not isinstance(payload, str):
        payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(payload.encode(), status=status, content_type=FHIR_JSON)


def outcome_response(status: int, code: str, diagnostics: str) -> HttpResponse:
    return fhir_response(fhir.operation_outcome([(code, diagnostics)]), status=status)


def _caller_cpts(request):
    """(user, the CPTS the caller may search) or a ready error response."""
    user = BearerToken()(request)
    if user is None:
        response = outcome_response(401, "login", "Authentification requise : jeton "
                                                  "d'API (Authorization: Bearer …) absent, "
                                                  "invalide ou révoqué.")  # fmt: skip
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
        return None, response
    cptses = [
        membership.cpts
        for membership in Membership.objects.active()
        .filter(user=user).with_permission(permissions.search_sas_slots)
        .select_related("cpts")
    ]  # fmt: skip
    if not cptses:
        return None, outcome_response(403, "forbidden", "Recherche de créneaux réservée à la "
                                                        "régulation et à la coordination "
                                                        "d'une CPTS.")  # fmt: skip
    return cptses, None


def _booking_urls(request, cptses) -> dict:
    """Slot.comment: where a regulator books in Maillage (the request page of the CPTS)."""
    urls = {}
    for cpts in cptses:
        try:
            path = reverse("same_day_care:request_new", kwargs={"cpts_slug": cpts.slug})
        except NoReverseMatch:
            continue
        urls[cpts.pk] = request.build_absolute_uri(path)
    return urls


# The FHIR endpoints authenticate by bearer token (mutual TLS in production), never by
# session cookie, so CSRF does not apply: a POST, PUT, PATCH or DELETE gets its 405
# OperationOutcome rather than a CSRF page.
@csrf_exempt
def slot_search(request):
    """GET [base]/Slot: INT_R04 (with the HealthcareService includes) and INT_R01."""
    if request.method not in ("GET", "HEAD"):
        response = outcome_response(405, "not-supported",
                                    "Seule la recherche (GET) est possible sur Slot.")  # fmt: skip
        response["Allow"] = "GET, HEAD"
        return response
    cptses, refusal = _caller_cpts(request)
    if refusal is not None:
        return refusal
    try:
        search = fhir.parse_slot_search(request.GET)
    except fhir.SearchError as exc:
        return fhir_response(fhir.operation_outcome(exc.issues), status=400)
    except TooManyFieldsSent:
        return outcome_response(400, "too-costly", "Trop de paramètres dans la requête.")
    matches = fhir.search_slots(search, cpts_ids=[cpts.pk for cpts in cptses])
    path = request.path
    base_url = request.build_absolute_uri(path[: path.rindex("Slot")])
    bundle = fhir.slot_bundle(
        search,
        matches,
        self_url=request.build_absolute_uri(),
        base_url=base_url,
        booking_urls=_booking_urls(request, cptses),
    )
    return fhir_response(bundle)


@csrf_exempt
def not_found(request, rest=""):
    return outcome_response(404, "not-supported", f"Ressource ou opération FHIR inconnue : "
                                                  f"« {request.path} ».")  # fmt: skip
