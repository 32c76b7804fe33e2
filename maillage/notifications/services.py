"""Sending a message to one person or many, and what a person does with their messages.

`notify()` writes the messages and their deliveries in bulk (a few statements for
thousands of people) and queues the deliveries for the workers in chunks, after the
commit (core.jobs): nothing is sent inside the request or its transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from maillage.core import jobs

from . import kinds
from .models import AnswerKind, Delivery, Notification, Preference

# Deliveries handed to one job: a job retried after a crash redoes at most this many
# claims (each one a single UPDATE), and 2 000 people make 20 jobs per channel.
CHUNK = 100
DELIVER_JOB = "maillage.notifications.delivery.deliver"
DEFAULT_ANSWER_VALIDITY = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Recipient:
    """Someone to write to: an account, or an address and/or a phone number."""

    user: object = None
    email: str = ""
    phone: str = ""


def _recipient(value) -> Recipient:
    if isinstance(value, Recipient):
        return value
    if isinstance(value, str):
        return Recipient(email=value)
    return Recipient(user=value)


def _enqueue(func: str, *args, cpts_id=None) -> None:
    """core.jobs.enqueue with the job's CPTS (the coordinator's page of failed jobs is per
    CPTS)."""
    jobs.enqueue(func, *args, cpts=cpts_id)


def enqueue_deliveries(ids: list[int], *, cpts_id=None) -> int:
    """Queue the deliveries in chunks, once the caller's transaction commits. Robust: a
    queue that cannot be reached then does not turn the caller's committed write (a
    booking, an invitation) into an error; the sweep queues such deliveries later."""
    if not ids:
        return 0

    def push():
        for start in range(0, len(ids), CHUNK):
            _enqueue(DELIVER_JOB, ids[start:start + CHUNK], cpts_id=cpts_id)

    transaction.on_commit(push, robust=True)
    return (len(ids) + CHUNK - 1) // CHUNK


FAN_OUT_JOB = "maillage.notifications.delivery.fan_out"
NOTIFICATIONS_JOB = "maillage.notifications.delivery.deliver_notifications"


def enqueue_for_notifications(ids: list[int], *, cpts_id=None) -> None:
    """Queue the sending of these messages' pending deliveries after the commit: one
    job for a few messages; for more, one job that queues the chunks from the worker, so
    that the request writes a single queue row whatever the number of people."""
    if not ids:
        return

    def push():
        if len(ids) <= CHUNK:
            _enqueue(NOTIFICATIONS_JOB, ids, cpts_id=cpts_id)
        else:
            _enqueue(FAN_OUT_JOB, ids, cpts_id, cpts_id=cpts_id)

    transaction.on_commit(push, robust=True)


def enabled_channels(user_ids: Iterable[int], kind: kinds.Kind) -> dict:
    """{(user_id, channel): enabled} for the people who changed their preferences."""
    if kind.mandatory:
        return {}
    rows = Preference.objects.filter(user_id__in=list(user_ids), kind=kind.code)
    return {(r.user_id, r.channel): r.enabled for r in rows}


@transaction.atomic
def notify(*, cpts, recipients, kind: str, subject: str, body: str, link: str = "",
           channels: Iterable[str] | None = None, answer: str = "", answer_skills=False,
           answer_expires_at=None, sender=None, ref: str = "") -> list[Notification]:  # fmt: skip
    """Write one message per recipient (a User, an e-mail address, or a Recipient) of the
    kind `kind`, on `channels` (by default the kind's), each person's preferences
    applied unless the kind is mandatory; queue the e-mails and SMS for the workers.

    `body` is plain text and never carries health data. `answer` ("ack", "yes_no",
    "availability") asks for an answer by a signed link (see answers.py). Returns the
    messages (with their primary keys)."""
    the_kind = kinds.get(kind)
    wanted = [c for c in kinds.CHANNELS if c in set(channels or the_kind.channels)]
    if answer not in AnswerKind.values:
        raise ValueError(f"unknown answer kind {answer!r}")
    people = [_recipient(r) for r in recipients]
    if not people:
        return []
    now = timezone.now()
    if answer and answer_expires_at is None:
        answer_expires_at = now + DEFAULT_ANSWER_VALIDITY
    user_ids = {p.user.pk for p in people if p.user is not None}
    prefs = enabled_channels(user_ids, the_kind)
    subject = subject[:200]

    def on(person, channel):
        return person.user is None or prefs.get((person.user.pk, channel), True)

    notifications = [
        Notification(
            cpts=cpts, kind=the_kind.code, recipient=p.user, email=p.email, phone=p.phone,
            sender=sender, ref=ref, subject=subject, body=body, link=link,
            in_app=(kinds.IN_APP in wanted and p.user is not None and on(p, kinds.IN_APP)),
            created_at=now, answer_kind=answer, answer_asks_skills=bool(answer_skills),
            answer_expires_at=answer_expires_at if answer else None,
        )
        for p in people
    ]  # fmt: skip
    Notification.objects.bulk_create(notifications, batch_size=500)
    rows, with_pending = [], []
    for person, notification in zip(people, notifications, strict=True):
        pending = False
        for channel in wanted:
            status, sent_at, error = Delivery.Status.PENDING, None, ""
            if channel == kinds.IN_APP:
                if person.user is None:
                    continue
                if notification.in_app:
                    status, sent_at = Delivery.Status.SENT, now
                else:
                    status, error = Delivery.Status.SKIPPED, MUTED
            elif not on(person, channel):
                status, error = Delivery.Status.SKIPPED, MUTED
            elif not _address(person, channel):
                status, error = Delivery.Status.SKIPPED, NO_ADDRESS[channel]
            pending = pending or status == Delivery.Status.PENDING
            rows.append((notification.pk, channel, status, sent_at, error))
        if pending:
            with_pending.append(notification.pk)
    _insert_deliveries(rows, now)
    enqueue_for_notifications(with_pending, cpts_id=cpts.pk if cpts is not None else None)
    return notifications


def _insert_deliveries(rows, now) -> None:
    """The deliveries in multi-row INSERTs written by hand: for thousands of people the
    ORM's per-object work (an instance, each field prepared) costs more than the
    database. Values are prepared by the model's own fields, for either database."""
    if not rows:
        return
    field = Delivery._meta.get_field
    prep_uuid, prep_time = field("public_id").get_db_prep_save, field("sent_at").get_db_prep_save
    at = prep_time(now, connection)
    columns = ["notification_id", "public_id", "channel", "status", "attempts", "last_error",
               "sent_at", "created_at"]  # fmt: skip
    # Table and column names from the model, values as parameters.
    sql_head = f"INSERT INTO {Delivery._meta.db_table} ({', '.join(columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            batch = rows[start:start + INSERT_ROWS]
            params = []
            for notification_id, channel, status, sent_at, error in batch:
                params += [notification_id, prep_uuid(uuid.uuid4(), connection), channel,
                           status, 0, error, at if sent_at else None, at]  # fmt: skip
            cursor.execute(sql_head + ", ".join([one] * len(batch)), params)


# Rows per INSERT: under SQLite's limit of 32 766 parameters (8 per row).
INSERT_ROWS = 500
MUTED = "Désactivé par la personne dans ses préférences."
NO_ADDRESS = {
    kinds.EMAIL: "Pas d'adresse e-mail connue.",
    kinds.SMS: "Pas de numéro de téléphone connu.",
}


def _address(person: Recipient, channel: str) -> str:
    if channel == kinds.EMAIL:
        return person.email or (person.user.email if person.user is not None else "")
    if channel == kinds.SMS:
        return person.phone
    return ""


# What a person does with their messages ------------------------------------------------


def mark_read(*, user, public_id=None) -> int:
    """Mark one of the person's messages (or all of them) as read; returns how many."""
    rows = Notification.objects.in_app_for(user).unread()
    if public_id is not None:
        rows = rows.filter(public_id=public_id)
    return rows.update(read_at=timezone.now())


def resolve(*, ref: str, user) -> int:
    """The thing a message is about (its `ref`, e.g. "gp_batch:<uuid>") no longer waits
    for `user` (they answered, it expired, it was withdrawn): their unread in-app messages
    about it are marked read, so the bell stops counting them. Returns how many."""
    if not ref:
        return 0
    rows = Notification.objects.in_app_for(user).unread().filter(ref=ref)
    return rows.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.in_app_for(user).unread().count()


def preferences_of(user) -> list[dict]:
    """For the preferences page: each listed kind with, per channel of the kind, whether
    it is on and whether the person may change it."""
    saved = {(p.kind, p.channel): p.enabled
             for p in Preference.objects.filter(user=user)}  # fmt: skip
    rows = []
    for kind in kinds.listed():
        cells = []
        for channel in kinds.CHANNELS:
            offered = channel in kind.channels
            cells.append({
                "channel": channel, "label": kinds.CHANNEL_LABELS[channel], "offered": offered,
                "enabled": offered and (kind.mandatory or saved.get((kind.code, channel), True)),
                "locked": kind.mandatory, "name": f"{kind.code}:{channel}",
            })  # fmt: skip
        rows.append({"kind": kind, "cells": cells})
    return rows


@transaction.atomic
def preferences_save(*, user, enabled: set[str]) -> None:
    """Save the page's checkboxes: `enabled` holds "kind:channel" for each ticked one.
    Mandatory kinds are left as they are (always on), whatever was sent."""
    for kind in kinds.listed():
        if kind.mandatory:
            continue
        for channel in kind.channels:
            Preference.objects.update_or_create(
                user=user, kind=kind.code, channel=channel,
                defaults={"enabled": f"{kind.code}:{channel}" in enabled},
            )  # fmt: skip


def record_answer(*, notification: Notification, answer: str, available_from=None,
                  skills: str = "") -> bool:  # fmt: skip
    """Record the answer to a message, once: a second answer changes nothing. Returns
    whether this call recorded it."""
    if answer not in [a.value for a in notification.answer_choices]:
        raise ValidationError({"answer": "Réponse inconnue pour ce message."})
    if answer == "available_from" and available_from is None:
        raise ValidationError({"available_from": "Indiquez à partir de quelle heure."})
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, answered_at__isnull=True).update(
        answer=answer, answer_available_from=available_from if answer == "available_from" else None,
        answer_skills=(skills or "").strip()[:300] if notification.answer_asks_skills else "",
        answered_at=now, read_at=notification.read_at or now,
    )  # fmt: skip
    notification.refresh_from_db()
    return bool(updated)


def delivery_states(refs: Iterable[str]) -> dict[str, list[Delivery]]:
    """The deliveries of the messages about each of `refs` (e.g. "invitation:<uuid>"), for
    a page that shows whether they went out. The newest message per ref."""
    by_ref: dict[str, list[Delivery]] = {}
    rows = (Delivery.objects.filter(notification__ref__in=list(refs))
            .select_related("notification")
            .order_by("notification__ref", "-notification__created_at", "-notification_id",
                      "channel"))  # fmt: skip
    newest: dict[str, int] = {}
    for delivery in rows:
        ref = delivery.notification.ref
        newest.setdefault(ref, delivery.notification_id)
        if delivery.notification_id == newest[ref]:
            by_ref.setdefault(ref, []).append(delivery)
    return by_ref


@transaction.atomic
def retry_by_hand(*, delivery: Delivery) -> bool:
    """Put back in the queue a delivery that failed, or that a dead worker left "being
    sent" (whoever does it has checked it did not go out: see decision 0012)."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, status__in=[Delivery.Status.FAILED, Delivery.Status.SENDING]
    ).update(status=Delivery.Status.PENDING, next_attempt_at=None, last_error="")
    if updated:
        enqueue_deliveries([delivery.pk], cpts_id=delivery.notification.cpts_id)
    return bool(updated)
