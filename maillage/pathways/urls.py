from django.urls import path

from . import views

app_name = "pathways"

P = "c/<slug:cpts_slug>/parcours/"

urlpatterns = [
    path(P, views.enrolments_view, name="enrolments"),
    path(P + "a-faire/", views.due_view, name="due"),
    path(P + "inclure/", views.enrol_view, name="enrol"),
    path(P + "inclusion/<str:public_id>/", views.enrolment_view, name="enrolment"),
    path(P + "tache/<str:public_id>/faite/", views.complete_view, name="complete"),
]
