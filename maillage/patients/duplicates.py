"""Probable duplicates met by members who may not see the patient already recorded.

Creating a patient whose NIR, or birth name + first first name + birth date, matches a
recorded patient is refused with the candidates named only to someone who may see every
one of them (the coordination, or a professional already granted access). Anyone else is
told only that the coordination will check: a `DuplicateReview` keeps what they
submitted, the coordination compares it with the candidates (reads audited) and decides:

- same person: the submitter is granted access to the recorded patient;
- another person: the record is created as submitted;
- rejected (a mistake, a test): nothing is created.

Then the mission the submission was for carries on with that patient: missions register
what to do per purpose (`register_resumer("gp_request", fn)`, from their AppConfig), since
this app may not import them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, permissions

from .access import grant_access, patients_visible_to, record_shown
from .models import DuplicateReview, Patient, match_key
from .services import DuplicateSuspected, clean_patient_data, patient_create

REVIEW_GRANT = "doublon vérifié par la coordination"
CREATOR_GRANT = "fiche créée par l'utilisateur"
_RESUMERS = {}


def register_resumer(purpose: str, resume) -> None:
    """`resume(review=, patient=, actor=, request=)` carries a resolved submission on."""
    _RESUMERS[purpose] = resume


class DuplicateUnderReview(ValidationError):
    """Said to a caller who may not see the probable duplicate: nothing about it."""

    def __init__(self, review: DuplicateReview):
        self.review = review
        super().__init__(
            "Un patient correspondant à cette identité est peut-être déjà enregistré dans "
            "la CPTS. Pour protéger ses données, il ne vous est pas montré : la coordination "
            "va vérifier et donnera suite à votre demande, que vous n'avez pas à refaire "
            f"(référence {str(review.public_id)[:8]}).",
            code="duplicate_review",
        )


def _json_ready(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif hasattr(value, "code") and hasattr(value, "pk"):  # a Commune
            value = value.code
        out[key] = value
    return out


def create_patient_as_member(
    *, membership, data: dict, consent_method, confirm_not_duplicate=False, purpose="patient",
    payload=None, request=None,
) -> Patient:
    """Create a patient for a member (page or API), with the duplicate rule above.

    Raises DuplicateSuspected (the candidates named, audited) to a caller who may see them
    all and has not confirmed it is another person, DuplicateUnderReview to anyone else, or
    the ValidationError of bad data."""
    cleaned = clean_patient_data(data)
    from .services import find_duplicates

    candidates = list(find_duplicates(membership.cpts, cleaned)[:5])
    if candidates:
        visible = set(
            patients_visible_to(membership)
            .filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True)
        )  # fmt: skip
        if len(visible) < len(candidates):
            review = open_review(membership=membership, data=cleaned, candidates=candidates,
                                 consent_method=consent_method, purpose=purpose,
                                 payload=payload or {}, request=request)  # fmt: skip
            raise DuplicateUnderReview(review)
        if not confirm_not_duplicate:
            record_shown(membership, candidates, request=request, where="duplicate_warning",
                         action="patient.duplicate_shown")  # fmt: skip
            raise DuplicateSuspected(candidates)
    patient = patient_create(cpts=membership.cpts, actor=membership.user, data=cleaned,
                             consent_method=consent_method, request=request,
                             allow_duplicate=True)  # fmt: skip
    if not permissions.see_all_patients(membership):
        grant_access(patient=patient, user=membership.user, reason=CREATOR_GRANT)
    return patient


def open_review(*, membership, data, candidates, consent_method, purpose, payload,
                request=None) -> DuplicateReview:
    """The open review of this submitter for this person and purpose (created once)."""
    key = match_key(data["birth_name"], data["first_names"], data["birth_date"])
    lookup = {"cpts": membership.cpts, "submitted_by": membership.user, "match_key": key,
              "purpose": purpose, "status": DuplicateReview.Status.OPEN}  # fmt: skip
    try:
        with transaction.atomic():
            review, created = DuplicateReview.objects.get_or_create(
                **lookup,
                defaults={"data": _json_ready(data), "consent_method": consent_method or "",
                          "payload": _json_ready(payload)},
            )  # fmt: skip
    except IntegrityError:  # the same submission, twice at once
        review, created = DuplicateReview.objects.get(**lookup), False
    if created:
        review.candidates.set(candidates)
        # The candidates were matched, not shown: their trail says someone submitted an
        # identity matching them.
        audit.record_each(action="patient.duplicate_match", subjects=candidates,
                          actor=membership.user, cpts=membership.cpts, request=request,
                          detail={"review": str(review.public_id)})  # fmt: skip
        audit.record(action="duplicate_review.open", actor=membership.user,
                     cpts=membership.cpts, obj=review, request=request,
                     detail={"purpose": purpose, "candidates": len(candidates)})  # fmt: skip
    return review


def reviews_open(cpts):
    return DuplicateReview.objects.filter(cpts=cpts, status=DuplicateReview.Status.OPEN)


def get_review(membership, public_id, *, request=None) -> DuplicateReview:
    """A review for the coordination (404 for anyone else), its reading audited: the
    submitted identity and every candidate shown beside it."""
    from maillage.core.access import get_by_public_id

    if not permissions.resolve_duplicates(membership):
        from django.http import Http404

        raise Http404
    review = get_by_public_id(
        DuplicateReview.objects.filter(cpts=membership.cpts).select_related("submitted_by"),
        public_id,
    )
    audit.record(action="duplicate_review.read", actor=membership.user, cpts=membership.cpts,
                 obj=review, request=request)  # fmt: skip
    record_shown(membership, review.candidates.all(), request=request,
                 where="duplicate_review", action="patient.duplicate_compare")  # fmt: skip
    return review


@transaction.atomic
def review_resolve(*, review: DuplicateReview, actor, decision: str, patient=None, note="",
                   request=None) -> Patient | None:
    """The coordination's decision. Returns the patient the submission goes on with."""
    review = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    if review.status != DuplicateReview.Status.OPEN:
        raise ValidationError("Ce doublon a déjà été traité.")
    note = (note or "").strip()
    if decision == DuplicateReview.Status.SAME:
        if patient is None or not review.candidates.filter(pk=patient.pk).exists():
            raise ValidationError({"patient": "Choisissez le patient enregistré qui correspond."})
        target = Patient.objects.filter(pk=patient.pk).first()
        if target.merged_into_id:
            target = target.merged_into
    elif decision == DuplicateReview.Status.DIFFERENT:
        target = patient_create(cpts=review.cpts, actor=actor, data=review.data,
                                consent_method=review.consent_method or None, request=request,
                                allow_duplicate=True)  # fmt: skip
        if review.submitted_by_id:
            target.created_by = review.submitted_by
            target.save(update_fields=["created_by"])
    elif decision == DuplicateReview.Status.REJECTED:
        if not note:
            raise ValidationError({"note": "Indiquez pourquoi la demande est écartée."})
        target = None
    else:
        raise ValidationError({"decision": "Décision inconnue."})
    review.status, review.resolved_by, review.resolved_at = decision, actor, timezone.now()
    review.note, review.patient = note, target
    review.save(update_fields=["status", "resolved_by", "resolved_at", "note", "patient"])
    submitter = review.submitted_by
    if target is not None and submitter is not None and submitter.is_active:
        grant_access(patient=target, user=submitter, reason=REVIEW_GRANT)
        resume = _RESUMERS.get(review.purpose)
        if resume is not None:
            resume(review=review, patient=target, actor=actor, request=request)
    audit.record(action="duplicate_review.resolve", actor=actor, cpts=review.cpts, obj=review,
                 patient=target, request=request,
                 detail={"decision": decision, "note": note})  # fmt: skip
    return target
