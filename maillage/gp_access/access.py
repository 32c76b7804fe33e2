"""Who may see which request for a médecin traitant: the need-to-know rule of patients,
applied to requests. Views and API reach requests only through here."""

from django.db.models import Exists, OuterRef, Q

from maillage.core import permissions
from maillage.core.access import get_by_public_id
from maillage.patients.access import get_patient, patients_visible_to
from maillage.patients.duplicates import REVIEW_GRANT
from maillage.patients.models import PatientAccess

from .models import GpRequest


def requests_visible_to(membership):
    """Coordinators: all requests of the CPTS. A partner: the requests they referred (they
    created them, or their referral was matched by the coordination to a patient already
    waiting). A professional: the requests of patients they may see (referred by them, or
    proposed to them). Board: none."""
    queryset = GpRequest.objects.for_cpts(membership.cpts)
    if permissions.see_all_patients(membership):
        return queryset
    if permissions.follows_own_referrals_only(membership):
        matched = PatientAccess.objects.active().filter(
            patient=OuterRef("patient_id"), user=membership.user, reason=REVIEW_GRANT
        )
        return queryset.filter(Q(created_by=membership.user) | Exists(matched))
    visible = patients_visible_to(membership).filter(pk=OuterRef("patient_id"))
    return queryset.filter(Exists(visible))


def get_request(membership, public_id, *, request):
    gp_request = get_by_public_id(
        requests_visible_to(membership).select_related("patient", "patient__commune"), public_id
    )
    # Reading a request is reading patient data: audited through the patient helper.
    get_patient(membership, gp_request.patient.public_id, request=request,
                purpose="patient.read")  # fmt: skip
    return gp_request
