from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("maillage.territory.urls")),
    path("", include("maillage.core.urls")),
]

handler404 = "maillage.core.errors.not_found"
handler500 = "maillage.core.errors.server_error"
