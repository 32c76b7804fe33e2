"""API of the crisis mission: /api/v1/crisis/..."""

from ninja import Router

router = Router(tags=["crise"])

# -- plan --
import datetime  # noqa: E402

from ninja import Schema  # noqa: E402
from ninja import Status as PlanStatus  # noqa: E402

from maillage.core import permissions  # noqa: E402
from maillage.core.api import api_membership, api_permission  # noqa: E402
from maillage.core.api_types import ERRORS, CptsSlug  # noqa: E402

from . import plan as crisis_plan  # noqa: E402


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
        return PlanStatus(404, {"detail": "Aucune version du plan de crise n'est encore "
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
from typing import Annotated  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402
from ninja import Field, Schema  # noqa: E402
from ninja import Status as Response  # noqa: E402
from pydantic import field_validator  # noqa: E402

from maillage.core import permissions  # noqa: E402
from maillage.core.api import api_membership, api_permission  # noqa: E402
from maillage.core.api_types import (  # noqa: E402
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    Date,
    choice,
    model_text,
    refuse,
)

from . import activations as activation_services  # noqa: E402
from .models import Activation, ActivationKind, Authority, CrisisType  # noqa: E402


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


def _unprocessable(exc: ValidationError):
    """The service's refusals are input errors too: 422 naming the field, as the schema's."""
    pairs = ([(f, " ".join(m)) for f, m in exc.message_dict.items()]
             if hasattr(exc, "error_dict") else [(None, " ".join(exc.messages))])  # fmt: skip
    errors = [{"field": f, "message": m} for f, m in pairs]
    first = errors[0]
    detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return Response(422, {"detail": detail, "errors": errors})


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
        return _unprocessable(exc)
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
