"""Pages of the contract: budget (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_budget)
def budget_view(request):
    return placeholder(request, "Budget par mission")


@member_view(permissions.manage_budget)
def budget_import_view(request):
    return placeholder(request, "Importer des dépenses")


urls = [
    path("c/<slug:cpts_slug>/contrat/budget/", budget_view, name="budget"),
    path("c/<slug:cpts_slug>/contrat/budget/import/", budget_import_view, name="budget_import"),
]
