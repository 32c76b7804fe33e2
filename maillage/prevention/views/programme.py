"""Placeholder pages of this area (replaced by the area's work)."""

from django.http import HttpResponse
from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view


@member_view(permissions.see_prevention)
def placeholder_view(request, **kwargs):
    return HttpResponse("")


urls = [
    path("c/<slug:cpts_slug>/prevention/",
         placeholder_view, name="actions"),
    path("c/<slug:cpts_slug>/prevention/programme/",
         placeholder_view, name="programme"),
    path("c/<slug:cpts_slug>/prevention/actions/nouvelle/",
         placeholder_view, name="action_new"),
    path("c/<slug:cpts_slug>/prevention/actions/<str:public_id>/",
         placeholder_view, name="action"),
]
