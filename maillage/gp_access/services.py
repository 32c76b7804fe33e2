"""Requests for a médecin traitant: creation, the guarded state machine, capacities,
proposal batches and GP answers. Every write is audited."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Membership, Role, User
from maillage.core.text import echo
from maillage.core.validators import validate_phone_fr
from maillage.notifications.services import notify, resolve
from maillage.patients.access import grant_access, revoke_access
from maillage.patients.models import Patient

from . import engine
from .models import (
    FINISHED,
    GpCapacity,
    GpRequest,
    Origin,
    PriorityRule,
    Proposal,
    ProposalBatch,
    Status,
    Transition,
)
from .priority import priority, weights_for

AUTHOR_GRANT = "demande de médecin traitant (auteur)"
# Where a request comes from when its author does not say: their role in the CPTS.
ORIGIN_BY_ROLE = {Role.COORDINATOR: Origin.COORDINATION, Role.PROFESSIONAL: Origin.PROFESSIONAL,
                  Role.PARTNER: Origin.PARTNER}  # fmt: skip


def default_origin(membership) -> str:
    return ORIGIN_BY_ROLE.get(membership.role, Origin.COORDINATION)
GP_GRANT = "proposition de médecin traitant"


def _open_request(patient):
    return GpRequest.objects.open().filter(patient=patient).first()


@transaction.atomic
def request_create(*, cpts, actor, patient, origin, message="", carer_name="",
                   carer_relation="", carer_phone="", request=None) -> GpRequest:  # fmt: skip
    if origin not in Origin.values:
        raise ValidationError({"origin": "Origine de la demande inconnue."})
    if patient.cpts_id != cpts.pk:
        raise ValidationError({"patient": "Patient inconnu dans cette CPTS."})
    existing = _open_request(patient)
    if existing is not None:
        raise ValidationError({"patient": (
            f"Une demande est déjà en cours pour ce patient (statut : "
            f"{existing.get_status_display().lower()}, depuis le "
            f"{timezone.localtime(existing.created_at):%d/%m/%Y})."
        )})  # fmt: skip
    if origin == Origin.CARER and not carer_name.strip():
        raise ValidationError({"carer_name": "Indiquez le nom de l'aidant."})
    if carer_phone:
        try:
            carer_phone = validate_phone_fr(carer_phone).value
        except ValidationError as exc:
            raise ValidationError({"carer_phone": exc.messages[0]}) from exc
    score, reasons = priority(patient, weights_for(cpts), timezone.localdate())
    author = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            gp_request = GpRequest.objects.create(
                cpts=cpts, patient=patient, origin=origin, created_by=author, message=message,
                carer_name=carer_name, carer_relation=carer_relation, carer_phone=carer_phone,
                priority_score=score, priority_reasons=reasons,
            )  # fmt: skip
    except IntegrityError as exc:  # a concurrent creation for the same patient
        raise ValidationError(
            {"patient": "Une demande est déjà en cours pour ce patient."}
        ) from exc
    if author is not None:
        membership = Membership.objects.active().filter(user=author, cpts=cpts).first()
        if membership and not permissions.see_all_patients(membership):
            grant_access(patient=patient, user=author, reason=AUTHOR_GRANT)
    audit.record(
        action="gp_request.create",
        actor=author,
        cpts=cpts,
        obj=gp_request,
        request=request,
        patient=patient,
        detail={"origin": origin},
    )
    return gp_request


DUPLICATE_PURPOSE = "gp_request"


def resume_after_duplicate_review(*, review, patient, actor, request=None) -> None:
    """A request held back by a probable duplicate goes on once the coordination has
    decided which patient it is: created for that patient, or, when the patient already
    has a request in progress, noted on it."""
    data = review.payload
    existing = _open_request(patient)
    if existing is not None:
        note = (f"{timezone.localtime(review.submitted_at):%d/%m/%Y} : nouvelle demande de "
                f"{review.submitted_by or 'un membre'} (doublon vérifié). "
                f"{data.get('message', '')}").strip()  # fmt: skip
        GpRequest.objects.filter(pk=existing.pk).update(
            notes=(existing.notes + "\n" + note).strip()
        )
        audit.record(action="gp_request.note", actor=actor, cpts=patient.cpts, obj=existing,
                     patient=patient, request=request,
                     detail={"review": str(review.public_id)})  # fmt: skip
        return
    request_create(
        cpts=patient.cpts, actor=review.submitted_by, patient=patient, request=request,
        origin=data.get("origin") or Origin.PARTNER, message=data.get("message", ""),
        carer_name=data.get("carer_name", ""), carer_relation=data.get("carer_relation", ""),
        carer_phone=data.get("carer_phone", ""),
    )  # fmt: skip


def missing_for_qualification(gp_request) -> list[str]:
    """What the file lacks before the request can be proposed to a GP."""
    patient = gp_request.patient
    missing = []
    if patient.commune_id is None:
        missing.append("la commune du patient")
    if not (patient.phone or patient.email or gp_request.carer_phone):
        missing.append("un moyen de contact (téléphone ou e-mail)")
    if not patient.consents.filter(withdrawn_at__isnull=True).exists():
        missing.append("le consentement du patient")
    return missing


@transaction.atomic
def transition(*, gp_request, to_status, actor, reason="", request=None,
               assigned_gp=None) -> GpRequest:  # fmt: skip
    """Move a request along the state machine, under a row lock, or refuse in French."""
    locked = GpRequest.objects.select_for_update().get(pk=gp_request.pk)
    if to_status not in Status.values:
        raise ValidationError({"status": f"Statut inconnu : {echo(to_status)}."})
    current = Status(locked.status)
    target = Status(to_status)
    if target not in locked.allowed_transitions():
        allowed = ", ".join(sorted(f"« {s.label} »" for s in locked.allowed_transitions()))
        raise ValidationError({"status": (
            f"Transition impossible de « {current.label} » vers « {target.label} »."
            + (f" Possibles : {allowed}." if allowed else " La demande est terminée.")
        )})  # fmt: skip
    if target == Status.QUALIFIED:
        missing = missing_for_qualification(locked)
        if missing:
            raise ValidationError({"status": "Dossier incomplet : il manque " +
                                   ", ".join(missing) + "."})  # fmt: skip
        score, reasons = priority(locked.patient, weights_for(locked.cpts), timezone.localdate())
        locked.priority_score, locked.priority_reasons = score, reasons
    if target in (Status.DECLINED, Status.CANCELLED, Status.REDIRECTED) and not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif."})
    now = timezone.now()
    if target == Status.ASSIGNED:
        locked.assigned_gp = assigned_gp or locked.assigned_gp
        locked.assigned_at = now
        if locked.assigned_gp_id:
            # The declaration makes them the patient's médecin traitant everywhere in the
            # platform (proposed first in a pathway's care team).
            Patient.objects.filter(pk=locked.patient_id).update(
                attending_gp_id=locked.assigned_gp_id, updated_at=now
            )
    Transition.objects.create(request=locked, from_status=current, to_status=target,
                              actor=actor if getattr(actor, "is_authenticated", False) else None,
                              reason=reason, at=now)  # fmt: skip
    locked.status, locked.status_changed_at = target, now
    locked.save()
    if target in (Status.CANCELLED, Status.REDIRECTED) or (
        current == Status.PROPOSED and target == Status.QUALIFIED
    ):
        _end_gp_sight(locked, keep=locked.assigned_gp_id)
    audit.record(
        action="gp_request.transition",
        actor=actor,
        cpts=locked.cpts,
        obj=locked,
        patient=locked.patient,
        request=request,
        detail={"from": current, "to": target, "reason": reason},
    )
    return locked


def _end_gp_sight(gp_request, *, keep=None) -> None:
    """A request that ends (cancelled, redirected) or goes back to the waiting list takes
    its patient out of the sight of the GPs it was proposed to: live proposals are
    withdrawn, their grants revoked."""
    live = Proposal.objects.filter(request=gp_request, state=Proposal.State.PENDING)
    waited = list(live.values_list("batch_id", "gp_id").distinct())
    live.update(state=Proposal.State.WITHDRAWN)
    for batch_id, gp_id in waited:
        _settle_bell(batch_id, gp_id)
    for gp_id in set(gp_request.proposals.values_list("gp_id", flat=True)) - {keep}:
        revoke_access(patient=gp_request.patient, user=User.objects.get(pk=gp_id),
                      reason=GP_GRANT)  # fmt: skip


def proposals_of(membership, limit: int = 50) -> list:
    """The proposals a GP may see on their page: only those of a batch that was sent (a
    draft is the coordination's work in progress), newest first. `visible` says whether
    the patient may still be shown: only while the GP's grant holds (pending, accepted);
    after a decline or an expiry the proposal stays in their history without the patient."""
    from maillage.patients.access import patients_visible_to

    proposals = list(
        Proposal.objects.filter(cpts=membership.cpts, gp=membership.user,
                                state__in=Proposal.SENT_STATES)
        .select_related("request__patient__commune").order_by("-sent_at", "-pk")[:limit]
    )  # fmt: skip
    visible = set(
        patients_visible_to(membership)
        .filter(pk__in={p.request.patient_id for p in proposals})
        .values_list("pk", flat=True)
    )
    for proposal in proposals:
        proposal.visible = proposal.request.patient_id in visible and proposal.state in (
            Proposal.State.PENDING, Proposal.State.ACCEPTED)
    return proposals


def expire_overdue_proposals(*, cpts, now=None) -> int:
    """Proposals left without an answer past their deadline expire: the patient goes back
    to the waiting list and out of the GP's sight. Run when the proposal pages open (so it
    holds without a scheduler) and by `maillage gp-expire-proposals`."""
    now = now or timezone.now()
    expired = 0
    overdue = Proposal.objects.filter(cpts=cpts, state=Proposal.State.PENDING,
                                      respond_by__lt=now).values_list("pk", flat=True)  # fmt: skip
    for pk in list(overdue):
        with transaction.atomic():
            proposal = (
                Proposal.objects.select_for_update().select_related("request__patient", "gp")
                .filter(pk=pk, state=Proposal.State.PENDING).first()
            )  # fmt: skip
            if proposal is None:  # answered meanwhile
                continue
            proposal.state, proposal.responded_at = Proposal.State.EXPIRED, now
            proposal.save(update_fields=["state", "responded_at"])
            revoke_access(patient=proposal.request.patient, user=proposal.gp, reason=GP_GRANT)
            _settle_bell(proposal.batch_id, proposal.gp_id)
            if proposal.request.status == Status.PROPOSED:
                deadline = timezone.localtime(proposal.respond_by)
                transition(gp_request=proposal.request, to_status=Status.QUALIFIED, actor=None,
                           reason=f"Sans réponse du Dr {proposal.gp.get_full_name()} avant le "
                                  f"{deadline:%d/%m/%Y}")  # fmt: skip
            audit.record(action="gp_proposal.expire", cpts=cpts, obj=proposal,
                         patient=proposal.request.patient,
                         detail={"gp": proposal.gp.email})  # fmt: skip
            expired += 1
    return expired


# Capacity -----------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, 1))


def remaining_capacity(cpts, on: datetime.date | None = None) -> dict[int, int]:
    """Per GP user id: new patients they can still take this month (pending and accepted
    proposals of the month count against the monthly number)."""
    on = on or timezone.localdate()
    used = dict(
        Proposal.objects.filter(
            cpts=cpts, state__in=[Proposal.State.PENDING, Proposal.State.ACCEPTED],
            sent_at__gte=month_start(on),
        ).values("gp").annotate(n=Count("pk")).values_list("gp", "n")
    )  # fmt: skip
    return {
        c.gp_id: max(0, c.monthly_new_patients - used.get(c.gp_id, 0))
        for c in GpCapacity.objects.filter(cpts=cpts)
        if not c.is_paused(on)
    }


@transaction.atomic
def capacity_update(*, cpts, gp, actor, data: dict, request=None) -> GpCapacity:
    capacity = GpCapacity.objects.filter(cpts=cpts, gp=gp).first() or GpCapacity(cpts=cpts, gp=gp)
    for field in ("monthly_new_patients", "max_distance_km", "min_age", "max_age",
                  "home_visits", "paused_until", "practice_commune"):  # fmt: skip
        if field in data:
            setattr(capacity, field, data[field])
    if (
        capacity.min_age is not None
        and capacity.max_age is not None
        and (capacity.min_age > capacity.max_age)
    ):
        raise ValidationError({"max_age": "L'âge maximum est inférieur à l'âge minimum."})
    if capacity.practice_commune_id is None:
        raise ValidationError({"practice_commune": "Indiquez votre commune d'exercice."})
    capacity.updated_at = timezone.now()
    capacity.save()
    audit.record(
        action="gp_capacity.update",
        actor=actor,
        cpts=cpts,
        obj=capacity,
        request=request,
        detail={k: str(v) for k, v in data.items()},
    )
    return capacity


def set_priority_weights(*, cpts, actor, weights: dict[str, int], request=None):
    for criterion, weight in weights.items():
        PriorityRule.objects.update_or_create(cpts=cpts, criterion=criterion,
                                              defaults={"weight": weight})  # fmt: skip
    # Scores of waiting requests follow the new rules at once.
    rules = weights_for(cpts)
    today = timezone.localdate()
    for gp_request in GpRequest.objects.for_cpts(cpts).open().select_related("patient"):
        score, reasons = priority(gp_request.patient, rules, today)
        if (score, reasons) != (gp_request.priority_score, gp_request.priority_reasons):
            GpRequest.objects.filter(pk=gp_request.pk).update(
                priority_score=score, priority_reasons=reasons
            )
    audit.record(
        action="gp_priority.update",
        actor=actor,
        cpts=cpts,
        request=request,
        detail={k: int(v) for k, v in weights.items()},
    )


# Proposals ----------------------------------------------------------------------------


def candidates_and_offers(cpts, on=None):
    on = on or timezone.localdate()
    now = timezone.now()
    requests = list(
        GpRequest.objects.for_cpts(cpts).waiting()
        .exclude(proposals__state__in=[Proposal.State.DRAFT, Proposal.State.PENDING])
        .select_related("patient__commune")
    )  # fmt: skip
    candidates = [
        engine.Candidate(
            key=r.pk, score=r.priority_score, waiting_days=(now - r.created_at).days,
            age=r.patient.age(on), latitude=r.patient.commune.latitude,
            longitude=r.patient.commune.longitude,
            needs_home_visits=r.patient.needs_home_visits,
        )
        for r in requests
        if r.patient.commune is not None and r.patient.commune.latitude is not None
    ]  # fmt: skip
    remaining = remaining_capacity(cpts, on)
    offers = [
        engine.Offer(
            key=c.gp_id, capacity=remaining.get(c.gp_id, 0),
            latitude=c.practice_commune.latitude, longitude=c.practice_commune.longitude,
            max_distance_km=c.max_distance_km, min_age=c.min_age, max_age=c.max_age,
            home_visits=c.home_visits,
        )
        for c in GpCapacity.objects.filter(cpts=cpts).select_related("practice_commune")
        if remaining.get(c.gp_id, 0) > 0 and c.practice_commune.latitude is not None
    ]  # fmt: skip
    return candidates, offers


@transaction.atomic
def propose_batch(*, cpts, actor, request=None) -> ProposalBatch:
    """Compute an optimal batch of proposals, as a draft for the coordinator to review."""
    ProposalBatch.objects.filter(cpts=cpts, state=ProposalBatch.State.DRAFT).update(
        state=ProposalBatch.State.DISCARDED
    )
    Proposal.objects.filter(cpts=cpts, state=Proposal.State.DRAFT).update(
        state=Proposal.State.WITHDRAWN
    )
    candidates, offers = candidates_and_offers(cpts)
    result = engine.solve(candidates, offers,
                          default_max_km=settings.GP_MATCH_MAX_KM)  # fmt: skip
    batch = ProposalBatch.objects.create(
        cpts=cpts, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        stats={"waiting": len(candidates), "gps": len(offers), "proposed": len(result.matches),
               "value": result.value, "secondary_cost": result.secondary_cost},
    )  # fmt: skip
    Proposal.objects.bulk_create([
        Proposal(cpts=cpts, batch=batch, request_id=m.candidate, gp_id=m.offer,
                 distance_km=round(m.distance_km, 1))
        for m in result.matches
    ])  # fmt: skip
    audit.record(
        action="gp_batch.create",
        actor=actor,
        cpts=cpts,
        obj=batch,
        request=request,
        detail=batch.stats,
    )
    return batch


@transaction.atomic
def batch_send(*, batch, actor, request=None) -> int:
    """Send the reviewed batch: each request becomes `proposed`, the GP may now see the
    patient, and gets an e-mail with a link."""
    if batch.state != ProposalBatch.State.DRAFT:
        raise ValidationError("Ce lot a déjà été envoyé ou abandonné.")
    remaining = remaining_capacity(batch.cpts)
    sent = 0
    for proposal in batch.proposals.filter(state=Proposal.State.DRAFT).select_related(
        "request__patient", "gp"
    ):
        if remaining.get(proposal.gp_id, 0) <= 0 or proposal.request.status != Status.QUALIFIED:
            proposal.state = Proposal.State.WITHDRAWN
            proposal.save(update_fields=["state"])
            continue
        transition(
            gp_request=proposal.request,
            to_status=Status.PROPOSED,
            actor=actor,
            reason=f"Proposée au Dr {proposal.gp.get_full_name()}",
            request=request,
        )
        proposal.state, proposal.sent_at = Proposal.State.PENDING, timezone.now()
        proposal.respond_by = proposal.sent_at + datetime.timedelta(
            days=settings.GP_PROPOSAL_RESPONSE_DAYS
        )
        proposal.save(update_fields=["state", "sent_at", "respond_by"])
        grant_access(patient=proposal.request.patient, user=proposal.gp, reason=GP_GRANT)
        remaining[proposal.gp_id] -= 1
        sent += 1
    batch.state = ProposalBatch.State.SENT
    batch.save(update_fields=["state"])
    for gp_id, count in _per_gp(batch).items():
        _notify_gp(batch, gp_id, count)
    audit.record(
        action="gp_batch.send",
        actor=actor,
        cpts=batch.cpts,
        obj=batch,
        request=request,
        detail={"sent": sent},
    )
    return sent


@transaction.atomic
def batch_discard(*, batch, actor, request=None) -> None:
    if batch.state != ProposalBatch.State.DRAFT:
        raise ValidationError("Ce lot a déjà été envoyé ou abandonné.")
    batch.proposals.filter(state=Proposal.State.DRAFT).update(state=Proposal.State.WITHDRAWN)
    batch.state = ProposalBatch.State.DISCARDED
    batch.save(update_fields=["state"])
    audit.record(
        action="gp_batch.discard", actor=actor, cpts=batch.cpts, obj=batch, request=request
    )


def _per_gp(batch) -> dict[int, int]:
    return dict(batch.proposals.filter(state=Proposal.State.PENDING).values("gp")
                .annotate(n=Count("pk")).values_list("gp", "n"))  # fmt: skip


def _notify_gp(batch, gp_id, count):
    gp = Membership.objects.select_related("user").get(cpts=batch.cpts, user_id=gp_id).user
    link = settings.SITE_URL.rstrip("/") + reverse("gp_access:my_proposals", args=[batch.cpts.slug])
    # No health data in the message: the GP reads it after logging in.
    notify(
        cpts=batch.cpts, recipients=[gp], kind="gp_access.proposals", link=link,
        ref=batch_ref(batch.public_id),
        subject=f"{batch.cpts.name} : {count} patient(s) vous sont proposés",
        body=(
            f"Bonjour,\n\nLa coordination de {batch.cpts.name} vous propose {count} "
            f"patient(s) cherchant un médecin traitant.\n\nRépondez ici (connexion "
            f"requise) : {link}"
        ),
    )  # fmt: skip


def batch_ref(public_id) -> str:
    """What the GP's message about a batch is about (notifications' `ref`)."""
    return f"gp_batch:{public_id}"


def _settle_bell(batch_id, gp_id) -> None:
    """Once no proposal of the batch still waits for the GP (answered, expired,
    withdrawn), the message that announced it is marked read: the bell counts only what
    still asks for their answer."""
    if batch_id is None:
        return
    if Proposal.objects.filter(batch_id=batch_id, gp_id=gp_id,
                               state=Proposal.State.PENDING).exists():  # fmt: skip
        return
    public_id = ProposalBatch.objects.filter(pk=batch_id).values_list("public_id", flat=True)
    gp = User.objects.filter(pk=gp_id).first()
    if public_id and gp is not None:
        resolve(ref=batch_ref(public_id[0]), user=gp)


@transaction.atomic
def proposal_respond(*, proposal, gp, accept: bool, reason="", request=None) -> Proposal:
    proposal = Proposal.objects.select_for_update().select_related("request").get(pk=proposal.pk)
    if proposal.gp_id != gp.pk:
        raise ValidationError("Cette proposition ne vous est pas adressée.")
    if proposal.state != Proposal.State.PENDING:
        raise ValidationError("Vous avez déjà répondu à cette proposition.")
    if not accept and not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif du refus."})
    now = timezone.now()
    if accept:
        transition(
            gp_request=proposal.request,
            to_status=Status.ACCEPTED,
            actor=gp,
            reason="Acceptée par le médecin",
            request=request,
        )
        proposal.state = Proposal.State.ACCEPTED
    else:
        declined = transition(
            gp_request=proposal.request,
            to_status=Status.DECLINED,
            actor=gp,
            reason=reason,
            request=request,
        )
        # Back to the pool of waiting patients.
        transition(
            gp_request=declined,
            to_status=Status.QUALIFIED,
            actor=gp,
            reason="Retour dans la liste d'attente après refus",
            request=request,
        )
        proposal.state, proposal.decline_reason = Proposal.State.DECLINED, reason
        revoke_access(patient=proposal.request.patient, user=gp, reason=GP_GRANT)
    proposal.responded_at = now
    proposal.save(update_fields=["state", "decline_reason", "responded_at"])
    _settle_bell(proposal.batch_id, gp.pk)
    return proposal


def declare_assigned(*, gp_request, actor, request=None) -> GpRequest:
    """The patient has declared the GP as médecin traitant."""
    accepted = (
        gp_request.proposals.filter(state=Proposal.State.ACCEPTED).order_by("-responded_at").first()
    )
    return transition(
        gp_request=gp_request,
        to_status=Status.ASSIGNED,
        actor=actor,
        reason="Médecin traitant déclaré",
        request=request,
        assigned_gp=accepted.gp if accepted else None,
    )


def work_queue(cpts):
    """What needs the coordinator's action today, the most urgent first."""
    return (
        GpRequest.objects.for_cpts(cpts)
        .filter(Q(status__in=[Status.NEW, Status.ACCEPTED]) | Q(status=Status.QUALIFIED))
        .exclude(status__in=FINISHED)
        .select_related("patient", "patient__commune")
        .order_by("-priority_score", "created_at", "pk")
    )
