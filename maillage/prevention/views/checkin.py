"""Placeholder pages of this area (replaced by the area's work)."""

from django.http import HttpResponse
from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view


@member_view(permissions.check_in_participants)
def placeholder_view(request, **kwargs):
    return HttpResponse("")


urls = [
    path(
        "c/<slug:cpts_slug>/prevention/actions/<str:public_id>/accueil/",
        placeholder_view,
        name="checkin",
    ),
]
