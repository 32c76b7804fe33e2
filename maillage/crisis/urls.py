from django.urls import path

from .views import activations, alerts, calls
from .views import contacts as contact_views
from .views import resources as resource_views

app_name = "crisis"

# Each area adds its pages in its own block (plan, contacts, resources, register,
# activations, alerts, calls); pages of a CPTS live under c/<cpts_slug>/crise/.
urlpatterns = [
    # -- plan --
    # -- contacts --
    path("c/<slug:cpts_slug>/crise/contacts/", contact_views.contacts_view, name="contacts"),
    path("c/<slug:cpts_slug>/crise/contacts/membres/", contact_views.contacts_sync_view,
         name="contacts_sync"),
    path("c/<slug:cpts_slug>/crise/contacts/nouveau/", contact_views.contact_new_view,
         name="contact_new"),
    path("c/<slug:cpts_slug>/crise/contacts/imprimer/", contact_views.contacts_print_view,
         name="contacts_print"),
    path("c/<slug:cpts_slug>/crise/contacts/contacts.csv", contact_views.contacts_csv_view,
         name="contacts_csv"),
    path("c/<slug:cpts_slug>/crise/contacts/importer/", contact_views.contacts_import_view,
         name="contacts_import"),
    path("c/<slug:cpts_slug>/crise/contacts/<str:public_id>/", contact_views.contact_view,
         name="contact"),
    path("c/<slug:cpts_slug>/crise/contacts/<str:public_id>/archiver/",
         contact_views.contact_archive_view, name="contact_archive"),
    # -- resources --
    path("c/<slug:cpts_slug>/crise/lieux/", resource_views.sites_view, name="sites"),
    path("c/<slug:cpts_slug>/crise/lieux/nouveau/", resource_views.site_new_view,
         name="site_new"),
    path("c/<slug:cpts_slug>/crise/lieux/<str:public_id>/", resource_views.site_view,
         name="site"),
    path("c/<slug:cpts_slug>/crise/lieux/<str:public_id>/confirmer/",
         resource_views.site_confirm_view, name="site_confirm"),
    path("c/<slug:cpts_slug>/crise/lieux/<str:public_id>/archiver/",
         resource_views.site_archive_view, name="site_archive"),
    path("c/<slug:cpts_slug>/crise/stocks/", resource_views.stocks_view, name="stocks"),
    path("c/<slug:cpts_slug>/crise/stocks/nouveau/", resource_views.stock_new_view,
         name="stock_new"),
    path("c/<slug:cpts_slug>/crise/stocks/<str:public_id>/", resource_views.stock_view,
         name="stock"),
    path("c/<slug:cpts_slug>/crise/stocks/<str:public_id>/confirmer/",
         resource_views.stock_confirm_view, name="stock_confirm"),
    path("c/<slug:cpts_slug>/crise/stocks/<str:public_id>/archiver/",
         resource_views.stock_archive_view, name="stock_archive"),
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
