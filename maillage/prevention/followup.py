"""From a positive screening to care: the follow-up of each positive participant
(identity with consent, referral letter to the médecin traitant, a request in the
médecin-traitant queue when they have none, proposal of the diabetes pathway once
confirmed, seen / lost).

Area: followup.

Who sees a follow-up (permission follow_screening_referrals): the coordination all of
them; a professional those addressed to them (`gp`) and those of the participants they
entered. Every identity shown goes through maillage.patients.access (one audit row per
patient); notifications never carry health data or identity, only a link.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id
from maillage.core.models import Membership
from maillage.patients.access import grant_access

from .models import FollowUp, FollowUpStatus, Participant

# Why a professional may see a patient they did not create: the grant's reason.
GRANT_REASON = "orientation après un dépistage (prévention)"
STALE_DAYS = 30
# Questionnaires whose confirmed result is a diabetes: the diabetes pathway is proposed.
DIABETES_QUESTIONNAIRES = frozenset({"findrisc", "glycemie"})


class Outcome:
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    CHOICES = [(CONFIRMED, "Confirmé"), (NOT_CONFIRMED, "Non confirmé")]
    LABELS = dict(CHOICES)


RISK_LABELS = {
    "low": "risque faible", "slight": "risque légèrement augmenté",
    "moderate": "risque modéré", "high": "risque élevé", "very_high": "risque très élevé",
}  # fmt: skip
QUESTIONNAIRE_LABELS = {"findrisc": "FINDRISC", "tension": "Tension artérielle",
                        "glycemie": "Glycémie capillaire"}  # fmt: skip

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.followup_open": "Ouverture du suivi d'un dépistage positif",
        "prevention.followup_identity": "Identité recueillie pour un dépistage positif",
        "prevention.followup_refer": "Orientation après un dépistage positif",
        "prevention.followup_decline": "Orientation refusée par la personne dépistée",
        "prevention.followup_seen": "Consultation après un dépistage positif",
        "prevention.followup_lost": "Personne dépistée perdue de vue",
        "prevention.followup_pathway": "Parcours diabète proposé après un dépistage",
        "prevention.followup_read": "Lecture du suivi d'un dépistage positif",
        "prevention.followup_list": "Liste des orientations après dépistage",
        "prevention.followup_letter": "Courrier d'orientation après dépistage",
        "prevention.followup": "Identité recueillie pour le suivi d'un dépistage positif",
    },
    "objects": {"prevention.FollowUp": "Suivi d'un dépistage positif"},
    "places": {"prevention.followups": "Liste des orientations après dépistage",
               "prevention.followup": "Suivi d'un dépistage positif"},
}


# -- the reason ---------------------------------------------------------------------------


def _decimal(value) -> str:
    try:
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    except (InvalidOperation, ValueError):
        return str(value)


def measure_text(measure: dict) -> str:
    kind = measure.get("kind")
    if kind == "glucose":
        fasting = measure.get("fasting")
        when = " à jeun" if fasting else (" non à jeun" if fasting is False else "")
        return f"glycémie capillaire {_decimal(measure.get('value'))} g/L{when}"
    if kind in ("bp", "blood_pressure", "tension"):
        value = measure.get("value")
        if not value and measure.get("systolic"):
            value = f"{measure.get('systolic')}/{measure.get('diastolic')}"
        return f"tension {value} mmHg"
    return f"{kind} {measure.get('value', '')}".strip()


def reason_for(participant: Participant) -> str:
    """The reason in French, from the participant's result, e.g. "FINDRISC 15 (risque
    élevé) ; glycémie capillaire 2,30 g/L non à jeun". No identity in it."""
    parts = []
    label = QUESTIONNAIRE_LABELS.get(participant.questionnaire, participant.questionnaire)
    if participant.score is not None:
        risk = RISK_LABELS.get(participant.risk, participant.risk)
        parts.append(f"{label} {participant.score}" + (f" ({risk})" if risk else ""))
    elif label:
        parts.append(label)
    parts += [measure_text(m) for m in participant.measures or [] if isinstance(m, dict)]
    return " ; ".join(p for p in parts if p)[:300]


# -- visibility ---------------------------------------------------------------------------


def visible_to(membership: Membership):
    """The follow-ups the member may see (see the module docstring)."""
    base = FollowUp.objects.for_cpts(membership.cpts)
    if permissions.manage_prevention(membership):
        return base
    if not permissions.follow_screening_referrals(membership):
        return base.none()
    return base.filter(Q(gp=membership.user) | Q(participant__entered_by=membership.user))


def get_follow_up(membership: Membership, public_id) -> FollowUp:
    return get_by_public_id(
        visible_to(membership).select_related("participant__action", "participant__patient",
                                              "participant__commune", "gp"),
        public_id)  # fmt: skip


def can_refer(membership: Membership, follow_up: FollowUp) -> bool:
    """Identity and referral: the coordination, or who entered the participant."""
    return permissions.manage_prevention(membership) or (
        follow_up.participant.entered_by_id == membership.user.pk)


def can_confirm(membership: Membership, follow_up: FollowUp) -> bool:
    """"Vu par un médecin": the GP it is addressed to, or the coordination."""
    return permissions.manage_prevention(membership) or follow_up.gp_id == membership.user.pk


def can_mark_lost(membership: Membership) -> bool:
    return permissions.manage_prevention(membership)


def is_diabetes(follow_up: FollowUp) -> bool:
    return follow_up.participant.questionnaire in DIABETES_QUESTIONNAIRES


def stale_before(now=None):
    return (now or timezone.now()) - datetime.timedelta(days=STALE_DAYS)


def counts(queryset) -> dict:
    """Per status, for the list page and the indicators: to refer, referred, seen, lost,
    declined."""
    rows = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: rows.get(status, 0) for status in FollowUpStatus.values}


# -- writes -------------------------------------------------------------------------------


def _link(follow_up) -> str:
    return reverse("prevention:followup", args=[follow_up.cpts.slug, follow_up.public_id])


def _touch(follow_up, **fields):
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(follow_up, name, value)
    follow_up.save(update_fields=list(fields))


def _require(follow_up, *statuses):
    if follow_up.status not in statuses:
        raise ValidationError(
            f"Ce suivi est « {follow_up.get_status_display().lower()} » : cette étape n'est "
            "plus possible.")


@transaction.atomic
def open_for(*, participant, actor, request=None) -> FollowUp:
    """Open (idempotently) the follow-up of a participant whose result is positive and
    return it. Called by participants.enter / add_measure inside their transaction."""
    follow_up, created = FollowUp.objects.get_or_create(
        participant=participant,
        defaults={"cpts": participant.cpts, "reason": reason_for(participant),
                  "status": FollowUpStatus.TO_REFER},
    )  # fmt: skip
    if not created:
        # A new measure may have sharpened the result: the reason follows it while nobody
        # has been addressed yet.
        reason = reason_for(participant)
        if follow_up.status == FollowUpStatus.TO_REFER and reason != follow_up.reason:
            _touch(follow_up, reason=reason)
        return follow_up
    audit.record(action="prevention.followup_open", actor=actor, cpts=participant.cpts,
                 obj=follow_up, request=request,
                 detail={"action": str(participant.action.public_id)})  # fmt: skip
    coordination = [m.user for m in Membership.objects.active().filter(cpts=participant.cpts)
                    .with_permission(permissions.manage_prevention).select_related("user")]
    if coordination:
        from maillage.notifications.services import notify

        notify(cpts=participant.cpts, recipients=coordination, kind="prevention.positive",
               subject="Dépistage positif à adresser",
               body="Un dépistage positif attend son orientation vers un médecin.",
               link=_link(follow_up), ref=f"prevention.followup:{follow_up.public_id}")  # fmt: skip
    return follow_up


def _grant(patient, *users):
    for user in users:
        if user is not None:
            grant_access(patient=patient, user=user, reason=GRANT_REASON)


@transaction.atomic
def attach_patient(*, follow_up, patient, actor, request=None) -> FollowUp:
    """The person consented to give their identity: the participant points to the patient
    (created with its consent by patients.services, or picked)."""
    _require(follow_up, FollowUpStatus.TO_REFER)
    if patient.cpts_id != follow_up.cpts_id:
        raise ValidationError({"patient": "Patient inconnu dans cette CPTS."})
    participant = follow_up.participant
    participant.patient = patient
    participant.save(update_fields=["patient"])
    _grant(patient, participant.entered_by)
    _touch(follow_up)
    audit.record(action="prevention.followup_identity", actor=actor, cpts=follow_up.cpts,
                 obj=follow_up, patient=patient, request=request)  # fmt: skip
    return follow_up


@transaction.atomic
def refer(*, follow_up, actor, gp=None, gp_name="", request=None) -> FollowUp:
    """Address the person: to a member GP (in-app notice with a link) or to a GP named by
    hand (the letter is given to the person), or, with neither, to the médecin-traitant
    queue (handoffs.gp_request)."""
    _require(follow_up, FollowUpStatus.TO_REFER)
    patient = follow_up.participant.patient
    if patient is None:
        raise ValidationError("Recueillez d'abord l'identité de la personne, avec son accord.")
    # Pages and the letter say "Dr <name>": a name typed with its title keeps one.
    gp_name = re.sub(r"^(dr\.?|docteure?)\s+", "", " ".join((gp_name or "").split()),
                     flags=re.IGNORECASE)[:200]  # fmt: skip
    now = timezone.now()
    if gp is None and not gp_name:
        from . import handoffs

        request_id = handoffs.gp_request(cpts=follow_up.cpts, patient=patient, actor=actor,
                                         reason=follow_up.reason, request=request)  # fmt: skip
        _touch(follow_up, has_gp=False, gp=None, gp_name="", gp_request_id=request_id,
               status=FollowUpStatus.REFERRED, referred_at=now)  # fmt: skip
    else:
        if gp is not None:
            gp_name = gp.get_full_name() or gp.email
        _touch(follow_up, has_gp=True, gp=gp, gp_name=gp_name, status=FollowUpStatus.REFERRED,
               referred_at=now, letter_at=now)  # fmt: skip
        if gp is not None:
            _grant(patient, gp)
            from maillage.notifications.services import notify

            notify(cpts=follow_up.cpts, recipients=[gp], kind="prevention.referral",
                   subject="Patient adressé après un dépistage",
                   body="Un patient vous est adressé après un dépistage organisé par la "
                        "CPTS : le courrier est dans Maillage.",
                   link=_link(follow_up),
                   ref=f"prevention.followup:{follow_up.public_id}")  # fmt: skip
    audit.record(action="prevention.followup_refer", actor=actor, cpts=follow_up.cpts,
                 obj=follow_up, patient=patient, request=request,
                 detail={"has_gp": follow_up.has_gp,
                         "queue": str(follow_up.gp_request_id or "")})  # fmt: skip
    return follow_up


@transaction.atomic
def decline(*, follow_up, actor, request=None) -> FollowUp:
    _require(follow_up, FollowUpStatus.TO_REFER)
    _touch(follow_up, status=FollowUpStatus.DECLINED, closed_at=timezone.now())
    audit.record(action="prevention.followup_decline", actor=actor, cpts=follow_up.cpts,
                 obj=follow_up, patient=follow_up.participant.patient, request=request)
    return follow_up


@transaction.atomic
def record_seen(*, follow_up, actor, seen_on, outcome, request=None) -> FollowUp:
    _require(follow_up, FollowUpStatus.REFERRED, FollowUpStatus.LOST)
    errors = {}
    if outcome not in Outcome.LABELS:
        errors["outcome"] = "Indiquez si le médecin a confirmé le résultat."
    if seen_on is None:
        errors["seen_on"] = "Indiquez la date de la consultation."
    elif seen_on > timezone.localdate():
        errors["seen_on"] = "La date de la consultation est dans le futur."
    elif follow_up.referred_at and seen_on < timezone.localdate(follow_up.referred_at) - \
            datetime.timedelta(days=1):
        errors["seen_on"] = "La consultation ne peut pas précéder l'orientation."
    if errors:
        raise ValidationError(errors)
    _touch(follow_up, status=FollowUpStatus.SEEN, seen_on=seen_on, outcome=outcome,
           confirmed_by=actor, closed_at=timezone.now())  # fmt: skip
    audit.record(action="prevention.followup_seen", actor=actor, cpts=follow_up.cpts,
                 obj=follow_up, patient=follow_up.participant.patient, request=request,
                 detail={"outcome": outcome})  # fmt: skip
    return follow_up


@transaction.atomic
def mark_lost(*, follow_up, actor, request=None) -> FollowUp:
    _require(follow_up, FollowUpStatus.TO_REFER, FollowUpStatus.REFERRED)
    _touch(follow_up, status=FollowUpStatus.LOST, closed_at=timezone.now())
    audit.record(action="prevention.followup_lost", actor=actor, cpts=follow_up.cpts,
                 obj=follow_up, patient=follow_up.participant.patient, request=request)
    return follow_up


def can_propose_pathway(follow_up) -> bool:
    return (follow_up.status == FollowUpStatus.SEEN and follow_up.outcome == Outcome.CONFIRMED
            and is_diabetes(follow_up) and follow_up.participant.patient_id is not None)


@transaction.atomic
def propose_pathway(*, follow_up, actor, request=None) -> str:
    """Record that the diabetes pathway was proposed; returns the pathways enrol page with
    the patient and the diabetes template preselected (the enrolment itself, with its care
    team, is made there)."""
    from . import handoffs

    if not can_propose_pathway(follow_up):
        raise ValidationError("Le parcours diabète se propose après un diabète confirmé.")
    if follow_up.pathway_proposed_at is None:
        _touch(follow_up, pathway_proposed_at=timezone.now())
        audit.record(action="prevention.followup_pathway", actor=actor, cpts=follow_up.cpts,
                     obj=follow_up, patient=follow_up.participant.patient, request=request)
    return handoffs.pathway_enrol_url(follow_up.cpts, follow_up.participant.patient)


def ready():
    from maillage.core.audit_trail import register_labels
    from maillage.notifications import kinds

    register_labels(**AUDIT_LABELS)
    kinds.register("prevention.positive", "Dépistage positif à adresser (prévention)",
                   channels=(kinds.IN_APP,))  # fmt: skip
    # In-app only: the e-mail would at least say that someone was screened positive.
    kinds.register("prevention.referral", "Patient adressé après un dépistage (prévention)",
                   channels=(kinds.IN_APP,))  # fmt: skip
    from . import home  # noqa: F401  (its cards register themselves)
