from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("c/<slug:cpts_slug>/annuaire/", views.directory_view, name="directory"),
    path("c/<slug:cpts_slug>/annuaire/export.<str:fmt>", views.export_view, name="export"),
    path("c/<slug:cpts_slug>/annuaire/ajouter/", views.local_professional_view, name="add"),
    path(
        "c/<slug:cpts_slug>/annuaire/pro/<str:public_id>/",
        views.professional_view,
        name="professional",
    ),
    path("c/<slug:cpts_slug>/annuaire/structures/", views.structures_view, name="structures"),
    path(
        "c/<slug:cpts_slug>/annuaire/structures/ajouter/",
        views.local_structure_view,
        name="add_structure",
    ),
    path(
        "c/<slug:cpts_slug>/annuaire/structures/<str:public_id>/",
        views.structure_view,
        name="structure",
    ),
    path("c/<slug:cpts_slug>/annuaire/membres/suggestions/", views.member_suggestions_view,
         name="member_suggestions"),
    path("c/<slug:cpts_slug>/diagnostic/", views.diagnostic_view, name="diagnostic"),
    path(
        "c/<slug:cpts_slug>/diagnostic/reference/", views.density_reference_view, name="reference"
    ),
    path(
        "c/<slug:cpts_slug>/diagnostic/chiffre-local/", views.local_figure_view, name="local_figure"
    ),
    path("annuaire/<slug:cpts_slug>/", views.public_directory_view, name="public"),
    path(
        "annuaire/<slug:cpts_slug>/pro/<str:public_id>/",
        views.public_professional_view,
        name="public_professional",
    ),
]
