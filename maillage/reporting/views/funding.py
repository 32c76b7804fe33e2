"""Pages of the contract: funding (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_contract)
def payments_view(request):
    return placeholder(request, "Versements")


@member_view(permissions.manage_contract)
def payment_add_view(request):
    return placeholder(request, "Nouveau versement")


@member_view(permissions.see_contract)
def forecast_view(request):
    return placeholder(request, "Prévisions")


@member_view(permissions.see_contract)
def indicators_view(request):
    return placeholder(request, "Indicateurs du contrat")


urls = [
    path("c/<slug:cpts_slug>/contrat/versements/", payments_view, name="payments"),
    path("c/<slug:cpts_slug>/contrat/versements/nouveau/", payment_add_view, name="payment_add"),
    path("c/<slug:cpts_slug>/contrat/previsions/", forecast_view, name="forecast"),
    path("c/<slug:cpts_slug>/contrat/indicateurs/", indicators_view, name="indicators"),
]
