"""The project's urls plus the FHIR endpoints, until the root urls include them."""

from django.urls import include, path

from maillage.urls import handler400, handler404, handler500
from maillage.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

_wired = any(getattr(pattern, "namespace", None) == "fhir" for pattern in project_urlpatterns)
urlpatterns = list(project_urlpatterns)
if not _wired:
    urlpatterns.insert(0, path("fhir/", include("maillage.same_day_care.fhir_urls")))
