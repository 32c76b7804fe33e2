from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.login_otp_view, name="login_otp"),
    path("connexion/double-authentification/", views.enrol_otp_view, name="enrol_otp"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("invitation/<str:token>/", views.invitation_view, name="invitation"),
    path("c/<slug:cpts_slug>/membres/", views.members_view, name="members"),
    path("c/<slug:cpts_slug>/membres/debloquer/", views.unlock_view, name="unlock"),
    path("c/<slug:cpts_slug>/journal/", views.audit_view, name="audit"),
    path("c/<slug:cpts_slug>/journal/personne/<str:public_id>/", views.patient_access_view,
         name="patient_access"),
    path("c/<slug:cpts_slug>/journal/personne/<str:public_id>/acces.<str:fmt>",
         views.patient_access_export_view, name="patient_access_export"),
    path("healthz", views.healthz, name="healthz"),
]
