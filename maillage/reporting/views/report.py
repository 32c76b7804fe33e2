"""Pages of the contract: report (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_contract)
def reports_view(request):
    return placeholder(request, "Rapport annuel")


@member_view(permissions.see_contract)
def report_year_view(request, year):
    return placeholder(request, "Rapport de l'année")


@member_view(permissions.see_contract)
def report_version_view(request, public_id, fmt):
    return placeholder(request, "Version")


urls = [
    path("c/<slug:cpts_slug>/contrat/rapport/", reports_view, name="reports"),
    path("c/<slug:cpts_slug>/contrat/rapport/<int:year>/", report_year_view, name="report_year"),
    path(
        "c/<slug:cpts_slug>/contrat/rapport/versions/<uuid:public_id>/<str:fmt>/",
        report_version_view,
        name="report_version",
    ),
]
