"""API of the crisis mission: /api/v1/crisis/..."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja import Status as Response
from pydantic import field_validator

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    Date,
    choice,
    model_text,
    refuse,
    text,
    unprocessable,
)

from . import activations as activation_services
from . import alerts as alert_service
from . import board as alert_board
from . import plan as crisis_plan
from .models import Activation, ActivationKind, Alert, Authority, CrisisType

router = Router(tags=["crise"])

# -- plan --





class PlanSectionOut(Schema):
    code: str
    title: str
    body: str


class PlanOut(Schema):
    version: int
    approved_at: datetime.datetime
    approved_by: str
    delivered_on: datetime.date | None
    frame_version: str
    sections: list[PlanSectionOut]


@router.get("/crisis/plan", response={200: PlanOut, **ERRORS},
            summary="Le plan de crise en vigueur (la dernière version approuvée)")  # fmt: skip
@api_permission(permissions.see_crisis_plan)
def crisis_plan_current(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    version = crisis_plan.newest_approved(membership.cpts)
    if version is None:
        return Response(404, {"detail": "Aucune version du plan de crise n'est encore "
                                "approuvée par le bureau.", "errors": []})  # fmt: skip
    return {
        "version": version.number, "approved_at": version.approved_at,
        "approved_by": crisis_plan.person_name(version.approved_by),
        "delivered_on": version.delivered_on, "frame_version": version.frame_version,
        "sections": [{"code": s["code"], "title": s["title"], "body": s.get("body", "")}
                     for s in version.sections],
    }  # fmt: skip


# -- activations --
# A crisis without an authorised trigger is refused by the schema (422 naming `trigger`),
# before anything is written; the service says the same for the pages.





class TriggerIn(Schema):
    authority: choice(Authority.values)
    reference: model_text(Activation, "trigger_reference")
    on: Date | None = None


class ActivationIn(Schema):
    kind: choice(ActivationKind.values)
    crisis_type: choice(CrisisType.values)
    title: model_text(Activation, "title") = ""
    trigger: Annotated[TriggerIn | None, Field(validate_default=True)] = None
    public_notice: Annotated[str, Field(max_length=activation_services.NOTICE_MAX)] = ""
    convene_cell: bool = False
    cpts: CptsSlug | None = None

    @field_validator("trigger")
    @classmethod
    def _authorised(cls, value, info):
        if info.data.get("kind") == ActivationKind.CRISIS and (
                value is None or not value.reference.strip()):  # fmt: skip
            raise refuse(activation_services.TRIGGER_REFUSED)
        return value


class ActivationCreated(Schema):
    id: str
    # With `convene_cell`: how many members of the cell were alerted, and why nobody was.
    convened: int = 0
    warning: str = ""


class ActivationOut(Schema):
    id: str
    kind: choice(ActivationKind.values)
    crisis_type: choice(CrisisType.values)
    title: str
    trigger_authority: str
    trigger_reference: str
    started_at: str
    ended_at: str | None

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_started_at(obj):
        return obj.started_at.isoformat()

    @staticmethod
    def resolve_ended_at(obj):
        return obj.ended_at.isoformat() if obj.ended_at else None



@router.post("/crisis/activations", response={201: ActivationCreated, **WRITE_ERRORS},
             summary="Activer une crise, une vigilance ou un exercice")  # fmt: skip
@api_permission(permissions.manage_crisis)
def create_activation(request, payload: ActivationIn):
    membership = api_membership(request, payload.cpts)
    trigger = payload.trigger
    try:
        activation = activation_services.activate(
            cpts=membership.cpts, actor=request.auth, kind=payload.kind,
            crisis_type=payload.crisis_type, title=payload.title,
            trigger_authority=trigger.authority if trigger else "",
            trigger_reference=trigger.reference if trigger else "",
            trigger_on=trigger.on if trigger else None, public_notice=payload.public_notice,
            convene_cell=payload.convene_cell, request=request,
        )  # fmt: skip
    except ValidationError as exc:
        return unprocessable(exc)
    convened = activation.convened.recipients.count() if activation.convened else 0
    return Response(201, {"id": str(activation.public_id), "convened": convened,
                          "warning": activation.convene_error})


@router.get("/crisis/activations", response={200: list[ActivationOut], **ERRORS},
            summary="Activations (les plus récentes d'abord, 100 au plus)")  # fmt: skip
@api_permission(permissions.see_crisis_plan)
def list_activations(request, live: bool = False, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    rows = Activation.objects.for_cpts(membership.cpts)
    if live:
        rows = rows.live()
    return list(rows.order_by("-started_at")[:100])


# -- alerts --





# More groups than this is a mistake, not an alert.
MAX_GROUPS = 50


class AlertIn(Schema):
    activation: text(36)  # its public id (a UUID)
    groups: Annotated[list[text(60)], Field(max_length=MAX_GROUPS)]
    message: text(alert_service.MESSAGE_MAX)
    channels: Annotated[list[choice(alert_service.CHANNELS)], Field(max_length=3)]
    escalate_after_minutes: Annotated[int, Field(ge=alert_service.ESCALATION_MIN,
                                                 le=alert_service.ESCALATION_MAX)] = 15
    cpts: CptsSlug | None = None


class AlertCreated(Schema):
    id: str
    recipients: int


class AlertFigures(Schema):
    id: str
    recipients: int
    sent: int
    answered: int
    available: int
    unavailable: int
    pending: int


@router.post("/crisis/alerts", response={201: AlertCreated, **WRITE_ERRORS},
             summary="Alerter des groupes de l'arbre d'alerte")  # fmt: skip
@api_permission(permissions.manage_crisis)
def create_alert(request, payload: AlertIn):
    membership = api_membership(request, payload.cpts)
    activation = get_by_public_id(Activation.objects.for_cpts(membership.cpts),
                                  payload.activation)  # fmt: skip
    alert = alert_service.send_alert(
        cpts=membership.cpts, actor=request.auth, activation=activation, groups=payload.groups,
        channels=payload.channels, message=payload.message,
        escalate_after_minutes=payload.escalate_after_minutes, request=request,
    )  # fmt: skip
    return Response(201, {"id": str(alert.public_id), "recipients": alert.recipients.count()})


@router.get("/crisis/alerts/{alert_id}", response={200: AlertFigures, **ERRORS},
            summary="Où en est une alerte : joints, réponses, disponibles")  # fmt: skip
@api_permission(permissions.see_crisis_board)
def read_alert(request, alert_id: str, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    alert = get_by_public_id(Alert.objects.for_cpts(membership.cpts), alert_id)
    figures = alert_board.alert_figures(alert)
    return {"id": str(alert.public_id), "recipients": figures["recipients"],
            "sent": figures["reached"], "answered": figures["answered"],
            "available": figures["available"], "unavailable": figures["unavailable"],
            "pending": figures["pending"]}  # fmt: skip
