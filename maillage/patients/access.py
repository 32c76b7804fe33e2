"""Need-to-know access to patients. Every view and API call reaches a patient here, and
every read leaves an audit event."""

import datetime

from django.db.models import Exists, OuterRef, Q

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id
from maillage.core.models import Membership
from maillage.territory.models import search_key

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


def get_patient(membership: Membership, public_id, *, request=None, purpose="patient.read",
                detail=None):
    """The patient if the caller may see them (404 otherwise), with an audit event."""
    patient = get_by_public_id(patients_visible_to(membership), public_id)
    audit.record(
        action=purpose, actor=membership.user, cpts=membership.cpts, obj=patient,
        request=request, detail=detail,
    )  # fmt: skip
    return patient


def record_shown(membership: Membership, subjects, *, request=None, where: str,
                 action: str = "patient.list") -> int:
    """Audit a page, export or feed showing several people: one row per person shown
    (patients or same-day requests), in one insert. `where` names the page."""
    return audit.record_each(
        action=action, subjects=subjects, actor=membership.user, cpts=membership.cpts,
        request=request, detail={"via": where},
    )  # fmt: skip


SEARCH_LIMIT = 20


def search(membership: Membership, text: str, limit: int = SEARCH_LIMIT) -> list[Patient]:
    """Patients the caller may see matching what they typed: names (accents and case
    ignored, any order), a birth date (JJ/MM/AAAA or AAAA-MM-JJ) and/or a NIR. Only the
    matches are returned, at most `limit`: the caller audits what it shows."""
    queryset = patients_visible_to(membership)
    words = text.replace(",", " ").split()[:6]
    if not words:
        return []
    for word in words:
        digits = word.replace(" ", "")
        day = _date(word)
        if day is not None:
            queryset = queryset.filter(birth_date=day)
        elif digits.isdigit() and len(digits) >= 13:
            queryset = queryset.filter(nir__startswith=digits[:13])
        else:
            key = search_key(word)
            if not key:
                continue
            queryset = queryset.filter(Q(match_key__contains=key)
                                       | Q(used_name__icontains=word))  # fmt: skip
    return list(queryset.select_related("commune").order_by("birth_name", "first_names",
                                                            "pk")[:limit])  # fmt: skip


def _date(word: str):
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(word, fmt).date()
        except ValueError:
            continue
    return None


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


def audit_subject(cpts, public_id):
    """The person behind a patient record (current, archived or merged) for the access
    report, with every record of theirs: the records merged into it and the duplicate
    submissions that led to it."""
    from maillage.core.audit_trail import Subject

    from .models import DuplicateReview

    patient = Patient.objects.filter(cpts=cpts, public_id=public_id).first()
    if patient is None:
        review = DuplicateReview.objects.filter(cpts=cpts, public_id=public_id).first()
        if review is None:
            return None
        born = review.birth_date
        return Subject(public_id=review.public_id, kind="Identité saisie (doublon à vérifier)",
                       label=f"{review.display_name}" + (f", né(e) le {born:%d/%m/%Y}"
                                                         if born else ""))  # fmt: skip
    related, frontier = [], [patient.pk]
    while frontier:  # records merged into this one, and into those, and so on
        merged = list(Patient.objects.filter(merged_into_id__in=frontier)
                      .values_list("pk", "public_id"))  # fmt: skip
        related += [public for _pk, public in merged]
        frontier = [pk for pk, _public in merged]
    # Identities submitted that matched this patient or were found to be them.
    related += list(DuplicateReview.objects.filter(Q(patient=patient) | Q(candidates=patient))
                    .values_list("public_id", flat=True).distinct())  # fmt: skip
    born = "née" if patient.sex == "F" else "né"
    return Subject(public_id=patient.public_id, kind="Patient", related=related,
                   label=f"{patient.display_name}, {born} le {patient.birth_date:%d/%m/%Y}")
