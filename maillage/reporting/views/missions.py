"""Pages of the contract: the mission dashboard (deadlines, actual state, what the data
suggests, warnings) and the coordinator's form setting a mission's state."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.forms import errors_to_form

from .. import access, status
from .. import missions as mission_rules
from ..models import MissionStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERRORS = {"invalid": "Date invalide (ex. : 12/03/2026)."}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="État", choices=MissionStatus.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choisissez l'état.",
                                               "invalid_choice": "État inconnu."})  # fmt: skip
    started_on = forms.DateField(
        label="Démarrée le",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
    )
    deployed_on = forms.DateField(
        label="Déployée le",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
    )
    status_note = forms.CharField(label="Remarque", required=False, max_length=300)


@member_view(permissions.see_contract)
def missions_view(request):
    contract = access.contract_of(request.cpts)
    access.audit_read(request, "reporting.missions")
    rows = status.dashboard(contract) if contract else []
    return render(request, "reporting/missions/dashboard.html", {
        "contract": contract, "rows": rows,
        "can_manage": permissions.manage_contract(request.membership)})  # fmt: skip


@member_view(permissions.manage_contract)
def mission_status_view(request, code):
    contract = access.contract_of(request.cpts)
    if contract is None or code not in mission_rules.CODES:
        raise Http404
    mission = contract.missions.filter(code=code).first()
    if mission is None:
        raise Http404
    suggestion = status.suggested_start(mission)
    initial = {"status": mission.status, "started_on": mission.started_on,
               "deployed_on": mission.deployed_on, "status_note": mission.status_note}  # fmt: skip
    if suggestion and request.GET.get("suggestion"):
        initial.update(status=MissionStatus.STARTED, started_on=suggestion[0])
    form = StatusForm(request.POST or None, initial=initial)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                status.set_status(mission=mission, status=data["status"],
                                  started_on=data["started_on"], deployed_on=data["deployed_on"],
                                  note=data["status_note"], actor=request.user,
                                  request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"État enregistré : {mission_rules.label(code)}.")
                return redirect("reporting:missions", cpts_slug=request.cpts.slug)
        status_code = 400
    start_by, deployed_by = mission_rules.deadlines(code, contract.signed_on)
    return render(request, "reporting/missions/status.html", {
        "form": form, "mission": mission, "label": mission_rules.label(code),
        "suggestion": suggestion, "start_by": start_by, "deployed_by": deployed_by,
        "contract": contract}, status=status_code)  # fmt: skip


urls = [
    path("c/<slug:cpts_slug>/contrat/missions/", missions_view, name="missions"),
    path(
        "c/<slug:cpts_slug>/contrat/missions/<str:code>/",
        mission_status_view,
        name="mission_status",
    ),
]
