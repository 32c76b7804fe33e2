"""The delivery job: hands each delivery to its channel's backend at most once.

Each delivery is claimed by one conditional UPDATE (pending -> sending) committed before
the backend is called; only the worker whose UPDATE changed the row sends it. A job run
twice (retried by the queue after its worker died, or queued twice by the sweep) finds
the deliveries already claimed and sends nothing again. A worker that dies between its
claim and its "sent" leaves the delivery in "sending": it is shown as such and is put back
in the queue by hand only (docs/decisions/0012-notifications.md).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import kinds, sms
from .models import Delivery, Notification

log = logging.getLogger(__name__)

# Waits before the next attempt after a failure (then: failed for good).
BACKOFF = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=5),
           datetime.timedelta(minutes=30))  # fmt: skip
# A pending delivery whose job never ran (lost, or failed in the queue) is queued again
# by the sweep after this long.
LOST_AFTER = datetime.timedelta(minutes=10)


SCRUBBED = "[lien retiré après l'envoi]"


def _absolute(link: str) -> str:
    # In the application a link is a path; an e-mail or an SMS is read outside it.
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


def _text(notification: Notification) -> str:
    n = notification
    link = _absolute(n.link) if n.link else ""
    text = f"{n.body}\n\n{link}" if link and n.link not in n.body else n.body
    if n.answer_kind and not n.answered_at:
        from .answers import answer_url

        text += f"\n\nRépondre (sans connexion) : {answer_url(n)}"
    return text


def send_email(delivery: Delivery) -> None:
    n = delivery.notification
    address = n.email or (n.recipient.email if n.recipient_id else "")
    message = EmailMessage(n.subject, _text(n), None, [address],
                           headers={"X-Maillage-Delivery": str(delivery.public_id)})  # fmt: skip
    message.send(fail_silently=False)


def send_text(delivery: Delivery) -> None:
    n = delivery.notification
    sms.send_sms(n.phone, _text(n), str(delivery.public_id))


BACKENDS = {kinds.EMAIL: send_email, kinds.SMS: send_text}


def _claim(pk: int, now) -> bool:
    # Its own transaction, committed before the backend is called (durable=True refuses
    # to run inside another transaction, where the claim would not be visible to others).
    with transaction.atomic(durable=not settings.Q_CLUSTER.get("sync")):
        return bool(
            Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(status=Delivery.Status.SENDING, claimed_at=now,
                    attempts=F("attempts") + 1)  # fmt: skip
        )


def deliver_one(pk: int) -> str:
    """Send one delivery if it is still pending; returns what happened."""
    if not _claim(pk, timezone.now()):
        return "skipped"
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=pk)
    try:
        BACKENDS[delivery.channel](delivery)
    except Exception as exc:  # any gateway error: recorded, retried, never lost
        log.warning("delivery %s (%s) failed: %s", delivery.public_id, delivery.channel, exc)
        _failed(delivery, exc)
        return "failed"
    now = timezone.now()
    Delivery.objects.filter(pk=pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=now, last_error="", next_attempt_at=None)
    kind = kinds.KINDS.get(delivery.notification.kind)
    n = delivery.notification
    if kind is not None and kind.secret_link and n.link:
        # The link was the secret (an invitation, a reset): not kept once it went out.
        Notification.objects.filter(pk=n.pk).update(link="", body=n.body.replace(n.link, SCRUBBED))
    return "sent"


def _failed(delivery: Delivery, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    if delivery.attempts <= len(BACKOFF):
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, last_error=error,
            next_attempt_at=timezone.now() + BACKOFF[delivery.attempts - 1])  # fmt: skip
    else:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED, last_error=error)


def deliver(delivery_ids: list[int]) -> dict:
    """The job: each delivery of the chunk, in order."""
    done: dict[str, int] = {}
    for pk in delivery_ids:
        outcome = deliver_one(pk)
        done[outcome] = done.get(outcome, 0) + 1
    return done


def deliver_notifications(notification_ids: list[int]) -> dict:
    """The job queued by notify(): the pending deliveries of these messages."""
    ids = list(Delivery.objects.filter(notification_id__in=notification_ids,
                                       status=Delivery.Status.PENDING)
               .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    return deliver(ids)


def fan_out(notification_ids: list[int], cpts_id=None) -> int:
    """Queue the messages of a large notify() in chunks, from the worker."""
    from .services import CHUNK, NOTIFICATIONS_JOB, _enqueue

    for start in range(0, len(notification_ids), CHUNK):
        _enqueue(NOTIFICATIONS_JOB, notification_ids[start:start + CHUNK], cpts_id=cpts_id)
    return (len(notification_ids) + CHUNK - 1) // CHUNK


def sweep() -> int:
    """Periodic: queue again the deliveries whose retry is due, and the pending ones whose
    job was lost. Queuing one twice is harmless: the claim lets one send."""
    from .services import enqueue_deliveries

    now = timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(next_attempt_at__lte=now) | Q(attempts=0, created_at__lte=now - LOST_AFTER))
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:5000])
    enqueue_deliveries(ids)
    return len(ids)
