from django.urls import path

from .views import activations, alerts, calls
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
]
