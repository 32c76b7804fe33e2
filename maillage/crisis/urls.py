from django.urls import path

from .views import activations, alerts, calls

app_name = "crisis"

# Each area adds its pages in its own block (plan, contacts, resources, register,
# activations, alerts, calls); pages of a CPTS live under c/<cpts_slug>/crise/.
urlpatterns = [
    # -- plan --
    # -- contacts --
    # -- resources --
    # -- register (vulnerable) --
    # -- calls --
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/appels/nouvelle/",
         calls.campaign_new_view, name="campaign_new"),
    # -- activations, log, RETEX, proofs --
    path("c/<slug:cpts_slug>/crise/activations/<str:public_id>/", activations.activation_view,
         name="activation"),
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
