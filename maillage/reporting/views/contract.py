"""Pages of the contract: contract (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_contract)
def contract_view(request):
    return placeholder(request, "Contrat ACI")


@member_view(permissions.manage_contract)
def contract_edit_view(request):
    return placeholder(request, "Modifier le contrat")


@member_view(permissions.manage_contract)
def indicator_new_view(request):
    return placeholder(request, "Nouvel indicateur")


@member_view(permissions.manage_contract)
def indicator_edit_view(request, public_id):
    return placeholder(request, "Indicateur")


@member_view(permissions.manage_contract)
def indicator_figure_view(request, public_id):
    return placeholder(request, "Chiffre fourni")


urls = [
    path("c/<slug:cpts_slug>/contrat/", contract_view, name="contract"),
    path("c/<slug:cpts_slug>/contrat/modifier/", contract_edit_view, name="contract_edit"),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/nouveau/", indicator_new_view, name="indicator_new"
    ),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/<uuid:public_id>/",
        indicator_edit_view,
        name="indicator_edit",
    ),
    path(
        "c/<slug:cpts_slug>/contrat/indicateurs/<uuid:public_id>/chiffre/",
        indicator_figure_view,
        name="indicator_figure",
    ),
]
