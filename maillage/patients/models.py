"""Patient identity (INS traits), consent, and need-to-know access grants.

A patient belongs to one CPTS. Coordinators of that CPTS see all its patients; anyone
else sees a patient only through an explicit, audited `PatientAccess` grant written by the
mission that needs it (a GP a patient is proposed to, the partner who referred them...).
"""

import datetime
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.territory.models import Commune, search_key


class Sex(models.TextChoices):
    FEMALE = "F", "Féminin"
    MALE = "M", "Masculin"
    UNKNOWN = "I", "Indéterminé"


class PatientQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def current(self):
        return self.filter(archived_at__isnull=True, merged_into__isnull=True)


class Patient(models.Model):
    # Reads and writes of a patient are audited with the patient as subject.
    is_audit_subject = True

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="patients")
    # INS traits (identité nationale de santé).
    birth_name = models.CharField("nom de naissance", max_length=100)
    used_name = models.CharField("nom utilisé", max_length=100, blank=True)
    first_names = models.CharField("prénoms", max_length=150)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_place_code = models.CharField(
        "lieu de naissance (code INSEE)",
        max_length=5,
        blank=True,
        help_text="Commune de naissance, ou 99xxx pour un pays étranger.",
    )
    nir = models.CharField("NIR", max_length=15, blank=True)
    # Contact.
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name="commune"
    )
    # Situation that sets the priority of a request for a médecin traitant.
    ald = models.BooleanField("ALD (affection de longue durée)", default=False)
    ald_detail = models.CharField("ALD : laquelle", max_length=200, blank=True)
    c2s = models.BooleanField("C2S (complémentaire santé solidaire)", default=False)
    ame = models.BooleanField("AME (aide médicale de l'État)", default=False)
    isolated = models.BooleanField("isolement", default=False)
    disability = models.BooleanField("handicap", default=False)
    pregnant = models.BooleanField("grossesse", default=False)
    chronic_treatment = models.BooleanField("traitement chronique", default=False)
    needs_home_visits = models.BooleanField("a besoin de visites à domicile", default=False)
    # The declared médecin traitant when they are a member of the CPTS (set when a request
    # for a médecin traitant ends with a declaration, or by hand).
    attending_gp = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="attended_patients",
        verbose_name="médecin traitant",
    )
    # Duplicate detection: normalised birth name + first first name + birth date.
    match_key = models.CharField(max_length=250, db_index=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["cpts", "match_key"], name="patient_match")]

    def __str__(self):
        return f"{self.display_name} ({self.birth_date:%d/%m/%Y})"

    @property
    def display_name(self) -> str:
        name = self.used_name or self.birth_name
        first = self.first_names.split(" ")[0] if self.first_names else ""
        return f"{name.upper()} {first}".strip()

    def age(self, on: datetime.date | None = None) -> int:
        on = on or timezone.localdate()
        years = on.year - self.birth_date.year
        return years - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


def match_key(birth_name: str, first_names: str, birth_date) -> str:
    first = search_key(first_names).split(" ")[0] if first_names else ""
    return f"{search_key(birth_name)}|{first}|{birth_date:%Y-%m-%d}"


class Consent(models.Model):
    class Method(models.TextChoices):
        ORAL = "oral", "Oral, recueilli par téléphone ou en consultation"
        WRITTEN = "written", "Écrit (formulaire signé)"
        ONLINE = "online", "En ligne (formulaire public)"
        CARER = "carer", "Par un aidant ou représentant légal"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    given_at = models.DateTimeField("recueilli le", default=timezone.now)
    method = models.CharField("comment", max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    scope = models.CharField(
        max_length=200, default="Traitement des données par la CPTS pour sa mission"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]


class PatientAccessQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class PatientAccess(models.Model):
    """A need-to-know grant: this user may see this patient, for this reason."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="patient_grants")
    reason = models.CharField(max_length=120)
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PatientAccessQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user", "reason"],
                condition=Q(revoked_at__isnull=True),
                name="patient_access_once",
            )
        ]


class DuplicateReview(models.Model):
    """A probable duplicate met by someone who may not see the patient already recorded.

    They are told only that the coordination will check (no name, no birth date: anyone
    could otherwise learn who is registered); what they submitted is kept here so that,
    once the coordination has compared it with the candidates, the mission carries on
    with the right record (see patients.duplicates)."""

    class Status(models.TextChoices):
        OPEN = "open", "À vérifier"
        SAME = "same", "Même personne qu'un patient enregistré"
        DIFFERENT = "different", "Autre personne : fiche créée"
        REJECTED = "rejected", "Écartée"

    # The submitted identity is a person's data: reads are audited with it as subject.
    is_audit_subject = True

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.PROTECT, related_name="duplicate_reviews")
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    match_key = models.CharField(max_length=250)
    # What was submitted (cleaned identity, contact and situation; dates as ISO text),
    # the consent recorded with it, and what it was for: "patient" (a record) or a
    # mission's purpose ("gp_request") with that mission's own fields in `payload`.
    data = models.JSONField(default=dict)
    consent_method = models.CharField(max_length=10, blank=True)
    purpose = models.CharField(max_length=30, default="patient")
    payload = models.JSONField(default=dict, blank=True)
    candidates = models.ManyToManyField(Patient, related_name="duplicate_reviews")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("commentaire", max_length=500, blank=True)
    # The patient the submission went to once resolved (the candidate, or the new record).
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            # Submitting the same person again while it is checked reuses the review.
            models.UniqueConstraint(
                fields=["cpts", "submitted_by", "match_key", "purpose"],
                condition=Q(status="open"),
                name="duplicate_review_open_once",
            )
        ]
        indexes = [models.Index(fields=["cpts", "status", "submitted_at"],
                                name="duplicate_review_queue")]  # fmt: skip

    @property
    def display_name(self) -> str:
        name = self.data.get("used_name") or self.data.get("birth_name", "")
        first = (self.data.get("first_names") or "").split(" ")[0]
        return f"{name.upper()} {first}".strip()

    @property
    def birth_date(self):
        value = self.data.get("birth_date")
        return datetime.date.fromisoformat(value) if value else None
