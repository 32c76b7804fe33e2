from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from .api import api

# The admin sees every tenant: it demands a verified second factor like patient data does.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("maillage.territory.urls")),
    path("", include("maillage.core.urls")),
]

handler404 = "maillage.core.errors.not_found"
handler500 = "maillage.core.errors.server_error"
