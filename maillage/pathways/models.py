"""Parcours pluriprofessionnels: versioned pathway templates, enrolments with a care team,
and the follow-up tasks they generate."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.patients.models import Patient


def decimal_fr(value) -> str:
    """7.20 -> "7,2", 2.00 -> "2": a result as a person writes it in French."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class ResultKind(models.TextChoices):
    NONE = "none", "Pas de résultat"
    NUMBER = "number", "Valeur numérique"
    GRADE = "grade", "Grade"
    YESNO = "yesno", "Oui / non"


class PathwayTemplate(models.Model):
    """A pathway model. Shipped ones have no CPTS; a CPTS's own copies have one. A change
    makes a new version; enrolments keep the version they were made with."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="pathway_templates")  # fmt: skip
    slug = models.SlugField(max_length=80)
    name = models.CharField("nom", max_length=200)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    # A coordinator edits a draft; publishing it makes it the version new enrolments use.
    is_draft = models.BooleanField("brouillon", default=False)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")  # fmt: skip
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "slug", "version"],
                                    name="template_version_once"),
            models.UniqueConstraint(fields=["slug", "version"], condition=Q(cpts__isnull=True),
                                    name="shipped_template_version_once"),
            models.UniqueConstraint(fields=["cpts", "slug"], condition=Q(is_draft=True),
                                    name="one_draft_per_template"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.name} (v{self.version})"


class TemplateStep(models.Model):
    template = models.ForeignKey(PathwayTemplate, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=60)
    label = models.CharField("étape", max_length=200)
    profession_code = models.CharField("profession responsable", max_length=10, blank=True)
    due_offset_days = models.PositiveIntegerField("échéance (jours après l'inclusion)",
                                                  default=0)  # fmt: skip
    recurrence_days = models.PositiveIntegerField("récurrence (jours)", null=True, blank=True)
    result_kind = models.CharField(max_length=10, choices=ResultKind.choices,
                                   default=ResultKind.NONE)  # fmt: skip
    unit = models.CharField(max_length=30, blank=True)
    plausible_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    plausible_max = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # A conditional step starts only when the result of `condition_step` reaches
    # `condition_min` (e.g. foot grade >= 1 adds a podiatrist follow-up).
    condition_step = models.ForeignKey("self", on_delete=models.CASCADE, null=True,
                                       blank=True, related_name="dependents")  # fmt: skip
    condition_min = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="step_code_once")]

    def __str__(self):
        return self.label


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class Enrolment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="enrolments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="enrolments")
    template = models.ForeignKey(PathwayTemplate, on_delete=models.PROTECT,
                                 related_name="enrolments")  # fmt: skip
    enrolled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    enrolled_on = models.DateField(default=timezone.localdate)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live enrolment per patient and pathway (whatever the template's version).
            models.UniqueConstraint(fields=["patient", "template"],
                                    condition=Q(ended_at__isnull=True),
                                    name="enrolment_once_per_template"),
        ]  # fmt: skip


class CareTeamMember(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_teams")
    role = models.CharField("rôle", max_length=120, blank=True)
    is_referent = models.BooleanField("référent", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "user"], name="team_member_once"),
            models.UniqueConstraint(fields=["enrolment"], condition=Q(is_referent=True),
                                    name="one_referent_per_team"),
        ]  # fmt: skip


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Task.Status.DUE)

    def late(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Task(models.Model):
    class Status(models.TextChoices):
        DUE = "due", "À faire"
        DONE = "done", "Fait"
        CANCELLED = "cancelled", "Annulé"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="pathway_tasks")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="tasks")
    # A task comes from a template step, or from a concertation meeting's decision (free
    # label, no step).
    step = models.ForeignKey(TemplateStep, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="tasks")  # fmt: skip
    label = models.CharField("tâche", max_length=200, blank=True)
    profession_code = models.CharField(max_length=10, blank=True)
    decision = models.ForeignKey("CaseDecision", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="tasks")  # fmt: skip
    due_date = models.DateField(db_index=True)
    assignee = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="pathway_tasks")  # fmt: skip
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")  # fmt: skip
    result_number = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    result_bool = models.BooleanField(null=True, blank=True)
    result_note = models.CharField(max_length=300, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            # A step has at most one open task in an enrolment at a time.
            models.UniqueConstraint(fields=["enrolment", "step"], condition=Q(status="due"),
                                    name="one_open_task_per_step"),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["cpts", "status", "due_date"], name="task_due"),
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_due"),
        ]

    @property
    def title(self):
        return self.label or (self.step.label if self.step_id else "")


class NoteKind(models.TextChoices):
    NOTE = "note", "Note de coordination"
    HOSPITALISED = "hospitalised", "Hospitalisation"
    BACK_HOME = "back_home", "Retour à domicile"
    OTHER_EVENT = "event", "Autre événement"


# Events alert the care team; plain notes do not.
ALERTING_KINDS = {NoteKind.HOSPITALISED, NoteKind.BACK_HOME, NoteKind.OTHER_EVENT}


class CoordinationNote(models.Model):
    """What one member of the care team tells the others about the patient."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField("type", max_length=15, choices=NoteKind.choices,
                            default=NoteKind.NOTE)  # fmt: skip
    text = models.TextField("note", max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["enrolment", "-created_at"], name="note_enrolment")]

    @property
    def is_event(self):
        return self.kind in ALERTING_KINDS


class Meeting(models.Model):
    """A concertation meeting (RCP pluriprofessionnelle): cases, attendance, decisions."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        HELD = "held", "Tenue"
        CANCELLED = "cancelled", "Annulée"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("date et heure")
    duration_minutes = models.PositiveIntegerField("durée (minutes)", default=60)
    place = models.CharField("lieu ou lien de visioconférence", max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    organiser = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    summary = models.TextField("compte rendu", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["cpts", "starts_at"], name="meeting_cpts_start")]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d/%m/%Y})"


class MeetingCase(models.Model):
    """A patient's case put on a meeting's agenda."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cases")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="cases")
    question = models.TextField("question posée", max_length=2000)
    reviewed = models.BooleanField("cas discuté", default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "enrolment"],
                                               name="case_once_per_meeting")]  # fmt: skip


class MeetingAttendance(models.Model):
    """Who was invited and who came; the minutes are what the CPTS compensates."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="meeting_attendance")
    present = models.BooleanField("présent", default=False)
    minutes = models.PositiveIntegerField("temps passé (minutes)", default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"],
                                               name="attendance_once")]  # fmt: skip


class CaseDecision(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(MeetingCase, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("décision", max_length=2000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]


class ReminderLog(models.Model):
    """One reminder e-mail per person and day, whatever the number of runs."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due_count = models.PositiveIntegerField(default=0)
    late_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts", "user", "day"],
                                               name="reminder_once_a_day")]  # fmt: skip
