from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from .api import api

# The admin sees every tenant: it demands a verified second factor like patient data does.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("api/v1/", api.urls),
    # One login for everyone, with the lockout and the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="core:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("fhir/", include("maillage.same_day_care.fhir_urls")),
    path("", include("maillage.territory.urls")),
    path("", include("maillage.directory.urls")),
    path("", include("maillage.patients.urls")),
    path("", include("maillage.gp_access.urls")),
    path("", include("maillage.same_day_care.urls")),
    path("", include("maillage.pathways.urls")),
    path("", include("maillage.prevention.urls")),
    path("", include("maillage.reporting.urls")),
    path("", include("maillage.crisis.urls")),
    path("", include("maillage.notifications.urls")),
    path("", include("maillage.core.urls")),
]

handler400 = "maillage.core.errors.bad_request"
handler404 = "maillage.core.errors.not_found"
handler500 = "maillage.core.errors.server_error"
