"""FHIR endpoints for the SAS, included by the root urls at "fhir/"."""

from django.urls import path, re_path

from . import fhir_views

app_name = "fhir"

urlpatterns = [
    path("Slot", fhir_views.slot_search, name="slot_search"),
    path("Slot/", fhir_views.slot_search),  # the guide's examples write "Slot/?..."
    re_path(r"^(?P<rest>.*)$", fhir_views.not_found),
]
