"""Messages to people (in the app, by e-mail, by SMS), their delivery on each channel, and
each person's choice of channels per kind of message. A message never carries health
data: it says that something waits and links to it, behind the login."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core.models import Cpts

from .kinds import CHANNEL_LABELS


class Channel(models.TextChoices):
    IN_APP = "in_app", CHANNEL_LABELS["in_app"]
    EMAIL = "email", CHANNEL_LABELS["email"]
    SMS = "sms", CHANNEL_LABELS["sms"]


class AnswerKind(models.TextChoices):
    NONE = "", "Aucune réponse attendue"
    ACK = "ack", "Accusé de réception"
    YES_NO = "yes_no", "Oui ou non"
    AVAILABILITY = "availability", "Disponibilité"


class Answer(models.TextChoices):
    ACK = "ack", "Bien reçu"
    YES = "yes", "Oui"
    NO = "no", "Non"
    AVAILABLE_NOW = "available_now", "Disponible maintenant"
    AVAILABLE_FROM = "available_from", "Disponible à partir de"
    UNAVAILABLE = "unavailable", "Indisponible"


ANSWERS_FOR = {
    AnswerKind.ACK: [Answer.ACK],
    AnswerKind.YES_NO: [Answer.YES, Answer.NO],
    AnswerKind.AVAILABILITY: [Answer.AVAILABLE_NOW, Answer.AVAILABLE_FROM, Answer.UNAVAILABLE],
}


class NotificationQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def in_app_for(self, user):
        """What the person sees in the app (their bell and their list)."""
        return self.filter(recipient=user, in_app=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person: an account (`recipient`), or someone without one (an
    address, a phone number: a person invited, a patient)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty for the platform's own messages to an account (a password reset).
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")  # fmt: skip
    kind = models.CharField("type", max_length=64)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="notifications")  # fmt: skip
    email = models.EmailField("adresse e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")  # fmt: skip
    # What the message is about, for the page that shows its delivery status
    # ("invitation:<uuid>"); not a foreign key: any app's object may be named.
    ref = models.CharField(max_length=100, blank=True, db_index=True)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("message")
    link = models.CharField("lien", max_length=500, blank=True)
    # Shown in the app: its bell and its list (the in-app channel).
    in_app = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # An answer asked for, by a signed link (answers.py) or in the app.
    answer_kind = models.CharField(max_length=20, choices=AnswerKind.choices, blank=True)
    answer_asks_skills = models.BooleanField(default=False)
    answer_expires_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answer_available_from = models.DateTimeField(null=True, blank=True)
    answer_skills = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        indexes = [
            models.Index(fields=["recipient", "in_app", "read_at"], name="notif_unread"),
            models.Index(fields=["cpts", "-created_at"], name="notif_cpts_recent"),
        ]

    def __str__(self):
        return self.subject

    @property
    def kind_label(self) -> str:
        from .kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def address(self) -> str:
        return self.recipient.email if self.recipient_id else (self.email or self.phone)

    @property
    def answer_choices(self):
        return ANSWERS_FOR.get(self.answer_kind, [])


class DeliveryQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(notification__cpts=cpts)


class Delivery(models.Model):
    """A message on one channel. Its status moves pending -> sending (claimed by one
    worker, committed before the gateway is called) -> sent | failed, or back to pending
    with `next_attempt_at` after a failure that will be retried. See
    docs/decisions/0012-notifications.md."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENDING = "sending", "En cours d'envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"
        SKIPPED = "skipped", "Non envoyé"

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="deliveries")  # fmt: skip
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "envoi"
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"],
                                    name="one_delivery_per_channel"),  # fmt: skip
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.get_channel_display()} : {self.get_status_display()}"


class Preference(models.Model):
    """A person's choice for one kind of message on one channel (no row: the kind's
    default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")  # fmt: skip
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "préférence de notification"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference"),
        ]
