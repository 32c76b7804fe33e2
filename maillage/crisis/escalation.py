"""Escalation: a recipient who has not answered an alert after its delay gets the message
again on the next channel, up to MAX_ESCALATIONS times.

The next channel is the first of in_app -> email -> sms not yet used for them and for
which they have an address (an account, an e-mail address, a mobile); once every channel
they can be reached on was used, the message goes again by SMS, then by e-mail, in turn.
It is a new Delivery of the SAME Notification (the answer link they already have keeps
working), or, for a channel already used, the same Delivery put back in the queue; its
subject and text then say "RELANCE".

Two workers may run the pass at once: each recipient is claimed by one conditional
UPDATE on (next_escalation_at, escalations) before anything is written, in the same
transaction as the delivery, so only one of them escalates a given step.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from maillage.core import audit
from maillage.notifications import kinds
from maillage.notifications.models import Delivery, Notification
from maillage.notifications.services import enqueue_deliveries

from .alerts import DASH, EXERCISE_PREFIX, TEST_PREFIX
from .models import AlertRecipient

MAX_ESCALATIONS = 3
ORDER = (kinds.IN_APP, kinds.EMAIL, kinds.SMS)
# Once every channel was used: again by SMS, then by e-mail (in-app is already in the bell).
REPEAT = (kinds.SMS, kinds.EMAIL)
RELANCE = "RELANCE" + DASH
# Recipients handled per pass (the next pass, a minute later, takes the rest).
BATCH = 2000


def _address(notification: Notification, channel: str) -> bool:
    if channel == kinds.IN_APP:
        return notification.recipient_id is not None
    if channel == kinds.EMAIL:
        return bool(notification.email or (notification.recipient_id
                                           and notification.recipient.email))  # fmt: skip
    return bool(notification.phone)


def next_channel(notification: Notification, deliveries: list[Delivery]) -> tuple[str, Delivery | None] | None:  # noqa: E501
    """The channel of the next escalation and the delivery to send again on it (None: a
    new delivery), or None when the person cannot be reached on any channel."""
    by_channel = {d.channel: d for d in deliveries}
    for channel in ORDER:
        if channel not in by_channel and _address(notification, channel):
            return channel, None
    # Every reachable channel was used: the one used longest ago among SMS and e-mail
    # that is not still on its way.
    candidates = [by_channel[c] for c in REPEAT
                  if c in by_channel and _address(notification, c)
                  and by_channel[c].status in (Delivery.Status.SENT, Delivery.Status.FAILED)]
    if not candidates:
        return None
    oldest = min(candidates, key=lambda d: (d.claimed_at or d.created_at,
                                            REPEAT.index(d.channel)))  # fmt: skip
    return oldest.channel, oldest


def relance(text: str) -> str:
    """"RELANCE – " after the exercise's or the test's prefix (every message of an exercise
    starts with "EXERCICE"), once."""
    for prefix in (EXERCISE_PREFIX, TEST_PREFIX):
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return prefix + (rest if rest.startswith(RELANCE) else RELANCE + rest)
    return text if text.startswith(RELANCE) else RELANCE + text


def _stop_finished(now) -> int:
    """No more escalation for who answered, whose link expired, or whose activation
    ended."""
    finished = (Q(notification__isnull=True) | Q(notification__answered_at__isnull=False)
                | Q(notification__answer_expires_at__lte=now)
                | Q(alert__activation__ended_at__isnull=False))  # fmt: skip
    ids = AlertRecipient.objects.filter(next_escalation_at__lte=now).filter(finished)
    return AlertRecipient.objects.filter(pk__in=ids.values("pk")).update(next_escalation_at=None)


def _escalate_one(row: AlertRecipient, deliveries: list[Delivery], now) -> tuple[bool, Delivery | None]:  # noqa: E501
    """Claim this step of the recipient, then write its delivery (one transaction).
    Returns whether this call escalated and the delivery to queue (None for in-app)."""
    step = row.escalations + 1
    following = None
    if step < MAX_ESCALATIONS:
        delay = datetime.timedelta(minutes=row.alert.escalate_after_minutes)
        following = row.next_escalation_at + delay
        # A pass that ran late does not make the next steps due at once.
        while following <= now:
            following += delay
    with transaction.atomic():
        claimed = AlertRecipient.objects.filter(
            pk=row.pk, escalations=row.escalations, next_escalation_at=row.next_escalation_at,
            notification__answered_at__isnull=True,
        ).update(escalations=F("escalations") + 1, next_escalation_at=following)
        if not claimed:
            return False, None
        n = row.notification
        Notification.objects.filter(pk=n.pk).update(subject=relance(n.subject)[:200],
                                                     body=relance(n.body))  # fmt: skip
        choice = next_channel(n, deliveries)
        if choice is None:
            return True, None
        channel, existing = choice
        if channel == kinds.IN_APP:
            Delivery.objects.create(notification=n, channel=channel,
                                    status=Delivery.Status.SENT, sent_at=now)  # fmt: skip
            Notification.objects.filter(pk=n.pk).update(in_app=True, read_at=None)
            return True, None
        if existing is None:
            return True, Delivery.objects.create(notification=n, channel=channel, created_at=now)
        again = Delivery.objects.filter(
            pk=existing.pk, status__in=[Delivery.Status.SENT, Delivery.Status.FAILED]
        ).update(status=Delivery.Status.PENDING, attempts=0, last_error="", next_attempt_at=None,
                 claimed_at=None, sent_at=None, created_at=now)  # fmt: skip
        return True, (existing if again else None)


def escalate_due(now=None) -> int:
    """One pass: escalate every recipient whose escalation is due at `now` (the clock by
    default); returns how many were escalated. Idempotent: a second pass at the same
    `now`, or another worker's, escalates nobody again."""
    now = now or timezone.now()
    _stop_finished(now)
    rows = list(
        AlertRecipient.objects.filter(next_escalation_at__lte=now,
                                      notification__answered_at__isnull=True)
        .select_related("alert__cpts", "notification__recipient")
        .order_by("next_escalation_at", "pk")[:BATCH]
    )  # fmt: skip
    if not rows:
        return 0
    deliveries = defaultdict(list)
    for delivery in Delivery.objects.filter(notification_id__in=[r.notification_id for r in rows]):
        deliveries[delivery.notification_id].append(delivery)
    escalated = defaultdict(list)
    to_queue = defaultdict(list)
    for row in rows:
        claimed, delivery = _escalate_one(row, deliveries[row.notification_id], now)
        if delivery is not None:
            to_queue[row.alert.cpts_id].append(delivery.pk)
        if claimed:
            escalated[row.alert].append(row)
    for cpts_id, ids in to_queue.items():
        with transaction.atomic():
            enqueue_deliveries(ids, cpts_id=cpts_id)
    for alert, done in escalated.items():
        audit.record(action="crisis.alert_escalate", actor=None, cpts=alert.cpts, obj=alert,
                     detail={"recipients": len(done),
                             "steps": sorted({r.escalations + 1 for r in done})})  # fmt: skip
    return sum(len(done) for done in escalated.values())


def run() -> int:
    """The periodic job (every minute)."""
    return escalate_due()
