"""Soins non programmés (SNP): same-day slots published by professionals, requests
recorded by regulators, and appointments. Database constraints make a double booking of a
slot, or two live appointments for one request, impossible even if the code were wrong."""

import hashlib
import secrets
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.territory.models import Commune


class SlotKind(models.TextChoices):
    CPTS = "cpts", "Créneau mutualisé CPTS"
    SAS = "sas", "Réservé au SAS"
    PRO = "pro", "Réservé aux professionnels"
    PUBLIC = "public", "Ouvert au public"


class Mode(models.TextChoices):
    PRACTICE = "practice", "Au cabinet"
    HOME = "home", "Visite à domicile"
    TELE = "tele", "Téléconsultation"


class SlotQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def available(self, now=None):
        return self.filter(status=Slot.Status.FREE, start__gt=now or timezone.now())


class Slot(models.Model):
    class Status(models.TextChoices):
        FREE = "free", "Libre"
        BOOKED = "booked", "Réservé"
        WITHDRAWN = "withdrawn", "Retiré"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="snp_slots")
    professional = models.ForeignKey(User, on_delete=models.CASCADE, related_name="snp_slots")
    profession_code = models.CharField("profession", max_length=10)
    kind = models.CharField("type", max_length=10, choices=SlotKind.choices,
                            default=SlotKind.CPTS)  # fmt: skip
    mode = models.CharField("modalité", max_length=10, choices=Mode.choices,
                            default=Mode.PRACTICE)  # fmt: skip
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    site = models.CharField("lieu", max_length=200, blank=True)
    start = models.DateTimeField("début", db_index=True)
    end = models.DateTimeField("fin")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FREE)
    series = models.UUIDField(null=True, blank=True)  # slots published together
    created_at = models.DateTimeField(default=timezone.now)

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start")
        ]
        indexes = [
            models.Index(fields=["cpts", "status", "profession_code", "start"],
                         name="slot_search"),
            # Given professionals' slots in a time window: the SAS search.
            models.Index(fields=["cpts", "status", "professional", "start"],
                         name="slot_professional_start"),
        ]  # fmt: skip

    def __str__(self):
        return f"{timezone.localtime(self.start):%d/%m %H:%M} ({self.get_mode_display()})"


class Urgency(models.TextChoices):
    SAME_DAY = "same_day", "Dans la journée"
    H24 = "24h", "Sous 24 h"
    H48 = "48h", "Sous 48 h"


URGENCY_HOURS = {Urgency.SAME_DAY: None, Urgency.H24: 24, Urgency.H48: 48}


class ReasonCategory(models.TextChoices):
    FEVER = "fever", "Fièvre, infection"
    PAIN = "pain", "Douleur"
    TRAUMA = "trauma", "Petite traumatologie, plaie"
    SKIN = "skin", "Problème de peau"
    RESPIRATORY = "respiratory", "Symptômes respiratoires"
    DIGESTIVE = "digestive", "Troubles digestifs"
    RENEWAL = "renewal", "Renouvellement urgent de traitement"
    OTHER = "other", "Autre"


class SameDayRequest(models.Model):
    """A same-day need, recorded in under a minute: minimal patient data only. It holds
    its own identity (no patient record): reads and writes are audited with it as subject."""

    is_audit_subject = True

    class Status(models.TextChoices):
        OPEN = "open", "À orienter"
        BOOKED = "booked", "Rendez-vous pris"
        REDIRECTED = "redirected", "Orientée vers les urgences"
        CLOSED = "closed", "Close sans rendez-vous"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="snp_requests")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    origin = models.CharField(max_length=20)  # the creator's role: regulator, professional...
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance")
    phone = models.CharField("téléphone", max_length=20)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    reason = models.CharField("motif", max_length=20, choices=ReasonCategory.choices)
    profession_code = models.CharField("profession", max_length=10, default="10")
    mode = models.CharField("modalité", max_length=10, choices=Mode.choices,
                            default=Mode.PRACTICE)  # fmt: skip
    urgency = models.CharField("délai", max_length=10, choices=Urgency.choices,
                               default=Urgency.SAME_DAY)  # fmt: skip
    home_visit = models.BooleanField("visite à domicile nécessaire", default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def display_name(self):
        return f"{self.last_name.upper()} {self.first_name}"


class Appointment(models.Model):
    """A booked slot. FHIR Appointment statuses: booked, fulfilled, noshow, cancelled."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Réservé"
        FULFILLED = "fulfilled", "Honoré"
        NOSHOW = "noshow", "Non honoré"
        CANCELLED = "cancelled", "Annulé"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="snp_appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    request = models.ForeignKey(SameDayRequest, on_delete=models.PROTECT,
                                related_name="appointments")  # fmt: skip
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    redirected_to_emergency = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # The guarantee: at most one live appointment per slot, whatever the code does.
            models.UniqueConstraint(fields=["slot"], condition=~Q(status="cancelled"),
                                    name="appointment_one_per_slot"),
            # And at most one live appointment per request: moving it cancels the old one.
            models.UniqueConstraint(fields=["request"], condition=~Q(status="cancelled"),
                                    name="appointment_one_per_request"),
        ]  # fmt: skip


class SasOutboxMessage(models.Model):
    """An appointment notification for the SAS (INT_R03), sent by a worker and retried
    until the SAS acknowledges it. Never lost if the SAS is down."""

    class Kind(models.TextChoices):
        CREATE = "create", "POST Appointment"
        UPDATE = "update", "PUT Appointment?identifier="

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE,
                                    related_name="sas_messages")  # fmt: skip
    kind = models.CharField(max_length=10, choices=Kind.choices)
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class RotaPeriod(models.Model):
    """A recurring permanence: a weekday and hours (e.g. Saturday 8:00-12:00), optionally
    only between two dates (school holidays)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="rota_periods")
    label = models.CharField("nom", max_length=120)
    weekday = models.PositiveSmallIntegerField("jour (0 = lundi)")
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin")
    profession_code = models.CharField("profession", max_length=10, default="10")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PRACTICE)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    site = models.CharField("lieu", max_length=200, blank=True)
    only_from = models.DateField("seulement à partir du", null=True, blank=True)
    only_until = models.DateField("seulement jusqu'au", null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")),
                                   name="rota_period_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="rota_period_weekday"),
        ]  # fmt: skip

    WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

    @property
    def weekday_name(self) -> str:
        return self.WEEKDAYS[self.weekday]


class RotaVolunteer(models.Model):
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="rota_volunteers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="rota_volunteering")
    profession_code = models.CharField(max_length=10, default="10")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts", "user"], name="volunteer_once")]


class Unavailability(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="unavailabilities")
    start_date = models.DateField("du")
    end_date = models.DateField("au")
    reason = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="unavailability_dates_in_order")
        ]  # fmt: skip


class RotaShift(models.Model):
    """One occurrence of a period on a date, and who holds it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="rota_shifts")
    period = models.ForeignKey(RotaPeriod, on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField()
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="rota_shifts")
    slot = models.ForeignKey(Slot, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["date", "period__start_time"]
        constraints = [models.UniqueConstraint(fields=["period", "date"], name="rota_shift_once")]


class CalendarFeedTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class CalendarFeedToken(models.Model):
    """The key of a professional's private agenda feed (their appointments, with the
    patients' names and phones). Only the SHA-256 of the random token is stored, as for
    invitations and API tokens; its owner sees when it was last used, rotates it and
    revokes it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            # One address at a time per person and CPTS: a new one revokes the old.
            models.UniqueConstraint(fields=["cpts", "user"], condition=Q(revoked_at__isnull=True),
                                    name="calendar_feed_one_live"),
        ]  # fmt: skip

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, CalendarFeedToken.hash(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class IcsImport(models.Model):
    """An agenda (.ics) uploaded to publish its slots, imported by a background job: the
    uploaded text (bounded by ics.MAX_BYTES, checked at upload), the choices of the form,
    and the progress and outcome the page shows. `done` is written in the publication's
    own transaction, so a retried job never publishes twice."""

    class State(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échoué"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    content = models.TextField(blank=True)  # emptied once imported
    profession_code = models.CharField(max_length=10)
    kind = models.CharField(max_length=20)
    mode = models.CharField(max_length=20)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # French messages
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
