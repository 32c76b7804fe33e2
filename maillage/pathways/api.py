"""Pathways API: templates, enrolment (with the generated tasks), reading, completing."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja import Status as Response
from pydantic import Field

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    Date,
    Email,
    choice,
    fields_renamed,
    model_text,
    text,
)
from maillage.core.models import Membership
from maillage.core.text import echo
from maillage.patients.access import get_patient

from . import services
from .access import get_enrolment, tasks_visible_to
from .models import CareTeamMember, PathwayTemplate, ResultKind, Task

# A result as typed: a number with its decimals, or oui/non.
RESULT_TEXT_MAX = 30
# A care team is a handful of people: a longer list is a mistake, not a team.
MAX_TEAM = 30

router = Router(tags=["parcours"])


class StepOut(Schema):
    code: str
    label: str
    profession_code: str
    due_offset_days: int
    recurrence_days: int | None
    result_kind: choice(ResultKind.values)
    unit: str


class TemplateOut(Schema):
    slug: str
    name: str
    version: int
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


@router.get("/pathways/templates", response={200: list[TemplateOut], **ERRORS},
            summary="Modèles de parcours")  # fmt: skip
@api_permission(permissions.member)
def templates(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    return services.templates_for(membership.cpts)


class TaskOut(Schema):
    id: str
    step: str
    label: str
    due_date: datetime.date
    status: choice(Task.Status.values)
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
    email: Email
    role: model_text(CareTeamMember, "role") = ""
    referent: bool = False


class EnrolmentIn(Schema):
    patient: text(36)  # its public id (a UUID)
    template: model_text(PathwayTemplate, "slug")
    team: Annotated[list[TeamMemberIn], Field(max_length=MAX_TEAM)] = []
    cpts: CptsSlug | None = None


@router.post("/pathways/enrolments", response={201: EnrolmentOut, **WRITE_ERRORS},
             summary="Inclure un patient")  # fmt: skip
@api_permission(permissions.enrol_patients)
def create_enrolment(request, payload: EnrolmentIn):
    membership = api_membership(request, payload.cpts)
    patient = get_patient(membership, payload.patient, request=request)
    template = next((t for t in services.templates_for(membership.cpts)
                     if t.slug == payload.template), None)  # fmt: skip
    if template is None:
        raise ValidationError({"template": f"Parcours inconnu : {echo(payload.template)}."})
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


@router.get("/pathways/enrolments/{enrolment_id}", response={200: EnrolmentOut, **ERRORS},
            summary="Lire un parcours")  # fmt: skip
@api_permission(permissions.see_patients)
def read_enrolment(request, enrolment_id: str, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    return get_enrolment(membership, enrolment_id, request=request)


class CompleteIn(Schema):
    # A number ("7,2" as typed is fine), or yes/no, depending on the step.
    value: text(RESULT_TEXT_MAX) | float | bool | None = None
    note: model_text(Task, "result_note") = ""
    done_on: Date | None = None
    confirm_out_of_range: bool = False
    cpts: CptsSlug | None = None


@router.post("/pathways/tasks/{task_id}/complete", response={200: TaskOut, **WRITE_ERRORS},
             summary="Marquer une tâche comme faite")  # fmt: skip
@api_permission(permissions.see_patients)
def complete_task(request, task_id: str, payload: CompleteIn):
    membership = api_membership(request, payload.cpts)
    task = get_by_public_id(tasks_visible_to(membership).select_related("step"), task_id)
    with fields_renamed(on="done_on", task="task_id"):
        return services.complete(task=task, actor=request.auth, value=payload.value,
                                 note=payload.note, on=payload.done_on,
                                 confirm_out_of_range=payload.confirm_out_of_range,
                                 request=request)  # fmt: skip
