"""API of the crisis mission: /api/v1/crisis/..."""

from ninja import Router

router = Router(tags=["crise"])

# -- plan --


# -- activations --


# -- alerts --

from typing import Annotated  # noqa: E402

from ninja import Schema  # noqa: E402
from ninja import Status as Response  # noqa: E402
from pydantic import Field  # noqa: E402

from maillage.core import permissions  # noqa: E402
from maillage.core.access import get_by_public_id  # noqa: E402
from maillage.core.api import api_membership, api_permission  # noqa: E402
from maillage.core.api_types import ERRORS, WRITE_ERRORS, CptsSlug, choice, text  # noqa: E402

from . import alerts as alert_service  # noqa: E402
from . import board as alert_board  # noqa: E402
from .models import Activation as _Activation  # noqa: E402
from .models import Alert as _Alert  # noqa: E402

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
    activation = get_by_public_id(_Activation.objects.for_cpts(membership.cpts),
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
    alert = get_by_public_id(_Alert.objects.for_cpts(membership.cpts), alert_id)
    figures = alert_board.alert_figures(alert)
    return {"id": str(alert.public_id), "recipients": figures["recipients"],
            "sent": figures["reached"], "answered": figures["answered"],
            "available": figures["available"], "unavailable": figures["unavailable"],
            "pending": figures["pending"]}  # fmt: skip
