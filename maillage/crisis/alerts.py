"""Alerts to groups of the contact tree, answers by signed link, escalation, the board.

Interface used by other parts of the app (keep the signatures): `send_alert`.

An alert is one Notification per contact (kind "crisis.alert", mandatory: nobody can mute
it) asking for an availability by a signed link (`/crise/reponse/<token>/`); the
AlertRecipient row ties the contact to their message and carries where their escalation
stands (crisis/escalation.py). The figures of the board are in crisis/board.py.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.models import User
from maillage.notifications import kinds
from maillage.notifications.services import Recipient, notify

from .contacts import parse_group, recipients_for
from .models import Alert, AlertRecipient
from .skills import SKILLS

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.alert_send": "Alerte de crise envoyée",
        "crisis.alert_escalate": "Alerte de crise relancée (canal suivant)",
        "crisis.alert_answer": "Réponse à une alerte de crise",
    },
    "objects": {"crisis.Alert": "Alerte de crise"},
}

# The channel names of the API and the forms, and the notifications app's.
CHANNELS = {"inapp": kinds.IN_APP, "email": kinds.EMAIL, "sms": kinds.SMS}
CHANNEL_LABELS = {"sms": "SMS", "email": "E-mail", "inapp": "Dans Maillage"}
KIND = "crisis.alert"
# An alert's answer link stays valid this long.
ANSWER_VALIDITY = datetime.timedelta(days=3)
# Four SMS at most: a longer message is cut by some gateways and read by nobody.
MESSAGE_MAX = 600
ESCALATION_MIN, ESCALATION_MAX = 1, 24 * 60
# Between the prefix of an exercise or a test and the text.
DASH = " – "
EXERCISE_PREFIX = "EXERCICE" + DASH
TEST_PREFIX = "TEST" + DASH
# The answer's skills are kept as their labels (the notification holds a free text, read
# as is in the person's inbox), separated so that no label is cut.
SKILLS_SEPARATOR = "; "


def _channels(values) -> list[str]:
    chosen = []
    for value in values or []:
        if value not in CHANNELS:
            raise ValidationError({"channels": f"Canal inconnu : {value}. Canaux : sms, email, "
                                               "inapp."})  # fmt: skip
        if CHANNELS[value] not in chosen:
            chosen.append(CHANNELS[value])
    if not chosen:
        raise ValidationError({"channels": "Choisissez au moins un canal."})
    return chosen


def _groups(groups) -> list[str]:
    if not groups:
        raise ValidationError({"groups": "Choisissez au moins un groupe à alerter."})
    cleaned = []
    for group in groups:
        try:
            kind, arg = parse_group(group)
        except ValidationError as exc:
            raise ValidationError({"groups": exc.messages}) from None
        value = f"{kind}:{arg}" if arg else kind
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def prefix_for(*, activation, is_test: bool) -> str:
    """What every message of the alert starts with: "EXERCICE – " during an exercise,
    "TEST – " for the yearly test of the contact tree."""
    if is_test:
        return TEST_PREFIX
    return EXERCISE_PREFIX if (activation is not None and activation.is_exercise) else ""


def clean_message(message) -> str:
    text = (message or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"message": "Écrivez le message de l'alerte."})
    if len(text) > MESSAGE_MAX:
        raise ValidationError({"message": f"{MESSAGE_MAX} caractères au plus (un SMS long) : "
                                          f"le message en a {len(text)}."})  # fmt: skip
    return text


def count_recipients(cpts, groups) -> int:
    """How many contacts an alert to these groups would reach (the form's live count)."""
    try:
        cleaned = _groups(groups)
    except ValidationError:
        return 0
    return recipients_for(cpts, cleaned).count()


@transaction.atomic
def send_alert(*, cpts, actor, activation, groups: list[str], channels: list[str], message: str,
               is_test: bool = False, escalate_after_minutes: int = 15,
               request=None) -> Alert:  # fmt: skip
    """Validate, create the Alert and its AlertRecipients, notify everyone (kind
    "crisis.alert", mandatory: nobody can mute it) after the commit. ValidationError naming
    the field on bad input (no group, no channel, no message, no recipient, an activation
    that ended). Every message of an exercise starts with "EXERCICE", of a test with
    "TEST"."""
    groups = _groups(groups)
    chosen = _channels(channels)
    text = clean_message(message)
    if activation is not None and activation.cpts_id != cpts.pk:
        raise ValidationError({"activation": "Activation inconnue."})
    if activation is not None and activation.ended_at is not None:
        raise ValidationError({"activation": "Cette activation est terminée : on n'alerte plus "
                                             "en son nom."})  # fmt: skip
    try:
        delay = int(escalate_after_minutes)
    except (TypeError, ValueError):
        delay = 0
    if not ESCALATION_MIN <= delay <= ESCALATION_MAX:
        raise ValidationError({"escalate_after_minutes": "La relance se fait entre 1 minute et "
                                                         "24 heures (1440 minutes)."})  # fmt: skip
    # Plain values, and the few accounts in one query: 2 000 Contact instances cost more
    # than the database does (bench/bench_crisis.py).
    contacts = list(recipients_for(cpts, groups).order_by("pk")
                    .values_list("pk", "account_id", "email", "mobile"))  # fmt: skip
    if not contacts:
        raise ValidationError({"groups": "Aucun contact dans ces groupes : personne ne serait "
                                         "alerté."})  # fmt: skip
    prefix = prefix_for(activation=activation, is_test=is_test)
    text = prefix + text if not text.startswith(prefix) else text
    now = timezone.now()
    alert = Alert.objects.create(
        cpts=cpts, activation=activation, is_test=is_test, groups=groups,
        channels=[c for c in CHANNELS if CHANNELS[c] in chosen], message=text,
        escalate_after_minutes=delay, created_by=actor, created_at=now,
    )  # fmt: skip
    subject = (prefix + (activation.title if activation is not None else "Test de l'arbre "
                         "d'alerte"))[:200]  # fmt: skip
    accounts = User.objects.in_bulk([c[1] for c in contacts if c[1] is not None])
    notifications = notify(
        cpts=cpts, kind=KIND, subject=subject, body=text, channels=chosen, sender=actor,
        recipients=[Recipient(user=accounts.get(account_id), email=email, phone=mobile)
                    for _pk, account_id, email, mobile in contacts],
        answer="availability", answer_skills=True, answer_expires_at=now + ANSWER_VALIDITY,
        ref=f"crisis.alert:{alert.public_id}",
    )  # fmt: skip
    due = now + datetime.timedelta(minutes=delay)
    _insert_recipients(alert, [(c[0], n.pk) for c, n in zip(contacts, notifications,
                                                             strict=True)], due)  # fmt: skip
    audit.record(action="crisis.alert_send", actor=actor, cpts=cpts, obj=alert, request=request,
                 detail={"recipients": len(contacts), "groups": groups,
                         "channels": alert.channels, "test": is_test})  # fmt: skip
    return alert


# Rows per INSERT: far under SQLite's limit of 32 766 parameters (5 per row).
INSERT_ROWS = 500


def _insert_recipients(alert, rows, due) -> None:
    """The recipients in multi-row INSERTs written by hand, as notify() writes its
    deliveries: the ORM's per-object work costs more than the database for thousands of
    people. Values are prepared by the model's own fields, for either database."""
    prep_time = AlertRecipient._meta.get_field("next_escalation_at").get_db_prep_save
    at = prep_time(due, connection)
    columns = ["alert_id", "contact_id", "notification_id", "escalations", "next_escalation_at"]
    # Table and column names from the model, values as parameters.
    head = f"INSERT INTO {AlertRecipient._meta.db_table} ({', '.join(columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_ROWS):
            batch = rows[start:start + INSERT_ROWS]
            params = []
            for contact_id, notification_id in batch:
                params += [alert.pk, contact_id, notification_id, 0, at]
            cursor.execute(head + ", ".join([one] * len(batch)), params)


def skills_text(codes) -> str:
    """The skills ticked on the answer page, as the notification keeps them."""
    return SKILLS_SEPARATOR.join(SKILLS[c] for c in SKILLS if c in set(codes or []))


def answered(notification, *, request=None, rows=None) -> int:
    """The hook of the answer page, once an answer is recorded: that recipient's
    escalation stops, and the answer is in the audit trail. Returns the rows stopped.
    `rows`: the message's AlertRecipient rows with their alert, its CPTS and the contact,
    when the caller already read them."""
    if rows is None:
        rows = list(AlertRecipient.objects.filter(notification=notification)
                    .select_related("alert__cpts", "contact"))  # fmt: skip
    stopped = AlertRecipient.objects.filter(notification=notification).update(
        next_escalation_at=None)
    moment = notification.answer_available_from
    for row in rows:
        # The alert's CPTS is the message's (send_alert writes both): already read.
        audit.record(
            action="crisis.alert_answer", cpts=row.alert.cpts,
            obj=row.alert, request=request,
            detail={"contact": str(row.contact.public_id), "answer": notification.answer,
                    "available_from": moment.isoformat() if moment else None,
                    "skills": notification.answer_skills},
        )  # fmt: skip
    return stopped
