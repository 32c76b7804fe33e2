"""Alerts to groups of the contact tree, answers by signed link, escalation, the board.

Interface used by other parts of the app (keep the signatures): `send_alert`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.notifications import kinds
from maillage.notifications.services import Recipient, notify

from .contacts import parse_group, recipients_for
from .models import Alert, AlertRecipient

AUDIT_LABELS: dict = {
    "actions": {"crisis.alert_send": "Alerte de crise envoyée"},
    "objects": {"crisis.Alert": "Alerte de crise"},
}

# The channel names of the API and the forms, and the notifications app's.
CHANNELS = {"inapp": kinds.IN_APP, "email": kinds.EMAIL, "sms": kinds.SMS}
KIND = "crisis.alert"
# An alert's answer link stays valid this long.
ANSWER_VALIDITY = datetime.timedelta(days=3)


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


@transaction.atomic
def send_alert(*, cpts, actor, activation, groups: list[str], channels: list[str], message: str,
               is_test: bool = False, escalate_after_minutes: int = 15,
               request=None) -> Alert:  # fmt: skip
    """Validate, create the Alert and its AlertRecipients, notify everyone (kind
    "crisis.alert", mandatory: nobody can mute it) after the commit. ValidationError naming
    the field on bad input (no group, no channel, no message, no recipient). Every message
    of an exercise starts with "EXERCICE"."""
    if not groups:
        raise ValidationError({"groups": "Choisissez au moins un groupe à alerter."})
    for group in groups:
        try:
            parse_group(group)
        except ValidationError as exc:
            raise ValidationError({"groups": exc.messages}) from None
    chosen = _channels(channels)
    text = (message or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"message": "Écrivez le message de l'alerte."})
    if activation is not None and activation.cpts_id != cpts.pk:
        raise ValidationError({"activation": "Activation inconnue."})
    contacts = list(recipients_for(cpts, groups))
    if not contacts:
        raise ValidationError({"groups": "Aucun contact dans ces groupes : personne ne serait "
                                         "alerté."})  # fmt: skip
    prefix = "EXERCICE – " if (activation is not None and activation.is_exercise) else ""
    if is_test:
        prefix = "TEST – "
    text = prefix + text if not text.startswith(prefix) else text
    now = timezone.now()
    alert = Alert.objects.create(
        cpts=cpts, activation=activation, is_test=is_test, groups=list(groups),
        channels=[c for c in channels if c in CHANNELS], message=text,
        escalate_after_minutes=escalate_after_minutes, created_by=actor, created_at=now,
    )  # fmt: skip
    subject = (prefix + (activation.title if activation is not None else "Test de l'arbre "
                         "d'alerte"))[:200]  # fmt: skip
    notifications = notify(
        cpts=cpts, kind=KIND, subject=subject, body=text, channels=chosen, sender=actor,
        recipients=[Recipient(user=c.account, email=c.email, phone=c.mobile) for c in contacts],
        answer="availability", answer_skills=True, answer_expires_at=now + ANSWER_VALIDITY,
        ref=f"crisis.alert:{alert.public_id}",
    )  # fmt: skip
    due = now + datetime.timedelta(minutes=escalate_after_minutes)
    AlertRecipient.objects.bulk_create(
        [AlertRecipient(alert=alert, contact=c, notification=n, next_escalation_at=due)
         for c, n in zip(contacts, notifications, strict=True)], batch_size=500,
    )  # fmt: skip
    audit.record(action="crisis.alert_send", actor=actor, cpts=cpts, obj=alert, request=request,
                 detail={"recipients": len(contacts), "groups": list(groups)})  # fmt: skip
    return alert
