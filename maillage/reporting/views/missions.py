"""Pages of the contract: missions (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_contract)
def missions_view(request):
    return placeholder(request, "Missions")


@member_view(permissions.manage_contract)
def mission_status_view(request, code):
    return placeholder(request, "État de la mission")


urls = [
    path("c/<slug:cpts_slug>/contrat/missions/", missions_view, name="missions"),
    path(
        "c/<slug:cpts_slug>/contrat/missions/<str:code>/",
        mission_status_view,
        name="mission_status",
    ),
]
