"""The JSON API under /api/v1/: one NinjaAPI, one router per app."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from maillage.core.api import API_AUTH, UnknownCpts
from maillage.core.api import router as core_router
from maillage.core.api_types import FRENCH_ERROR
from maillage.core.audit_api import router as audit_router
from maillage.crisis.api import router as crisis_router
from maillage.directory.api import router as directory_router
from maillage.gp_access.api import router as gp_access_router
from maillage.notifications.api import router as notifications_router
from maillage.pathways.api import router as pathways_router
from maillage.patients.api import router as patients_router
from maillage.prevention.api import router as prevention_router
from maillage.reporting.api import router as reporting_router
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


def _field_name(loc) -> str | None:
    """["body", "payload", "birth_date"] -> "birth_date"; ["query", "page"] -> "page";
    ["body", "payload"] (the body itself is not an object) -> None."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source, parts = parts[0], parts[1:]
        if source == "body":
            parts = parts[1:]  # the name of the view's body parameter
    return ".".join(parts) or None


def _plural(count, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _choices(ctx) -> str:
    # pydantic lists them as "'F', 'M' or 'I'".
    return str(ctx.get("expected", "")).replace(" or ", ", ")


# French messages for pydantic's error types, by type; the context (limits, choices) is
# pydantic's. A type not listed gets "Valeur invalide."
PYDANTIC_MESSAGES = {
    "missing": lambda ctx: "Champ obligatoire.",
    "string_type": lambda ctx: "Texte attendu.",
    "string_too_long": lambda ctx: f"{_plural(ctx['max_length'], 'caractère')} au plus.",
    "string_too_short": lambda ctx: f"{_plural(ctx['min_length'], 'caractère')} au moins.",
    "string_pattern_mismatch": lambda ctx: "Format invalide.",
    "literal_error": lambda ctx: f"Valeur inconnue. Valeurs possibles : {_choices(ctx)}.",
    "enum": lambda ctx: f"Valeur inconnue. Valeurs possibles : {_choices(ctx)}.",
    "bool_type": lambda ctx: "Booléen attendu (true ou false).",
    "bool_parsing": lambda ctx: "Booléen attendu (true ou false).",
    "int_type": lambda ctx: "Nombre entier attendu.",
    "int_parsing": lambda ctx: "Nombre entier attendu.",
    "int_from_float": lambda ctx: "Nombre entier attendu.",
    "int_parsing_size": lambda ctx: "Nombre trop grand.",
    "float_type": lambda ctx: "Nombre attendu.",
    "float_parsing": lambda ctx: "Nombre attendu.",
    "finite_number": lambda ctx: "Nombre fini attendu.",
    "greater_than": lambda ctx: f"Valeur supérieure à {_number(ctx['gt'])} attendue.",
    "greater_than_equal": lambda ctx: f"Valeur minimale : {_number(ctx['ge'])}.",
    "less_than": lambda ctx: f"Valeur inférieure à {_number(ctx['lt'])} attendue.",
    "less_than_equal": lambda ctx: f"Valeur maximale : {_number(ctx['le'])}.",
    "date_type": lambda ctx: "Date invalide (format attendu : AAAA-MM-JJ).",
    "date_parsing": lambda ctx: "Date invalide (format attendu : AAAA-MM-JJ).",
    "date_from_datetime_parsing": lambda ctx: "Date invalide (format attendu : AAAA-MM-JJ).",
    "date_from_datetime_inexact": lambda ctx: "Date invalide (format attendu : AAAA-MM-JJ).",
    "datetime_type": lambda ctx: DATETIME_MESSAGE,
    "datetime_parsing": lambda ctx: DATETIME_MESSAGE,
    "datetime_from_date_parsing": lambda ctx: DATETIME_MESSAGE,
    "datetime_object_invalid": lambda ctx: DATETIME_MESSAGE,
    "uuid_type": lambda ctx: "Identifiant invalide.",
    "uuid_parsing": lambda ctx: "Identifiant invalide.",
    "list_type": lambda ctx: "Liste attendue.",
    "too_long": lambda ctx: f"{_plural(ctx['max_length'], 'élément')} au plus.",
    "too_short": lambda ctx: f"{_plural(ctx['min_length'], 'élément')} au moins.",
    "dict_type": lambda ctx: "Objet JSON attendu.",
    "model_type": lambda ctx: "Objet JSON attendu.",
    "model_attributes_type": lambda ctx: "Objet JSON attendu.",
    "json_invalid": lambda ctx: "JSON invalide.",
    "union_type": lambda ctx: "Type de valeur inattendu (texte, nombre ou booléen selon le champ).",
    "value_error": lambda ctx: str(ctx.get("error", "")) or "Valeur invalide.",
}
DATETIME_MESSAGE = "Date et heure ISO 8601 attendues (ex. 2026-03-02T09:00:00+01:00)."


def _french(error: dict) -> str:
    if error.get("type") == FRENCH_ERROR:
        return error.get("msg") or "Valeur invalide."
    translate = PYDANTIC_MESSAGES.get(error.get("type"))
    if translate is None:
        return "Valeur invalide."
    try:
        return translate(error.get("ctx") or {})
    except KeyError:
        return "Valeur invalide."


def _union_member(part) -> bool:
    # A union's errors carry the member that failed in their location ("value.str",
    # "value.float"...): the caller only knows the field.
    return isinstance(part, str) and (
        part in ("str", "int", "float", "bool", "none", "date", "datetime")
        or part.startswith(("constrained-", "function-", "literal["))
    )


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc):
    by_field: dict[str | None, list[tuple[dict, bool]]] = {}
    for e in exc.errors:
        loc = e.get("loc", [])
        kept = [p for p in loc if not _union_member(p)]
        by_field.setdefault(_field_name(kept), []).append((e, len(kept) != len(loc)))
    errors = []
    for field, found in by_field.items():
        e, in_union = found[0]
        if in_union:
            # Each member of the union refused the value: say why only if one of them
            # understood it (a text too long), otherwise that its type is wrong.
            meaningful = [f for f, _ in found if not f.get("type", "").endswith(UNION_NOISE)]
            e = meaningful[0] if meaningful else {"type": "union_type"}
        message = _french(e)
        if field is None and e.get("type") == "missing":
            message = "Corps de la requête manquant : un objet JSON est attendu."
        errors.append({"field": field, "message": message})
    detail = "Données invalides."
    if errors:
        first = errors[0]
        detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


# The errors each member of a union gives for a value of another type.
UNION_NOISE = ("_type", "_parsing", "none_required")


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja's own: an unreadable body (400), a session without its CSRF token (403).
    messages = {
        400: "Corps de la requête illisible : un objet JSON est attendu.",
        403: "Jeton CSRF manquant ou invalide : utilisez un jeton d'API (Authorization: "
        "Bearer) ou envoyez l'en-tête X-CSRFToken.",
    }
    message = messages.get(exc.status_code, str(exc))
    return api.create_response(
        request, {"detail": message, "errors": []}, status=exc.status_code
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
    return api.create_response(request, {"detail": "Introuvable.", "errors": []}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {
            "detail": "Authentification requise : en-tête « Authorization: Bearer <jeton> ».",
            "errors": [],
        },
        status=401,
    )


api.add_router("", core_router)
api.add_router("", territory_router)
api.add_router("", directory_router)
api.add_router("", patients_router)
api.add_router("", gp_access_router)
api.add_router("", same_day_router)
api.add_router("", pathways_router)
api.add_router("", crisis_router)
api.add_router("", prevention_router)
api.add_router("", reporting_router)
api.add_router("", audit_router)
api.add_router("", notifications_router)
