"""Placeholder pages of this area (replaced by the area's work)."""

from django.http import HttpResponse
from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view


@member_view(permissions.follow_screening_referrals)
def placeholder_view(request, **kwargs):
    return HttpResponse("")


urls = [
    path("c/<slug:cpts_slug>/prevention/orientations/",
         placeholder_view, name="followups"),
    path(
        "c/<slug:cpts_slug>/prevention/orientations/<str:public_id>/",
        placeholder_view,
        name="followup",
    ),
]
