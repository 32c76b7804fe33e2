from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("communes/suggestions/", views.commune_suggestions_view, name="commune_suggestions"),
    path("c/<slug:cpts_slug>/", views.territory_view, name="territory"),
    path("c/<slug:cpts_slug>/territoire/carte.geojson", views.geojson_view, name="geojson"),
    path("c/<slug:cpts_slug>/territoire/ajouter/", views.add_view, name="add"),
    path("c/<slug:cpts_slug>/territoire/ajouter-epci/", views.add_epci_view, name="add_epci"),
    path("c/<slug:cpts_slug>/territoire/retirer/", views.remove_view, name="remove"),
    path("c/<slug:cpts_slug>/territoire/contrat/", views.contract_view, name="contract"),
    path("c/<slug:cpts_slug>/territoire/identite/", views.identity_view, name="identity"),
    path("c/<slug:cpts_slug>/territoire/historique/", views.history_view, name="history"),
]
