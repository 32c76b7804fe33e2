"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from maillage.core.api import API_AUTH, UnknownCpts
from maillage.core.api import router as core_router
from maillage.core.audit_api import router as audit_router
from maillage.directory.api import router as directory_router
from maillage.gp_access.api import router as gp_access_router
from maillage.pathways.api import router as pathways_router
from maillage.patients.api import router as patients_router
from maillage.same_day_care.api import router as same_day_router
from maillage.territory.api import router as territory_router

api = NinjaAPI(
    title="Maillage API",
    version="1",
    description="API de Maillage, la plateforme des CPTS.",
    auth=API_AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def django_validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": " ".join(str(m) for m in messages)}
            for field, messages in exc.message_dict.items()
        ]
    else:
        errors = [{"field": None, "message": m} for m in exc.messages]
    return api.create_response(
        request, {"detail": errors[0]["message"], "errors": errors}, status=400
    )


def _field_name(loc) -> str:
    """["body", "payload", "birth_date"] -> "birth_date"; ["query", "page"] -> "page"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]  # the name of the view's body parameter
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc):
    errors = [
        {"field": _field_name(e.get("loc", [])), "message": e.get("msg", "Valeur invalide.")}
        for e in exc.errors
    ]
    return api.create_response(
        request, {"detail": "Données invalides.", "errors": errors}, status=422
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    if isinstance(exc, UnknownCpts):
        message = "Aucune CPTS de ce nom dont vous êtes membre."
        return api.create_response(
            request,
            {"detail": message, "errors": [{"field": "cpts", "message": message}]},
            status=404,
        )
    return api.create_response(request, {"detail": "Introuvable."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {"detail": "Authentification requise : en-tête « Authorization: Bearer <jeton> »."},
        status=401,
    )


api.add_router("", core_router)
api.add_router("", territory_router)
api.add_router("", directory_router)
api.add_router("", patients_router)
api.add_router("", gp_access_router)
api.add_router("", same_day_router)
api.add_router("", pathways_router)
api.add_router("", audit_router)
