from django.http import HttpResponseBadRequest, JsonResponse


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
