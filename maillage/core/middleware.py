from django.http import HttpResponseBadRequest, JsonResponse

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
    it in text: answer 400 at the door instead of a 500 deep in a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            return _bad_request(request, "Caractère nul interdit dans les paramètres.")
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            for values in request.POST.lists():
                if any("\x00" in v for v in values[1]):
                    return _bad_request(request, "Caractère nul interdit dans le formulaire.")
        return self.get_response(request)


def _bad_request(request, message: str):
    """A FHIR client (the SAS) reads errors as an OperationOutcome; everyone else as text."""
    if request.path.startswith("/fhir/"):
        outcome = {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "invalid", "diagnostics": message}]}
        return JsonResponse(outcome, status=400, content_type="application/fhir+json")
    return HttpResponseBadRequest(message)
