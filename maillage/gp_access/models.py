"""Accès au médecin traitant: requests, their state machine, priority rules, GP capacity,
and proposal batches."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.patients.models import Patient
from maillage.territory.models import Commune


class Status(models.TextChoices):
    NEW = "new", "Nouvelle"
    QUALIFIED = "qualified", "Qualifiée (dossier complet)"
    PROPOSED = "proposed", "Proposée à un médecin"
    ACCEPTED = "accepted", "Acceptée par le médecin"
    DECLINED = "declined", "Refusée par le médecin"
    ASSIGNED = "assigned", "Médecin traitant déclaré"
    CLOSED = "closed", "Clôturée"
    CANCELLED = "cancelled", "Annulée"
    REDIRECTED = "redirected_dac", "Orientée vers le DAC"


# The state machine: from each status, the statuses a request may move to.
TRANSITIONS = {
    Status.NEW: {Status.QUALIFIED, Status.CANCELLED, Status.REDIRECTED},
    Status.QUALIFIED: {Status.PROPOSED, Status.CANCELLED, Status.REDIRECTED},
    # Back to qualified when the GP did not answer in time (the proposal expired).
    Status.PROPOSED: {Status.ACCEPTED, Status.DECLINED, Status.QUALIFIED, Status.CANCELLED},
    Status.ACCEPTED: {Status.ASSIGNED, Status.CANCELLED},
    # A declined patient goes back to the pool of qualified requests.
    Status.DECLINED: {Status.QUALIFIED, Status.CANCELLED, Status.REDIRECTED},
    Status.ASSIGNED: {Status.CLOSED},
    Status.REDIRECTED: {Status.CLOSED},
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
}
FINISHED = (Status.CLOSED, Status.CANCELLED, Status.REDIRECTED)


class Origin(models.TextChoices):
    PUBLIC_FORM = "public_form", "Formulaire public"
    PROFESSIONAL = "professional", "Professionnel de santé"
    PARTNER = "partner", "Partenaire"
    CARER = "carer", "Aidant pour le patient"
    CPAM = "cpam", "Liste de la CPAM"
    COORDINATION = "coordination", "Coordination"
    SCREENING = "screening", "Dépistage (prévention)"


class GpRequestQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def open(self):
        return self.exclude(status__in=FINISHED)

    def waiting(self):
        """In the pool: qualified, not yet proposed to anyone."""
        return self.filter(status=Status.QUALIFIED)


class GpRequest(models.Model):
    """A resident looking for a médecin traitant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="gp_requests")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="gp_requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    origin = models.CharField(max_length=20, choices=Origin.choices)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carer_name = models.CharField("nom de l'aidant", max_length=150, blank=True)
    carer_relation = models.CharField("lien avec le patient", max_length=100, blank=True)
    carer_phone = models.CharField("téléphone de l'aidant", max_length=20, blank=True)
    message = models.TextField("message du demandeur", blank=True)
    notes = models.TextField("notes de la coordination", blank=True)
    # Priority, recomputed on qualification and whenever the rules or the patient change.
    priority_score = models.IntegerField(default=0, db_index=True)
    priority_reasons = models.CharField(max_length=200, blank=True)
    assigned_gp = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = GpRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            # One open request per patient: a second one is a duplicate.
            models.UniqueConstraint(
                fields=["patient"],
                condition=~Q(status__in=["closed", "cancelled", "redirected_dac"]),
                name="gp_request_one_open_per_patient",
            )
        ]
        indexes = [
            models.Index(fields=["cpts", "status", "-priority_score", "created_at"],
                         name="gp_request_queue"),
            # The work queue mixes several statuses: walking this index in queue order
            # lets the database stop after the first page instead of sorting them all.
            models.Index(fields=["cpts", "-priority_score", "created_at", "id"],
                         name="gp_request_priority"),
        ]  # fmt: skip

    def __str__(self):
        return f"Demande {self.public_id} ({self.get_status_display()})"

    def allowed_transitions(self) -> set[str]:
        return TRANSITIONS[Status(self.status)]


class Transition(models.Model):
    """Every status change: who, when, from what, to what, and why."""

    request = models.ForeignKey(GpRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField("motif", max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class Criterion(models.TextChoices):
    ALD = "ald", "ALD"
    AGE70 = "age70", "70 ans et plus"
    PRECARITY = "precarity", "C2S / AME"
    ISOLATION = "isolation", "Isolement"
    DISABILITY = "disability", "Handicap"
    PREGNANCY = "pregnancy", "Grossesse"
    CHRONIC = "chronic", "Traitement chronique"


# Default weights follow the ACI order (ALD, 70+, C2S/AME, then isolation, disability,
# pregnancy): powers of two, so a higher criterion always outweighs all lower ones.
DEFAULT_WEIGHTS = {
    Criterion.ALD: 64,
    Criterion.AGE70: 32,
    Criterion.PRECARITY: 16,
    Criterion.ISOLATION: 8,
    Criterion.DISABILITY: 4,
    Criterion.PREGNANCY: 2,
    Criterion.CHRONIC: 1,
}


class PriorityRule(models.Model):
    """The weight a CPTS gives to one criterion (0 disables it)."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="priority_rules")
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    weight = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "criterion"], name="priority_rule_once")
        ]


class GpCapacity(models.Model):
    """What a volunteer GP offers: new patients per month, limits, pauses."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="gp_capacities")
    gp = models.ForeignKey(User, on_delete=models.CASCADE, related_name="gp_capacities")
    monthly_new_patients = models.PositiveIntegerField("nouveaux patients par mois", default=0)
    max_distance_km = models.PositiveIntegerField("distance maximale (km)", null=True, blank=True)
    min_age = models.PositiveIntegerField("âge minimum", null=True, blank=True)
    max_age = models.PositiveIntegerField("âge maximum", null=True, blank=True)
    home_visits = models.BooleanField("accepte des patients à visiter à domicile", default=False)
    paused_until = models.DateField("en pause jusqu'au", null=True, blank=True)
    practice_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, verbose_name="commune d'exercice"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts", "gp"], name="gp_capacity_once")]

    def is_paused(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.paused_until is not None and self.paused_until >= on


class ProposalBatch(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "À valider"
        SENT = "sent", "Envoyé aux médecins"
        DISCARDED = "discarded", "Abandonné"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="proposal_batches")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    stats = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "À valider"
        PENDING = "pending", "En attente de réponse"
        ACCEPTED = "accepted", "Acceptée"
        DECLINED = "declined", "Refusée"
        EXPIRED = "expired", "Expirée sans réponse"
        WITHDRAWN = "withdrawn", "Retirée"

    # What a GP may have seen: proposals of a batch that was sent (never a draft).
    SENT_STATES = ("pending", "accepted", "declined", "expired")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="proposals")
    batch = models.ForeignKey(
        ProposalBatch, on_delete=models.CASCADE, related_name="proposals", null=True
    )
    request = models.ForeignKey(GpRequest, on_delete=models.CASCADE, related_name="proposals")
    gp = models.ForeignKey(User, on_delete=models.CASCADE, related_name="gp_proposals")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    distance_km = models.FloatField(null=True)
    decline_reason = models.CharField("motif du refus", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The GP answers before this (GP_PROPOSAL_RESPONSE_DAYS after sending), or the
    # proposal expires: the patient goes back to the waiting list, out of the GP's sight.
    respond_by = models.DateTimeField("répondre avant le", null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A request is in at most one live proposal at a time.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(state__in=["draft", "pending"]),
                name="proposal_one_live_per_request",
            )
        ]


class CsvUpload(models.Model):
    """A CPAM list waiting for its column mapping. Holds patient data: deleted as soon as
    it is imported or abandoned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)


class ImportState(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échoué"


class CpamImport(models.Model):
    """One import of a CPAM list, run as a background job: its progress as the page
    shows it, and its outcome. The job imports only while this row says it has not yet
    (`done` is written in the import's own transaction), so a retried job never imports
    twice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    # The stored list (deleted once imported: patient data is not kept).
    upload = models.ForeignKey(CsvUpload, on_delete=models.SET_NULL, null=True,
                               related_name="imports")  # fmt: skip
    file_name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=ImportState.choices,
                             default=ImportState.QUEUED)  # fmt: skip
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # French messages
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One import at a time per stored list: a second click finds the first.
            models.UniqueConstraint(
                fields=["upload"],
                condition=Q(state__in=["queued", "running"]),
                name="cpam_import_one_live_per_upload",
            )
        ]

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
