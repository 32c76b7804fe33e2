from django.urls import path

from . import views

app_name = "same_day_care"

P = "c/<slug:cpts_slug>/snp/"

urlpatterns = [
    path(P + "demande/", views.request_new_view, name="request_new"),
    path(P + "demande/<str:public_id>/", views.request_view, name="request"),
    path(P + "mes-creneaux/", views.slots_view, name="slots"),
    path(P + "rendez-vous/", views.appointments_view, name="appointments"),
    path(P + "rendez-vous/<str:public_id>/issue/", views.outcome_view, name="outcome"),
]
