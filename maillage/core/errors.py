from django.http import JsonResponse
from django.shortcuts import render


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _is_fhir(request) -> bool:
    """The SAS reads every error of /fhir/ as a FHIR OperationOutcome."""
    return request.path.startswith("/fhir/")


def fhir_outcome(status: int, code: str, diagnostics: str) -> JsonResponse:
    issue = {"severity": "error", "code": code, "diagnostics": diagnostics}
    return JsonResponse(
        {"resourceType": "OperationOutcome", "issue": [issue]},
        status=status,
        content_type="application/fhir+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def bad_request(request, exception=None):
    if _is_fhir(request):
        return fhir_outcome(400, "invalid", "Requête invalide (trop de paramètres ou mal formée).")
    if _wants_json(request):
        return JsonResponse({"detail": "Requête invalide."}, status=400)
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    if _is_fhir(request):
        diagnostics = f"Ressource ou opération FHIR inconnue : « {request.path} »."
        return fhir_outcome(404, "not-supported", diagnostics)
    if _wants_json(request):
        return JsonResponse({"detail": "Introuvable."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_fhir(request):
        return fhir_outcome(500, "exception", "Erreur interne du serveur.")
    if _wants_json(request):
        return JsonResponse({"detail": "Erreur interne."}, status=500)
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a form posted without its token (expired page, another
    site). The FHIR endpoints never rely on cookies; any CSRF refusal there is still an
    OperationOutcome for the SAS."""
    if _is_fhir(request):
        return fhir_outcome(403, "forbidden", "Requête refusée (protection CSRF) : les "
                                              "opérations FHIR n'utilisent pas de cookie de "
                                              "session.")  # fmt: skip
    if _wants_json(request):
        return JsonResponse({"detail": "Requête refusée (protection CSRF)."}, status=403)
    return render(request, "403_csrf.html", status=403)
