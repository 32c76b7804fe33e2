from django.urls import path

from .views import activations, alerts, calls, register
from .views import plan as plan_views

app_name = "crisis"

# Each area adds its pages in its own block (plan, contacts, resources, register,
# activations, alerts, calls); pages of a CPTS live under c/<cpts_slug>/crise/.
urlpatterns = [
    # -- plan --
    path("c/<slug:cpts_slug>/crise/plan/", plan_views.plan_view, name="plan"),
    path("c/<slug:cpts_slug>/crise/plan/sections/<slug:code>/", plan_views.section_view,
         name="plan_section"),
    path("c/<slug:cpts_slug>/crise/plan/versions/", plan_views.versions_view,
         name="plan_versions"),
    path("c/<slug:cpts_slug>/crise/plan/versions/nouvelle/", plan_views.version_new_view,
         name="plan_version_new"),
    path("c/<slug:cpts_slug>/crise/plan/comparer/", plan_views.compare_view,
         name="plan_compare"),
    path("c/<slug:cpts_slug>/crise/plan/versions/<str:public_id>/", plan_views.version_view,
         name="plan_version"),
    path("c/<slug:cpts_slug>/crise/plan/versions/<str:public_id>/approuver/",
         plan_views.approve_view, name="plan_approve"),
    path("c/<slug:cpts_slug>/crise/plan/versions/<str:public_id>/remise/",
         plan_views.delivered_view, name="plan_delivered"),
    path("c/<slug:cpts_slug>/crise/plan/versions/<str:public_id>/plan.pdf",
         plan_views.pdf_view, name="plan_pdf"),
    # -- contacts --
    # -- resources --
    # -- register (vulnerable) --
    path("c/<slug:cpts_slug>/crise/registre/", register.register_view, name="register"),
    path("c/<slug:cpts_slug>/crise/registre/inscrire/", register.register_new_view,
         name="register_new"),
    path("c/<slug:cpts_slug>/crise/registre/export.csv", register.register_export_view,
         name="register_export"),
    path("c/<slug:cpts_slug>/crise/registre/<str:public_id>/", register.register_person_view,
         name="register_person"),
    path("c/<slug:cpts_slug>/crise/registre/<str:public_id>/retrait/",
         register.register_archive_view, name="register_archive"),
    # -- calls --
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/appels/nouvelle/",
         calls.campaign_new_view, name="campaign_new"),
    path("c/<slug:cpts_slug>/crise/appels/<str:public_id>/", calls.campaign_view,
         name="campaign"),
    path("c/<slug:cpts_slug>/crise/mes-appels/", calls.my_calls_view, name="my_calls"),
    path("c/<slug:cpts_slug>/crise/appel/<str:public_id>/resultat/", calls.call_outcome_view,
         name="call_outcome"),
    path("c/<slug:cpts_slug>/crise/appel/<str:public_id>/reattribuer/",
         calls.call_reassign_view, name="call_reassign"),
    # -- activations, log, RETEX, proofs --
    path("c/<slug:cpts_slug>/crise/", activations.index_view, name="index"),
    path("c/<slug:cpts_slug>/crise/activer/", activations.activate_view, name="activate"),
    path("c/<slug:cpts_slug>/crise/preuves/", activations.proofs_view, name="proofs"),
    path("c/<slug:cpts_slug>/crise/preuves/export.<str:fmt>", activations.proofs_export_view,
         name="proofs_export"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/", activations.activation_view,
         name="activation"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/main-courante/",
         activations.log_entry_view, name="log_entry"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/main-courante/<str:entry_id>/"
         "correction/", activations.log_correct_view, name="log_correct"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/action-faite/",
         activations.action_done_view, name="action_done"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/message-public/",
         activations.notice_view, name="notice"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/fin/", activations.end_view,
         name="end"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/retex/", activations.retex_view,
         name="retex"),
    # -- alerts and answers --
    path("crise/reponse/<str:token>/", alerts.CrisisAnswerPage.as_view(), name="answer"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/tableau/", alerts.board_view,
         name="board"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/alerter/",
         alerts.alert_new_view, name="alert_new"),
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/alerter/destinataires/",
         alerts.alert_count_view, name="alert_count"),
    path("c/<slug:cpts_slug>/crise/alertes/<str:public_id>/", alerts.alert_view, name="alert"),
    path("c/<slug:cpts_slug>/crise/contacts/test/", alerts.test_alert_view, name="test_alert"),
]
