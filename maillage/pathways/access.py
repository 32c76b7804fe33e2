"""A pathway is visible to its care team and to the CPTS's coordinators; reads audited."""

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id

from .models import Enrolment, Task


def enrolments_visible_to(membership):
    queryset = Enrolment.objects.filter(cpts=membership.cpts)
    if permissions.coordinate_pathways(membership):
        return queryset
    if not permissions.see_patients(membership):
        return queryset.none()
    return queryset.filter(team__user=membership.user).distinct()


def get_enrolment(membership, public_id, *, request=None):
    enrolment = get_by_public_id(
        enrolments_visible_to(membership).select_related("patient", "template"), public_id
    )
    audit.record(action="pathway.read", actor=membership.user, cpts=membership.cpts,
                 obj=enrolment, patient=enrolment.patient, request=request)  # fmt: skip
    return enrolment


def tasks_visible_to(membership):
    return Task.objects.filter(enrolment__in=enrolments_visible_to(membership))
