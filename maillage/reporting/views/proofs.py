"""Pages of the contract: proofs (placeholders until the area lands)."""

from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view

from . import placeholder


@member_view(permissions.see_contract)
def proofs_view(request):
    return placeholder(request, "Preuves")


@member_view(permissions.manage_contract)
def proof_upload_view(request, public_id):
    return placeholder(request, "Déposer une preuve")


@member_view(permissions.see_contract)
def proof_file_view(request, public_id):
    return placeholder(request, "Fichier")


urls = [
    path("c/<slug:cpts_slug>/contrat/preuves/", proofs_view, name="proofs"),
    path(
        "c/<slug:cpts_slug>/contrat/preuves/<uuid:public_id>/deposer/",
        proof_upload_view,
        name="proof_upload",
    ),
    path(
        "c/<slug:cpts_slug>/contrat/preuves/fichiers/<uuid:public_id>/",
        proof_file_view,
        name="proof_file",
    ),
]
