"""Requests for a médecin traitant over the API."""

import datetime

from ninja import Router, Schema
from ninja import Status as Response
from ninja.pagination import paginate

from maillage.core import permissions
from maillage.core.api import api_membership, api_permission
from maillage.core.api_types import (
    ERRORS,
    WRITE_ERRORS,
    CptsSlug,
    choice,
    fields_renamed,
    model_text,
    text,
)
from maillage.core.text import echo
from maillage.directory.api import Page
from maillage.patients.access import get_patient, record_shown

from . import services
from .access import get_request, requests_visible_to
from .models import GpRequest, Origin, Status, Transition

router = Router(tags=["médecin traitant"])


MESSAGE_MAX = 4000


def _text(field: str):
    return model_text(GpRequest, field)


class GpRequestIn(Schema):
    patient: text(36)  # its public id (a UUID)
    # Where the request comes from; by default, from the caller's role.
    origin: choice(Origin.values) | None = None
    # A TextField has no limit of its own: a request's message is a few lines.
    message: text(MESSAGE_MAX) = ""
    carer_name: _text("carer_name") = ""
    carer_relation: _text("carer_relation") = ""
    carer_phone: _text("carer_phone") = ""
    cpts: CptsSlug | None = None


class GpRequestOut(Schema):
    id: str
    patient: str
    status: choice(Status.values)
    origin: choice(Origin.values)
    priority_score: int
    priority_reasons: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_id(obj):
        return str(obj.public_id)

    @staticmethod
    def resolve_patient(obj):
        return str(obj.patient.public_id)


class TransitionIn(Schema):
    to_status: choice(Status.values)
    reason: model_text(Transition, "reason") = ""
    cpts: CptsSlug | None = None


@router.post("/gp-requests", response={201: GpRequestOut, **WRITE_ERRORS},
             summary="Créer une demande")  # fmt: skip
@api_permission(permissions.refer_patient)
def create_request(request, payload: GpRequestIn):
    membership = api_membership(request, payload.cpts)
    patient = get_patient(membership, payload.patient, request=request)
    default = services.default_origin(membership)
    gp_request = services.request_create(
        cpts=membership.cpts, actor=request.auth, patient=patient,
        origin=payload.origin or default, message=payload.message,
        carer_name=payload.carer_name, carer_relation=payload.carer_relation,
        carer_phone=payload.carer_phone, request=request,
    )  # fmt: skip
    return Response(201, gp_request)


class AuditedPage(Page):
    """The page of requests, each patient on it audited (one row each, one insert)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = list(page[self.items_attribute])
        record_shown(request.api_membership, [r.patient for r in page[self.items_attribute]],
                     request=request, where="api.gp_requests")  # fmt: skip
        return page


@router.get("/gp-requests", response={200: list[GpRequestOut], **ERRORS},
            summary="Demandes visibles")  # fmt: skip
@paginate(AuditedPage, page_size=50)
@api_permission(permissions.see_patients)
def list_requests(request, status: choice(["", *Status.values]) = "",
                  cpts: CptsSlug | None = None):  # fmt: skip
    membership = request.api_membership = api_membership(request, cpts)
    queryset = requests_visible_to(membership).select_related("patient")
    if status:
        if status not in Status.values:
            from django.core.exceptions import ValidationError

            raise ValidationError({"status": f"Statut inconnu : {echo(status)}."})
        queryset = queryset.filter(status=status)
    return queryset.order_by("-priority_score", "created_at", "pk")


@router.post("/gp-requests/{request_id}/transition", response={200: GpRequestOut, **WRITE_ERRORS},
             summary="Changer l'état d'une demande")  # fmt: skip
@api_permission(permissions.manage_gp_requests)
def transition_request(request, request_id: str, payload: TransitionIn):
    membership = api_membership(request, payload.cpts)
    gp_request = get_request(membership, request_id, request=request)
    with fields_renamed(status="to_status"):
        if payload.to_status == Status.ASSIGNED:
            return services.declare_assigned(gp_request=gp_request, actor=request.auth,
                                             request=request)  # fmt: skip
        return services.transition(
            gp_request=gp_request,
            to_status=payload.to_status,
            actor=request.auth,
            reason=payload.reason,
            request=request,
        )
