from django.urls import path

from . import views

app_name = "same_day_care"

P = "c/<slug:cpts_slug>/snp/"

urlpatterns = [
    path(P + "demande/", views.request_new_view, name="request_new"),
    path(P + "demande/<str:public_id>/", views.request_view, name="request"),
    path(P + "demande/<str:public_id>/criteres/", views.request_criteria_view,
         name="request_criteria"),
    path(P + "demandes/", views.requests_view, name="requests"),
    path(P + "mes-creneaux/", views.slots_view, name="slots"),
    path(P + "rendez-vous/", views.appointments_view, name="appointments"),
    path(P + "rendez-vous/<str:public_id>/issue/", views.outcome_view, name="outcome"),
    path(P + "rendez-vous/<str:public_id>/annuler-saisie/", views.outcome_undo_view,
         name="outcome_undo"),
    path(P + "import-ics/", views.ics_import_view, name="ics_import"),
    path(P + "import-ics/<str:public_id>/", views.ics_progress_view, name="ics_progress"),
    path(P + "permanence/", views.rota_view, name="rota"),
    path(P + "mes-gardes/", views.my_rota_view, name="my_rota"),
    path(P + "indicateurs/", views.indicators_view, name="indicators"),
    path("snp/agenda/<str:token>", views.ics_feed_view, name="ics_feed"),
]
