"""Pathways API: templates, enrolment (with the generated tasks), reading, completing."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema
from ninja import Status as Response

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership
from maillage.core.models import Membership
from maillage.patients.access import get_patient

from . import services
from .access import get_enrolment, tasks_visible_to

router = Router(tags=["parcours"])


class StepOut(Schema):
    code: str
    label: str
    profession_code: str
    due_offset_days: int
    recurrence_days: int | None
    result_kind: str
    unit: str


class TemplateOut(Schema):
    slug: str
    name: str
    version: int
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


@router.get("/pathways/templates", response=list[TemplateOut], summary="Modèles de parcours")
def templates(request, cpts: str | None = None):
    membership = api_membership(request, cpts)
    return services.templates_for(membership.cpts)


class TaskOut(Schema):
    id: str
    step: str
    label: str
    due_date: datetime.date
    status: str
    result_number: float | None = None
    result_bool: bool | None = None

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_step(obj):
        return obj.step.code if obj.step_id else ""

    @staticmethod
    def resolve_label(obj):
        return obj.title


class EnrolmentOut(Schema):
    id: str
    patient: str
    template: str
    version: int
    enrolled_on: datetime.date
    tasks: list[TaskOut]

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_patient(obj):
        return str(obj.patient.public_id)

    @staticmethod
    def resolve_template(obj):
        return obj.template.slug

    @staticmethod
    def resolve_version(obj):
        return obj.template.version

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.select_related("step").order_by("due_date", "pk"))


class TeamMemberIn(Schema):
    email: str
    role: str = ""
    referent: bool = False


class EnrolmentIn(Schema):
    patient: str
    template: str
    team: list[TeamMemberIn] = []
    cpts: str | None = None


@router.post("/pathways/enrolments", response={201: EnrolmentOut}, summary="Inclure un patient")
def create_enrolment(request, payload: EnrolmentIn):
    membership = api_membership(request, payload.cpts)
    if not permissions.enrol_patients(membership):
        raise Http404
    patient = get_patient(membership, payload.patient, request=request)
    template = next((t for t in services.templates_for(membership.cpts)
                     if t.slug == payload.template), None)  # fmt: skip
    if template is None:
        raise ValidationError({"template": f"Parcours inconnu : {payload.template}."})
    team = []
    requested = payload.team
    if not requested:
        # No team given: the patient's médecin traitant (member of the CPTS) as référent,
        # with the caller; otherwise the caller alone, as référent.
        _members, gp_id = services.proposed_team(membership.cpts, patient)
        gp = patient.attending_gp if gp_id else None
        requested = [TeamMemberIn(email=gp.email, role="Médecin traitant", referent=True)] \
            if gp else []  # fmt: skip
        if not gp or gp.pk != request.auth.pk:
            requested.append(TeamMemberIn(email=request.auth.email, referent=not gp))
    for member in requested:
        found = (
            Membership.objects.active()
            .filter(cpts=membership.cpts, user__email=member.email.lower())
            .first()
        )
        if found is None:
            raise ValidationError({"team": f"{member.email} n'est pas membre de la CPTS."})
        team.append((found.user, member.role, member.referent))
    enrolment = services.enrol(
        cpts=membership.cpts,
        patient=patient,
        template=template,
        actor=request.auth,
        team=team,
        request=request,
    )
    return Response(201, enrolment)


@router.get("/pathways/enrolments/{enrolment_id}", response=EnrolmentOut,
            summary="Lire un parcours")  # fmt: skip
def read_enrolment(request, enrolment_id: str, cpts: str | None = None):
    membership = api_membership(request, cpts)
    return get_enrolment(membership, enrolment_id, request=request)


class CompleteIn(Schema):
    value: str | float | bool | None = None
    note: str = ""
    done_on: datetime.date | None = None
    confirm_out_of_range: bool = False
    cpts: str | None = None


@router.post("/pathways/tasks/{task_id}/complete", response=TaskOut,
             summary="Marquer une tâche comme faite")  # fmt: skip
def complete_task(request, task_id: str, payload: CompleteIn):
    membership = api_membership(request, payload.cpts)
    task = get_by_public_id(tasks_visible_to(membership).select_related("step"), task_id)
    return services.complete(task=task, actor=request.auth, value=payload.value,
                             note=payload.note, on=payload.done_on,
                             confirm_out_of_range=payload.confirm_out_of_range,
                             request=request)  # fmt: skip
