"""Placeholder public pages (replaced by the public area's work)."""

from django.http import HttpResponse
from django.urls import path


def placeholder_view(request, **kwargs):
    return HttpResponse("")


urls = [
    path("prevention/<slug:cpts_slug>/",
         placeholder_view, name="public_events"),
    path("prevention/<slug:cpts_slug>/<str:public_id>/",
         placeholder_view, name="public_event"),
]
