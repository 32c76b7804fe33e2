"""Pages of the contract: the proofs of a contract year (per mission, per action or
indicator), the files filed, their upload, download and deletion."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import permissions, uploads
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form

from .. import access, proofs, years
from ..models import ProofFile, ProofRequirement


class UploadForm(forms.Form):
    annee = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, image, document bureautique ou CSV ; 10 Mo au plus.",
        error_messages={"required": "Choisissez un fichier.", "empty": uploads.EMPTY,
                        "invalid": "Fichier illisible : choisissez-le de nouveau."},
    )  # fmt: skip


def _year(contract, raw) -> int:
    """The contract year asked (?annee=N), by default the current one (the last one after
    the contract, the first one before it)."""
    if raw in (None, ""):
        today = timezone.localdate()
        current = years.year_of(contract, today)
        if current is not None:
            return current
        return contract.years if today > contract.signed_on else 1
    return years.check_year(contract, raw)


def _no_contract(request, status=200):
    return render(request, "reporting/proofs/no_contract.html", status=status)


def _page(request, contract, year, *, forms_by_req=None, status=200):
    today = timezone.localdate()
    rows = proofs.status(contract, year, today=today)
    can_manage = permissions.manage_contract(request.membership)
    frozen = proofs.is_sent(contract, year)
    forms_by_req = forms_by_req or {}
    missions, by_code = [], {}
    for row in rows:
        req = row.requirement
        if can_manage:
            row.form = forms_by_req.get(req.pk) or UploadForm(
                initial={"annee": year}, prefix=f"p{req.pk}"
            )
        mission = by_code.get(req.mission_id)
        if mission is None:
            mission = {"mission": req.mission, "groups": {}}
            by_code[req.mission_id] = mission
            missions.append(mission)
        target = req.action or req.indicator
        key = ("action", req.action_id) if req.action else ("indicator", req.indicator_id)
        group = mission["groups"].setdefault(key, {"title": str(target) if target else
                                                   "Mission", "rows": []})  # fmt: skip
        group["rows"].append(row)
    for mission in missions:
        mission["groups"] = list(mission["groups"].values())
    watch = proofs.watch(contract, today)
    context = {
        "contract": contract, "year": year, "years": years.all_years(contract),
        "bounds": years.bounds(contract, year), "due": proofs.due(contract, year),
        "missions": missions, "can_manage": can_manage, "frozen": frozen,
        "watch": watch if watch and watch.year == year else None,
        "missing": sum(1 for r in rows if not r.ok), "total": len(rows),
        "form_errors": [f for f in forms_by_req.values() if f.errors],
    }  # fmt: skip
    return render(request, "reporting/proofs/index.html", context, status=status)


@member_view(permissions.see_contract)
def proofs_view(request):
    contract = access.contract_of(request.cpts)
    access.audit_read(request, "reporting.proofs", year=request.GET.get("annee", ""))
    if contract is None:
        return _no_contract(request)
    try:
        year = _year(contract, request.GET.get("annee"))
    except ValidationError as exc:
        context = {"error": " ".join(exc.messages), "contract": contract}
        return render(request, "reporting/proofs/no_contract.html", context, status=400)
    return _page(request, contract, year)


def _requirement(request, public_id):
    # Scoped through the contract: a requirement of another CPTS is a 404.
    return get_by_public_id(
        ProofRequirement.objects.filter(mission__contract__cpts=request.cpts)
        .select_related("mission__contract"), public_id)  # fmt: skip


def _file(request, public_id):
    return get_by_public_id(
        ProofFile.objects.filter(requirement__mission__contract__cpts=request.cpts)
        .select_related("requirement__mission__contract"), public_id)  # fmt: skip


def _back(request, year, anchor=""):
    return redirect(reverse("reporting:proofs", args=[request.cpts.slug]) + f"?annee={year}"
                    + anchor)  # fmt: skip


@member_view(permissions.manage_contract)
@require_POST
def proof_upload_view(request, public_id):
    requirement = _requirement(request, public_id)
    contract = requirement.mission.contract
    form = UploadForm(request.POST, request.FILES, prefix=f"p{requirement.pk}")
    if form.is_valid():
        try:
            proof = proofs.file_proof(requirement=requirement, year=form.cleaned_data["annee"],
                                      upload=form.cleaned_data["file"], actor=request.user,
                                      request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Preuve déposée : {proof.name}.")
            return _back(request, proof.year, f"#preuve-{requirement.public_id}")
    try:
        year = _year(contract, request.POST.get(f"p{requirement.pk}-annee"))
    except ValidationError:
        year = _year(contract, None)
    return _page(request, contract, year, forms_by_req={requirement.pk: form}, status=400)


@member_view(permissions.see_contract)
def proof_file_view(request, public_id):
    proof = _file(request, public_id)
    access.audit_read(request, "reporting.proof_file", obj=proof)
    proofs.record_download(proof=proof, request=request)
    response = HttpResponse(bytes(proof.content), content_type=proof.content_type)
    name = uploads.safe_file_name(proof.name)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(name)}")  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@member_view(permissions.manage_contract)
@require_POST
def proof_file_delete_view(request, public_id):
    proof = _file(request, public_id)
    try:
        proofs.delete_proof(proof=proof, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        # The page stays as it was: a 409 says the file still exists and why.
        response = _page(request, proof.requirement.mission.contract, proof.year, status=409)
        return response
    messages.success(request, f"Preuve supprimée : {proof.name}.")
    return _back(request, proof.year, f"#preuve-{proof.requirement.public_id}")


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
    path(
        "c/<slug:cpts_slug>/contrat/preuves/fichiers/<uuid:public_id>/supprimer/",
        proof_file_delete_view,
        name="proof_file_delete",
    ),
]
