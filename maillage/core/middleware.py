import json

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# Where patient data are served: the CPTS pages, the API, the SAS's FHIR interface, the
# private appointment feeds and the admin.
PRIVATE_PREFIXES = ("/c/", "/api/", "/fhir/", "/snp/agenda/", "/admin/")


class NoStoreMiddleware:
    """Patient data must not stay in a shared cache, a proxy or the browser's disk and
    back-forward cache: every response under PRIVATE_PREFIXES is `no-store`. The rule
    goes by path rather than by page, so a new view cannot forget it, and it does not
    depend on who is logged in: the API and FHIR callers authenticate with a token that
    this middleware does not see, and an anonymous response there is only a redirect to
    the login or an error. A view that sets its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) and not response.has_header(
            "Cache-Control"
        ):
            response["Cache-Control"] = "no-store"
            # HTTP/1.0 caches know only Pragma.
            response["Pragma"] = "no-cache"
        return response


class RejectNulBytesMiddleware:
    """A NUL character in a parameter is never legitimate input, and PostgreSQL refuses
    it in text: answer 400 at the door, naming the field, instead of a 500 deep in a
    query. One place for every input: query strings, form posts and JSON bodies (the
    API), whatever the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return _bad_request(request, "Caractère nul interdit dans les paramètres.",
                                _field_in_pairs(request.GET.lists()))  # fmt: skip
        if request.method == "POST" and request.content_type in FORM_TYPES:
            field = _field_in_pairs(request.POST.lists())
            if field is not False:
                return _bad_request(request, "Caractère nul interdit dans le formulaire.", field)
        elif request.method not in ("GET", "HEAD", "OPTIONS"):
            found, field = _nul_in_body(request)
            if found:
                return _bad_request(request, "Caractère nul interdit dans les données.", field)
        return self.get_response(request)


def _field_in_pairs(pairs):
    """The first key holding a NUL character (in its name or a value); False if none."""
    for key, values in pairs:
        if "\x00" in key or any("\x00" in v for v in values):
            return _printable(key)
    return False


def _printable(name: str) -> str:
    return name.replace("\x00", "\\0")


def _nul_in_body(request) -> tuple[bool, str | None]:
    """(found, field path such as "team.0.email") for a JSON body, or any other body."""
    try:
        body = request.body
    except (RawPostDataException, SuspiciousOperation):
        return False, None  # already streamed, or too big: the view will say so
    # A JSON string spells NUL "\u0000"; a raw NUL byte is invalid JSON but still refused.
    if b"\x00" not in body and b"\\u0000" not in body:
        return False, None
    try:
        data = json.loads(body)
        path = _nul_path(data, [])
    except ValueError:
        return b"\x00" in body, None
    except RecursionError:
        return True, None  # nested past what can be walked, with a NUL in it: refused
    if path is None:
        return False, None  # "\\u0000": an escaped backslash, not a NUL
    return True, ".".join(path) or None


def _nul_path(value, path):
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return [*path, _printable(key)]
            found = _nul_path(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, [*path, str(index)])
            if found is not None:
                return found
    return None


def _bad_request(request, message: str, field=None):
    """A FHIR client (the SAS) reads errors as an OperationOutcome, the API's the
    project's JSON errors; everyone else as text."""
    field = field or None
    if request.path.startswith("/fhir/"):
        outcome = {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "invalid", "diagnostics": message}]}
        return JsonResponse(outcome, status=400, content_type="application/fhir+json")
    if request.path.startswith("/api/"):
        errors = [{"field": field, "message": "Caractère nul interdit."}]
        detail = f"{message[:-1]} : {field}." if field else message
        return JsonResponse({"detail": detail, "errors": errors}, status=400)
    return HttpResponseBadRequest(f"{message[:-1]} ({field})." if field else message)
