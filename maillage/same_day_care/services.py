"""Publishing slots, recording requests, ranking suggestions, booking under a lock."""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.locking import retrying_when_locked
from maillage.core.text import echo
from maillage.core.validators import validate_phone_fr
from maillage.directory.diagnostic import haversine_km
from maillage.directory.models import PROFESSIONS
from maillage.notifications.services import Recipient, notify

from . import sas_outbox
from .models import (
    URGENCY_HOURS,
    Appointment,
    Mode,
    SameDayRequest,
    Slot,
    SlotKind,
    Urgency,
)

MAX_SLOTS_PER_PUBLICATION = 500


class SlotTaken(Exception):
    """The slot was booked by someone else, withdrawn, or is past."""


class AlreadyBooked(SlotTaken):
    """The request already holds a live appointment: cancel or move it first (409)."""


def check_profession(code: str) -> None:
    if code not in PROFESSIONS:
        raise ValidationError({"profession_code": f"Code profession inconnu : {echo(code)}."})


def slot_times(*, day: datetime.date, start: datetime.time, duration_minutes: int, count: int,
               weeks: int) -> list[tuple[datetime.datetime, datetime.datetime]]:  # fmt: skip
    """`count` consecutive slots from `start`, repeated every week for `weeks` weeks."""
    if duration_minutes < 5 or duration_minutes > 240:
        raise ValidationError({"duration": "Durée entre 5 et 240 minutes."})
    if count < 1 or weeks < 1 or count * weeks > MAX_SLOTS_PER_PUBLICATION:
        raise ValidationError({"count": f"Entre 1 et {MAX_SLOTS_PER_PUBLICATION} créneaux "
                                        "par publication."})  # fmt: skip
    zone = timezone.get_current_timezone()
    times = []
    for week in range(weeks):
        first = datetime.datetime.combine(day + datetime.timedelta(weeks=week), start, zone)
        for index in range(count):
            begin = first + datetime.timedelta(minutes=duration_minutes * index)
            times.append((begin, begin + datetime.timedelta(minutes=duration_minutes)))
    return times


@transaction.atomic
def publish_slots(*, cpts, professional, actor, times, profession_code, kind=SlotKind.CPTS,
                  mode=Mode.PRACTICE, commune, site="", request=None) -> list[Slot]:  # fmt: skip
    """Publish slots, or none: any slot in the past, ending before it starts, or
    overlapping another slot of the same professional refuses the whole publication."""
    check_profession(profession_code)
    if kind not in SlotKind.values or mode not in Mode.values:
        raise ValidationError({"kind": "Type ou modalité de créneau inconnu."})
    now = timezone.now()
    errors = []
    for begin, end in times:
        if end <= begin:
            errors.append(f"{timezone.localtime(begin):%d/%m %H:%M} : la fin précède le début.")
        elif begin <= now:
            errors.append(f"{timezone.localtime(begin):%d/%m %H:%M} : créneau dans le passé.")
    ordered = sorted(times)
    for (_b1, e1), (b2, _e2) in zip(ordered, ordered[1:], strict=False):
        if b2 < e1:
            errors.append(f"{timezone.localtime(b2):%d/%m %H:%M} : chevauche un autre créneau "
                          "de cette publication.")  # fmt: skip
    # Lock the professional's future slots while checking overlaps (in primary-key
    # order, as booking does, so that the two never wait for each other in a circle).
    existing = list(
        Slot.objects.select_for_update().filter(
            professional=professional, end__gt=min(b for b, _ in times),
            start__lt=max(e for _, e in times),
        ).exclude(status=Slot.Status.WITHDRAWN).order_by("pk")
    ) if times else []  # fmt: skip
    for begin, end in times:
        for slot in existing:
            if slot.start < end and begin < slot.end:
                errors.append(
                    f"{timezone.localtime(begin):%d/%m %H:%M} : chevauche votre créneau du "
                    f"{timezone.localtime(slot.start):%d/%m à %H:%M}."
                )
                break
    if errors:
        raise ValidationError({"start": errors[:20]})
    series = uuid.uuid4() if len(times) > 1 else None
    slots = Slot.objects.bulk_create([
        Slot(cpts=cpts, professional=professional, profession_code=profession_code, kind=kind,
             mode=mode, commune=commune, site=site, start=begin, end=end, series=series)
        for begin, end in times
    ])  # fmt: skip
    audit.record(
        action="snp.slots_publish",
        actor=actor,
        cpts=cpts,
        request=request,
        detail={"count": len(slots), "series": str(series or "")},
    )
    return slots


def withdraw_slot(*, slot, actor, request=None) -> Slot:
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        if locked.status != Slot.Status.FREE:
            raise ValidationError("Ce créneau est réservé : annulez d'abord le rendez-vous.")
        locked.status = Slot.Status.WITHDRAWN
        locked.save(update_fields=["status"])
    audit.record(action="snp.slot_withdraw", actor=actor, cpts=slot.cpts, obj=slot, request=request)
    return locked


def request_create(*, cpts, actor, origin, data: dict, request=None) -> SameDayRequest:
    errors = {}
    try:
        data["phone"] = validate_phone_fr(data.get("phone", "")).value
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if data.get("profession_code") not in PROFESSIONS:
        code = echo(data.get("profession_code"))
        errors["profession_code"] = f"Code profession inconnu : {code}."
    if data.get("birth_date") and data["birth_date"] > timezone.localdate():
        errors["birth_date"] = "La date de naissance est dans le futur."
    if errors:
        raise ValidationError(errors)
    if data.get("home_visit"):
        data["mode"] = Mode.HOME
    snp_request = SameDayRequest.objects.create(cpts=cpts, created_by=actor, origin=origin,
                                                **data)  # fmt: skip
    audit.record(
        action="snp.request_create", actor=actor, cpts=cpts, obj=snp_request, request=request
    )
    return snp_request


def open_requests_for(cpts, *, last_name, first_name, birth_date, now=None):
    """The requests of the same person still in progress: without an appointment yet, or
    with one to come. A second one is usually the same need recorded twice."""
    now = now or timezone.now()
    upcoming = Appointment.objects.filter(request=models.OuterRef("pk"),
                                          status=Appointment.Status.BOOKED,
                                          slot__end__gt=now)  # fmt: skip
    return (
        SameDayRequest.objects.filter(cpts=cpts, last_name__iexact=last_name.strip(),
                                      first_name__iexact=first_name.strip(),
                                      birth_date=birth_date)
        .filter(models.Q(status=SameDayRequest.Status.OPEN)
                | models.Q(status=SameDayRequest.Status.BOOKED) & models.Exists(upcoming))
        .order_by("-created_at")
    )  # fmt: skip


@transaction.atomic
def request_change_criteria(*, snp_request, actor, urgency, mode, request=None):
    """Widen the delay or change the mode of a request still without an appointment (the
    regulator tries again in place when nothing matched)."""
    if urgency not in URGENCY_HOURS or mode not in Mode.values:
        raise ValidationError({"urgency": "Délai ou modalité inconnus."})
    locked = SameDayRequest.objects.select_for_update().get(pk=snp_request.pk)
    if locked.status != SameDayRequest.Status.OPEN:
        raise ValidationError({"urgency": "Cette demande a déjà un rendez-vous ou est close : "
                                          "déplacez le rendez-vous plutôt."})  # fmt: skip
    before = {"urgency": locked.urgency, "mode": locked.mode}
    locked.urgency, locked.mode = urgency, mode
    locked.home_visit = mode == Mode.HOME
    locked.save(update_fields=["urgency", "mode", "home_visit"])
    audit.record(action="snp.request_criteria", actor=actor, cpts=locked.cpts, obj=locked,
                 patient=locked, request=request,
                 detail={"from": before, "to": {"urgency": urgency, "mode": mode}})  # fmt: skip
    return locked


def alternatives(snp_request, *, role: str, now=None) -> list[dict]:
    """When nothing matches: the wider delays and the other modes, each with how many
    slots it would offer (10 at most are counted), the useful ones first."""
    import copy

    now = now or timezone.now()
    current_mode = Mode.HOME if snp_request.home_visit else snp_request.mode
    order = list(URGENCY_HOURS)
    wider = order[order.index(snp_request.urgency):]
    options = []
    for urgency in wider:
        for mode in Mode.values:
            if (urgency, mode) == (snp_request.urgency, current_mode):
                continue
            trial = copy.copy(snp_request)
            trial.urgency, trial.mode, trial.home_visit = urgency, mode, mode == Mode.HOME
            count = len(suggestions(trial, role=role, now=now))
            options.append({"urgency": urgency, "mode": mode, "count": count,
                            "label": f"{Urgency(urgency).label}, "
                                     f"{Mode(mode).label[0].lower()}{Mode(mode).label[1:]}"})
    options.sort(key=lambda o: (o["count"] == 0, order.index(o["urgency"])))
    return options


# Which kinds of slot each requester may book.
KINDS_FOR_ROLE = {
    "coordinator": {SlotKind.CPTS, SlotKind.SAS, SlotKind.PRO, SlotKind.PUBLIC},
    "regulator": {SlotKind.CPTS, SlotKind.SAS, SlotKind.PRO, SlotKind.PUBLIC},
    "professional": {SlotKind.CPTS, SlotKind.PRO, SlotKind.PUBLIC},
    "partner": {SlotKind.CPTS, SlotKind.PUBLIC},
}
MINUTES_PER_KM = 3  # how many minutes of waiting one kilometre of travel is worth


@dataclass(frozen=True)
class Suggestion:
    slot: Slot
    distance_km: float | None
    wait_minutes: int
    score: float


def deadline(snp_request, now) -> datetime.datetime:
    hours = URGENCY_HOURS[snp_request.urgency]
    if hours is None:  # same day: until midnight
        local = timezone.localtime(now)
        return local.replace(hour=23, minute=59, second=59)
    return now + datetime.timedelta(hours=hours)


def suggestions(snp_request, *, role: str, limit: int = 10, now=None) -> list[Suggestion]:
    """Matching free slots, best first: the earliest, weighed against travel (a slot
    10 km away must be 30 minutes earlier to rank first).

    Candidates are ranked on a few columns, and only the `limit` best are loaded whole:
    the ranking reads up to 500 rows on every request of a regulator on the phone."""
    now = now or timezone.now()
    mode = Mode.HOME if snp_request.home_visit else snp_request.mode
    candidates = (
        Slot.objects.for_cpts(snp_request.cpts).available(now)
        .filter(profession_code=snp_request.profession_code, mode=mode,
                kind__in=KINDS_FOR_ROLE.get(role, set()), start__lte=deadline(snp_request, now))
        .order_by("start")
        .values_list("pk", "start", "commune__latitude", "commune__longitude")[:500]
    )  # fmt: skip
    lat, lon = snp_request.commune.latitude, snp_request.commune.longitude
    distances: dict[tuple, float | None] = {}  # a few communes: one distance each
    ranked = []
    for pk, start, slot_lat, slot_lon in candidates:
        key = (slot_lat, slot_lon)
        if key not in distances:
            distances[key] = (
                round(float(haversine_km(lat, lon, slot_lat, slot_lon)), 1)
                if lat is not None and slot_lat is not None else None
            )  # fmt: skip
        distance = distances[key]
        wait = int((start - now).total_seconds() // 60)
        ranked.append((wait + MINUTES_PER_KM * (distance or 0), start, pk, distance, wait))
    ranked.sort()
    best = ranked[:limit]
    slots = (
        Slot.objects.select_related("commune", "professional")
        .defer("commune__geometry", "professional__password")
        .in_bulk([row[2] for row in best])
    )
    return [Suggestion(slots[pk], distance, wait, score)
            for score, _start, pk, distance, wait in best]  # fmt: skip


def book(*, slot, snp_request, actor, move=False, request=None) -> Appointment:
    """Book a slot for a request: one function, under row locks; the unique constraints
    on live appointments (one per slot, one per request) are the last line of defence.

    A request holds one live appointment: booking it again raises AlreadyBooked, unless
    `move` asks to move it, in which case the old appointment is cancelled (its slot
    freed) and the new one booked in the same transaction. Raises SlotTaken when the
    slot cannot be booked. Every write (appointments, slots, request, SAS messages,
    audit) is in the one transaction that is retried on SQLite's "database is locked";
    the text message to the patient is written in it too, and sent by a worker after
    the commit."""
    appointment, moved = retrying_when_locked(
        lambda: _book(slot=slot, snp_request=snp_request, actor=actor, move=move,
                      request=request)  # fmt: skip
    )
    return appointment


def _live_appointment(request_pk):
    return (
        Appointment.objects.filter(request_id=request_pk)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("slot")
        .first()
    )


def _already_booked(live) -> AlreadyBooked:
    when = timezone.localtime(live.slot.start)
    return AlreadyBooked(f"Cette demande a déjà un rendez-vous le {when:%d/%m à %H:%M} : "
                         "annulez-le ou déplacez-le.")  # fmt: skip


def _book(*, slot, snp_request, actor, move, request=None) -> tuple[Appointment, bool]:
    try:
        with transaction.atomic():
            # Lock order, everywhere: the request, then its slots in primary-key order.
            locked_request = SameDayRequest.objects.select_for_update().get(pk=snp_request.pk)
            live = _live_appointment(locked_request.pk)
            if live is not None and live.slot_id == slot.pk:
                raise AlreadyBooked("Cette demande a déjà un rendez-vous sur ce créneau.")
            if live is not None and not move:
                raise _already_booked(live)
            pks = sorted({slot.pk, live.slot_id} if live is not None else {slot.pk})
            slots = {s.pk: s for s in Slot.objects.select_for_update().filter(pk__in=pks)
                     .order_by("pk")}  # fmt: skip
            locked = slots[slot.pk]
            if locked.status != Slot.Status.FREE:
                raise SlotTaken("Ce créneau vient d'être pris.")
            if locked.start <= timezone.now():
                raise SlotTaken("Ce créneau est passé.")
            if locked_request.cpts_id != locked.cpts_id:
                raise SlotTaken("Créneau d'une autre CPTS.")
            if live is not None:
                note = f"Déplacé au {timezone.localtime(locked.start):%d/%m %H:%M}."
                _cancel(live, slots[live.slot_id], actor=actor, note=note, request=request)
            appointment = Appointment.objects.create(
                cpts=locked.cpts, slot=locked, request=locked_request, booked_by=actor
            )
            locked.status = Slot.Status.BOOKED
            locked.save(update_fields=["status"])
            SameDayRequest.objects.filter(pk=locked_request.pk).update(
                status=SameDayRequest.Status.BOOKED
            )
            sas_outbox.enqueue_booking(appointment)
            audit.record(
                action="snp.book",
                actor=actor,
                cpts=locked.cpts,
                obj=appointment,
                patient=snp_request,
                request=request,
                detail={"slot": str(locked.public_id),
                        **({"moved_from": str(live.public_id)} if live else {})},
            )  # fmt: skip
            _confirm_by_sms(appointment, locked, locked_request, actor, moved=live is not None)
    except IntegrityError as exc:
        # Reached only if the locks were bypassed: say which constraint held.
        live = _live_appointment(snp_request.pk)
        if live is not None and not move:
            raise _already_booked(live) from exc
        raise SlotTaken("Ce créneau vient d'être pris.") from exc
    return appointment, live is not None


def _confirm_by_sms(appointment, slot, snp_request, actor, *, moved) -> None:
    """To the patient's phone (no account): queued, sent by a worker after the commit."""
    when = timezone.localtime(slot.start)
    notify(cpts=slot.cpts, recipients=[Recipient(phone=snp_request.phone)],
           kind="same_day.confirmation", sender=actor, ref=f"appointment:{appointment.public_id}",
           subject="Confirmation de rendez-vous", body=(
        f"{'Rendez-vous déplacé au' if moved else 'Rendez-vous le'} {when:%d/%m} à "
        f"{when:%H:%M} avec {slot.professional.get_full_name()} "
        f"({slot.site or slot.commune.name}). {slot.cpts.name}."
    ))  # fmt: skip


def _cancel(appointment, slot, *, actor, note, request=None) -> None:
    """Cancel a live appointment whose request and slot rows the caller has locked."""
    appointment.status = Appointment.Status.CANCELLED
    appointment.note = note
    appointment.status_changed_at = timezone.now()
    appointment.save(update_fields=["status", "note", "status_changed_at"])
    if slot.start > timezone.now():
        slot.status = Slot.Status.FREE
        slot.save(update_fields=["status"])
    sas_outbox.enqueue_status_change(appointment)
    audit.record(action="snp.appointment_status", actor=actor, cpts=appointment.cpts,
                 obj=appointment, request=request,
                 detail={"status": Appointment.Status.CANCELLED, "moved": True})  # fmt: skip


def set_status(*, appointment, status, actor, note="", request=None) -> Appointment:
    """Record the outcome; cancelling frees the slot under the same lock as booking."""
    redirected = status == "redirected"  # sent to the emergency department instead
    if redirected:
        status = Appointment.Status.CANCELLED
    if status not in Appointment.Status.values or status == Appointment.Status.BOOKED:
        raise ValidationError({"status": "Statut : fulfilled, noshow, cancelled ou redirected."})
    with transaction.atomic():
        # The lock order of booking: the request, then the slot.
        list(SameDayRequest.objects.select_for_update().filter(pk=appointment.request_id))
        slot = Slot.objects.select_for_update().get(pk=appointment.slot_id)
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ValidationError({"status": "Ce rendez-vous a déjà une issue enregistrée."})
        if status == Appointment.Status.FULFILLED and slot.start > timezone.now():
            start = timezone.localtime(slot.start)
            raise ValidationError({"status": (
                f"Ce rendez-vous n'a pas encore commencé (le {start:%d/%m à %H:%M}) : il ne "
                "peut pas encore être marqué honoré."
            )})  # fmt: skip
        current.status, current.note = status, note
        current.redirected_to_emergency = redirected
        current.status_changed_at = timezone.now()
        current.save(
            update_fields=["status", "note", "status_changed_at", "redirected_to_emergency"]
        )
        if status == Appointment.Status.CANCELLED:
            if slot.start > timezone.now():
                slot.status = Slot.Status.FREE
                slot.save(update_fields=["status"])
            SameDayRequest.objects.filter(pk=current.request_id).update(
                status=SameDayRequest.Status.REDIRECTED
                if redirected
                else SameDayRequest.Status.OPEN
            )
        sas_outbox.enqueue_status_change(current)
        audit.record(
            action="snp.appointment_status",
            actor=actor,
            cpts=current.cpts,
            obj=current,
            patient=current.request,
            request=request,
            detail={"status": status},
        )
    return current


def undo_deadline(appointment) -> datetime.datetime | None:
    """Until when the outcome of `appointment` may be undone: the end of the local day on
    which it was recorded (a slip is seen the same day; later, the record stands). None
    when there is nothing to undo."""
    if appointment.status == Appointment.Status.BOOKED:
        return None
    changed = timezone.localtime(appointment.status_changed_at)
    return (changed + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)  # fmt: skip


def can_undo(appointment, *, now=None) -> bool:
    deadline = undo_deadline(appointment)
    return deadline is not None and (now or timezone.now()) < deadline


def undo_status(*, appointment, actor, request=None) -> Appointment:
    """Put back an appointment whose outcome was recorded by mistake ("Annuler cette
    saisie"), the same day only. A cancelled appointment comes back only if its slot is
    still free and its request has no other live appointment (else the slot is someone
    else's now: book again instead)."""
    with transaction.atomic():
        list(SameDayRequest.objects.select_for_update().filter(pk=appointment.request_id))
        slot = Slot.objects.select_for_update().get(pk=appointment.slot_id)
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not can_undo(current):
            raise ValidationError({"status": "Cette saisie ne peut plus être annulée : elle "
                                             "date d'un autre jour ou le rendez-vous n'a pas "
                                             "d'issue enregistrée."})  # fmt: skip
        previous = current.status
        if previous == Appointment.Status.CANCELLED:
            other = Appointment.objects.filter(request_id=current.request_id).exclude(
                status=Appointment.Status.CANCELLED).exists()  # fmt: skip
            if other or slot.status != Slot.Status.FREE or slot.start <= timezone.now():
                raise ValidationError({"status": "Le créneau n'est plus libre ou la demande a "
                                                 "un autre rendez-vous : réservez à nouveau "
                                                 "depuis la demande."})  # fmt: skip
            slot.status = Slot.Status.BOOKED
            slot.save(update_fields=["status"])
            SameDayRequest.objects.filter(pk=current.request_id).update(
                status=SameDayRequest.Status.BOOKED)  # fmt: skip
        current.status = Appointment.Status.BOOKED
        current.redirected_to_emergency = False
        current.note = ""
        current.status_changed_at = timezone.now()
        current.save(
            update_fields=["status", "note", "status_changed_at", "redirected_to_emergency"]
        )
        sas_outbox.enqueue_status_change(current)
        audit.record(action="snp.appointment_status_undo", actor=actor, cpts=current.cpts,
                     obj=current, patient=current.request, request=request,
                     detail={"undone": previous})  # fmt: skip
    return current
