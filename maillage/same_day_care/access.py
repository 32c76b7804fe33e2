"""Who sees a same-day request: the person who recorded it, the professional booked for
it, and the coordinators. Every read is audited."""

from django.db.models import Exists, OuterRef, Q

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id

from .models import Appointment, SameDayRequest


def requests_visible_to(membership):
    queryset = SameDayRequest.objects.filter(cpts=membership.cpts)
    if permissions.see_all_patients(membership):
        return queryset
    if not permissions.see_patients(membership):
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
    if permissions.see_all_patients(membership):
        return queryset
    if not permissions.see_patients(membership):
        return queryset.none()
    return queryset.filter(Q(slot__professional=membership.user) |
                           Q(request__created_by=membership.user))  # fmt: skip


def audit_subject(cpts, public_id):
    """The person of a same-day request (it holds its own identity) for the access report."""
    from maillage.core.audit_trail import Subject

    found = SameDayRequest.objects.filter(cpts=cpts, public_id=public_id).first()
    if found is None:
        return None
    return Subject(public_id=found.public_id, kind="Demande de soins non programmés",
                   label=f"{found.display_name}, né(e) le {found.birth_date:%d/%m/%Y}")
