"""Appointment notifications to the SAS (INT_R03) through an outbox.

Which appointments: the guide notifies the SAS of appointments "booked by a SAS regulator
in the editor's tool". In Maillage the SAS-facing person is the member with the role
regulator, and every kind of slot is shown to the SAS (fhir.AUDIENCE_CODES): so an
appointment is notified when a regulator of the CPTS booked it, whatever the slot's
kind, and when the professional has a national identifier (otherwise the SAS could not
have seen the slot). Later status changes of a notified appointment are notified too.

How: the message is written in the same transaction as the booking or the status
change (call `enqueue_booking` / `enqueue_status_change` inside it), so it exists if and
only if the change does; the same call queues a job (core.jobs) that sends it once that
transaction commits, never from inside the request. Sending goes through a pluggable
transport (settings.SAS_OUTBOX_TRANSPORT); a failure is retried later with an
exponential delay, forever, by the worker's periodic pass (`process_due` every minute,
registered in apps.py; `maillage sas-outbox` runs one pass by hand): a message is never
dropped, and acknowledged ones are kept as the record of what the SAS was told. Messages
of one appointment go out in order (a PUT never overtakes the POST it updates), and a
message claimed by one pass is not sent by another (`_send_one`).
"""

import datetime
import json
import logging
import sys
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.module_loading import import_string

from maillage.core import jobs
from maillage.core.models import Membership

from . import fhir
from .models import SasOutboxMessage

log = logging.getLogger(__name__)

DEFAULT_TRANSPORT = "maillage.same_day_care.sas_outbox.ConsoleTransport"
FIRST_RETRY = datetime.timedelta(seconds=30)
MAX_RETRY = datetime.timedelta(hours=1)
# A worker owns a message while sending it; if it dies, the message is due again after.
LEASE = datetime.timedelta(minutes=5)


def retry_delay(attempts: int) -> datetime.timedelta:
    """30 s after the first failure, then 1, 2, 4... minutes, at most one hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), MAX_RETRY)


# ------------------------------------------------------------------ enqueue


def booked_by_regulator(appointment) -> bool:
    return (
        Membership.objects.active()
        .filter(user_id=appointment.booked_by_id, cpts_id=appointment.cpts_id)
        .regulators()
        .exists()
    )


def enqueue_booking(appointment) -> SasOutboxMessage | None:
    """The POST Appointment of a booking by a regulator; None when the SAS is not
    concerned. Idempotent: a second call returns the message already queued."""
    existing = appointment.sas_messages.filter(kind=SasOutboxMessage.Kind.CREATE).first()
    if existing is not None:
        return existing
    if not booked_by_regulator(appointment):
        return None
    practitioner_id = fhir.national_id_of(appointment.cpts_id, appointment.slot.professional_id)
    if practitioner_id is None:
        return None
    payload = fhir.appointment_resource(appointment, practitioner_id=practitioner_id)
    message = SasOutboxMessage.objects.create(
        cpts_id=appointment.cpts_id, appointment=appointment,
        kind=SasOutboxMessage.Kind.CREATE, payload=payload,
    )  # fmt: skip
    queue_sending()
    return message


def enqueue_status_change(appointment) -> SasOutboxMessage | None:
    """The PUT Appointment?identifier= of a new status (fulfilled, noshow, cancelled) of
    an appointment the SAS was told about; None otherwise or when already queued."""
    messages = list(appointment.sas_messages.order_by("pk"))
    if not messages or messages[0].kind != SasOutboxMessage.Kind.CREATE:
        return None
    if messages[-1].payload.get("status") == appointment.status:
        return None
    payload = fhir.appointment_with_status(messages[0].payload, appointment.status)
    message = SasOutboxMessage.objects.create(
        cpts_id=appointment.cpts_id, appointment=appointment,
        kind=SasOutboxMessage.Kind.UPDATE, payload=payload,
    )  # fmt: skip
    queue_sending()
    return message


def queue_sending() -> None:
    """A pass over the due messages as soon as the current transaction commits (nothing
    is queued if it rolls back: the message is gone with it). Failures stay due for the
    periodic pass."""
    jobs.enqueue("maillage.same_day_care.sas_outbox.send_due")


# ------------------------------------------------------------------ transports


@dataclass(frozen=True)
class SasRequest:
    method: str  # POST or PUT
    url: str  # relative to the SAS FHIR base
    body: dict


def request_for(message: SasOutboxMessage) -> SasRequest:
    if message.kind == SasOutboxMessage.Kind.CREATE:
        return SasRequest("POST", "Appointment", message.payload)
    identifier = message.payload["identifier"][0]
    token = quote(f"{identifier['system']}|{identifier['value']}", safe=":/")
    return SasRequest("PUT", f"Appointment?identifier={token}", message.payload)


class TransportError(Exception):
    """The SAS did not acknowledge (unreachable, 4xx/5xx...)."""


class ConsoleTransport:
    """Development: prints the request; printing counts as the acknowledgement."""

    def send(self, request: SasRequest) -> None:
        body = json.dumps(request.body, ensure_ascii=False, indent=2)
        sys.stdout.write(f"[SAS] {request.method} {request.url}\n{body}\n")


class MemoryTransport:
    """Tests: keeps the requests and acknowledges them."""

    sent: list[SasRequest] = []

    def send(self, request: SasRequest) -> None:
        MemoryTransport.sent.append(request)


class FailingTransport:
    """Tests: a SAS that never answers."""

    def send(self, request: SasRequest) -> None:
        raise TransportError("SAS injoignable (transport de test)")


def get_transport():
    return import_string(settings.SAS_OUTBOX_TRANSPORT or DEFAULT_TRANSPORT)()


# ------------------------------------------------------------------ sending


def due_messages(now):
    earlier_pending = SasOutboxMessage.objects.filter(
        appointment_id=OuterRef("appointment_id"), acknowledged_at__isnull=True,
        pk__lt=OuterRef("pk"),
    )  # fmt: skip
    return (
        SasOutboxMessage.objects.filter(acknowledged_at__isnull=True, next_attempt_at__lte=now)
        .exclude(Exists(earlier_pending))
        .order_by("next_attempt_at", "pk")
    )


def send_due() -> dict:
    """The job queued after a booking or a status change (see queue_sending)."""
    return process_due()


def process_due(*, transport=None, now=None, batch_size: int = 100) -> dict:
    """Send every due message once. A message becomes due when the one before it (same
    appointment) is acknowledged, so a POST and its PUT both go out in one call."""
    transport = transport or get_transport()
    now = now or timezone.now()
    stats = {"sent": 0, "failed": 0}
    seen: set[int] = set()
    while True:
        batch = [m for m in due_messages(now)[:batch_size] if m.pk not in seen]
        if not batch:
            break
        for message in batch:
            seen.add(message.pk)
            outcome = _send_one(message, transport, now)
            if outcome:
                stats[outcome] += 1
    stats["pending"] = SasOutboxMessage.objects.filter(acknowledged_at__isnull=True).count()
    return stats


def _send_one(message, transport, now) -> str | None:
    # Claim the message with a conditional update: works alike on SQLite and PostgreSQL,
    # and a second worker that read the same row gets 0 rows and moves on.
    claimed = SasOutboxMessage.objects.filter(
        pk=message.pk, acknowledged_at__isnull=True, next_attempt_at=message.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    try:
        transport.send(request_for(message))
    except Exception as exc:  # whatever the failure, the message stays and is retried
        attempts = message.attempts + 1
        SasOutboxMessage.objects.filter(pk=message.pk).update(
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            next_attempt_at=now + retry_delay(attempts),
        )
        log.warning("SAS message %s failed (attempt %s): %s", message.public_id, attempts, exc)
        return "failed"
    SasOutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, acknowledged_at=now, last_error=""
    )
    return "sent"
