from django.urls import path

from . import views

app_name = "gp_access"

P = "c/<slug:cpts_slug>/medecin-traitant/"

urlpatterns = [
    path(P, views.queue_view, name="queue"),
    path(P + "nouvelle/", views.request_create_view, name="create"),
    path(P + "propositions/", views.batch_view, name="batch"),
    path(P + "mes-propositions/", views.my_proposals_view, name="my_proposals"),
    path(P + "ma-disponibilite/", views.capacity_view, name="capacity"),
    path(P + "priorites/", views.priority_view, name="priority"),
    path(P + "indicateurs/", views.indicators_view, name="indicators"),
    path(P + "import-cpam/", views.cpam_upload_view, name="cpam_upload"),
    path(P + "import-cpam/suivi/<str:public_id>/", views.cpam_progress_view, name="cpam_progress"),
    path(P + "import-cpam/<str:public_id>/", views.cpam_mapping_view, name="cpam_mapping"),
    path(P + "demande/<str:public_id>/", views.request_view, name="request"),
    path(P + "demande/<str:public_id>/fusion/", views.merge_view, name="merge"),
    path("medecin-traitant/<slug:cpts_slug>/", views.public_request_view, name="public"),
]
