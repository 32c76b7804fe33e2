from django.urls import path

from . import jobs_views, views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("connexion/code/", views.login_otp_view, name="login_otp"),
    path("connexion/double-authentification/", views.enrol_otp_view, name="enrol_otp"),
    path("deconnexion/", views.logout_view, name="logout"),
    path(
        "mot-de-passe-oublie/", views.PasswordResetRequestView.as_view(), name="password_reset"
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe-oublie/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("invitation/<str:token>/", views.invitation_view, name="invitation"),
    path("c/<slug:cpts_slug>/aujourdhui/", views.today_view, name="today"),
    path("c/<slug:cpts_slug>/membres/", views.members_view, name="members"),
    path("c/<slug:cpts_slug>/membres/debloquer/", views.unlock_view, name="unlock"),
    path(
        "c/<slug:cpts_slug>/membres/<str:public_id>/compte/",
        views.member_account_view,
        name="member_account",
    ),
    path(
        "c/<slug:cpts_slug>/membres/<str:public_id>/compte/<slug:action>/",
        views.member_account_action_view,
        name="member_account_action",
    ),
    path("c/<slug:cpts_slug>/journal/", views.audit_view, name="audit"),
    path("c/<slug:cpts_slug>/journal/personne/<str:public_id>/", views.patient_access_view,
         name="patient_access"),
    path("c/<slug:cpts_slug>/journal/personne/<str:public_id>/acces.<str:fmt>",
         views.patient_access_export_view, name="patient_access_export"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/full", jobs_views.healthz_full, name="healthz_full"),
    path("c/<slug:cpts_slug>/taches/", jobs_views.failed_jobs_view, name="jobs"),
    path("c/<slug:cpts_slug>/taches/<str:task_id>/relancer/", jobs_views.retry_job_view,
         name="job_retry"),
]
