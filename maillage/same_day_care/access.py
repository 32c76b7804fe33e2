"""Who sees a same-day request: the person who recorded it, the professional booked for
it, and the coordinators. Every read is audited."""

from django.db.models import Exists, OuterRef, Q

from maillage.core import audit
from maillage.core.access import get_by_public_id
from maillage.core.models import Role

from .models import Appointment, SameDayRequest

# Who may record a request and book for it (the board never does).
REQUESTER_ROLES = (Role.COORDINATOR, Role.REGULATOR, Role.PROFESSIONAL, Role.PARTNER)


def requests_visible_to(membership):
    queryset = SameDayRequest.objects.filter(cpts=membership.cpts)
    if membership.role == Role.COORDINATOR:
        return queryset
    if not membership.can_see_patients():
        return queryset.none()
    booked_with_me = Appointment.objects.filter(
        request=OuterRef("pk"), slot__professional=membership.user
    ).exclude(status=Appointment.Status.CANCELLED)
    return queryset.filter(Q(created_by=membership.user) | Exists(booked_with_me))


def get_request(membership, public_id, *, request=None):
    snp_request = get_by_public_id(
        requests_visible_to(membership).select_related("commune"), public_id
    )
    audit.record(action="snp.request_read", actor=membership.user, cpts=membership.cpts,
                 obj=snp_request, request=request)  # fmt: skip
    return snp_request


def appointments_visible_to(membership):
    queryset = Appointment.objects.filter(cpts=membership.cpts)
    if membership.role == Role.COORDINATOR:
        return queryset
    if not membership.can_see_patients():
        return queryset.none()
    return queryset.filter(Q(slot__professional=membership.user) |
                           Q(request__created_by=membership.user))  # fmt: skip
