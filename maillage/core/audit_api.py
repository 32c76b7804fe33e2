"""The audit trail over the API, for the coordination: `GET /api/v1/audit?patient=<id>`
answers a person's access request; `?actor=<e-mail>` lists what a member did."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from . import audit, audit_trail, permissions
from .api import api_membership, api_permission
from .api_types import ERRORS, CptsSlug, text
from .models import AuditEvent

router = Router(tags=["journal d'audit"])


class AuditEventOut(Schema):
    at: datetime.datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    ip: str | None


class AuditPage(PageNumberPagination):
    """`{"count", "results"}` with `?page=` (50 per page)."""

    class Output(Schema):
        count: int
        results: list[AuditEventOut]

    items_attribute = "results"

    def paginate_queryset(self, queryset, pagination, request, **params):
        # A page past the last one is empty, never a huge offset sent to the database.
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        count = self._items_count(queryset)
        rows = list(queryset[offset : offset + size]) if offset < count else []
        results = [{"at": e.at, "actor": e.actor_email, "action": e.action,
                    "action_label": audit_trail.action_label(e.action),
                    "object_type": e.object_type, "ip": e.ip} for e in rows]  # fmt: skip
        return {"results": results, "count": count}


@router.get("/audit", response={200: list[AuditEventOut], **ERRORS},
            summary="Journal d'audit (coordination)")  # fmt: skip
@paginate(AuditPage, page_size=50)
@api_permission(permissions.read_audit)
def audit_events(request, patient: text(36) = "", actor: text(254) = "",
                 cpts: CptsSlug | None = None):  # fmt: skip
    membership = api_membership(request, cpts)
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_email=actor.strip().lower())
    if patient:
        try:
            uuid.UUID(patient)
        except ValueError as exc:
            raise ValidationError({"patient": "Identifiant de personne invalide."}) from exc
        subject = audit_trail.find_subject(membership.cpts, patient)
        if subject is None:
            raise Http404
        events = audit_trail.events_about(membership.cpts, subject, events)
    else:
        events = events.for_cpts(membership.cpts).order_by("-at", "-id")
    audit.record(action="audit.api_read", actor=request.auth, cpts=membership.cpts,
                 patient=patient or None, request=request,
                 detail={k: v for k, v in (("actor", actor),) if v})  # fmt: skip
    return events
