"""Need-to-know access to patients. Every view and API call reaches a patient here, and
every read leaves an audit event."""

from django.db.models import Exists, OuterRef

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id
from maillage.core.models import Membership

from .models import Patient, PatientAccess


def patients_visible_to(membership: Membership):
    """Coordinators: every current patient of their CPTS. Board: none. Others: the
    patients they were granted access to (proposed to them, referred by them...)."""
    base = Patient.objects.for_cpts(membership.cpts).current()
    if permissions.see_all_patients(membership):
        return base
    if not permissions.see_patients(membership):
        return base.none()
    grants = PatientAccess.objects.active().filter(patient=OuterRef("pk"), user=membership.user)
    return base.filter(Exists(grants))


def get_patient(membership: Membership, public_id, *, request=None, purpose="patient.read"):
    """The patient if the caller may see them (404 otherwise), with an audit event."""
    patient = get_by_public_id(patients_visible_to(membership), public_id)
    audit.record(
        action=purpose, actor=membership.user, cpts=membership.cpts, obj=patient,
        request=request,
    )  # fmt: skip
    return patient


def grant_access(*, patient: Patient, user, reason: str) -> PatientAccess:
    grant, _ = PatientAccess.objects.get_or_create(
        patient=patient, user=user, reason=reason, revoked_at=None
    )
    return grant


def revoke_access(*, patient: Patient, user, reason: str) -> int:
    from django.utils import timezone

    return (
        PatientAccess.objects.active()
        .filter(patient=patient, user=user, reason=reason)
        .update(revoked_at=timezone.now())
    )
