"""Prévention: the yearly programme and its themes, actions (vaccination campaigns,
screening days, awareness sessions) with their proofs, public registrations, vaccination
counts, screening participants and the follow-up of every positive result into care,
and the screening rates of the ACI contract.

Vocabulary kept in French where English has no exact word: émargement (the sign-in
sheet), médecin traitant (the declared GP), FINDRISC (the Finnish diabetes risk score).
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.directory.models import Structure
from maillage.patients.models import Patient
from maillage.territory.models import Commune


class TenantQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


# The programme ---------------------------------------------------------------------------


class ActionKind(models.TextChoices):
    VACCINATION = "vaccination", "Campagne de vaccination"
    SCREENING = "screening", "Journée de dépistage"
    AWARENESS = "awareness", "Séance de sensibilisation"


class ThemeQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        """The shipped catalogue (no CPTS) and the CPTS's own themes."""
        return self.filter(Q(cpts__isnull=True) | Q(cpts=cpts))

    def active(self):
        return self.filter(archived_at__isnull=True)


class Theme(models.Model):
    """A prevention theme: from the shipped catalogue (`cpts` empty, loaded by a data
    migration from prevention/data/themes.json) or created by a CPTS."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="prevention_themes")  # fmt: skip
    code = models.SlugField("code", max_length=60)
    label = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    # The kind of action the theme usually calls for, and the questionnaire of its
    # screening days ("findrisc", "tension", "glycemie" or a CPTS's own code).
    default_kind = models.CharField("type d'action habituel", max_length=12,
                                    choices=ActionKind.choices, blank=True)  # fmt: skip
    questionnaire = models.CharField("questionnaire de dépistage", max_length=60, blank=True)
    # For the national screening months: "03" (Mars bleu), "06", "10".
    month = models.CharField("mois national", max_length=2, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "code"], name="prevention_theme_code_once"),
            models.UniqueConstraint(fields=["code"], condition=Q(cpts__isnull=True),
                                    name="prevention_shipped_theme_once"),  # fmt: skip
        ]

    def __str__(self):
        return self.label


class Programme(models.Model):
    """The CPTS's prevention programme for one year."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="prevention_programmes")
    year = models.PositiveIntegerField("année", validators=[MinValueValidator(2000),
                                                             MaxValueValidator(2100)])
    notes = models.TextField("orientations", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "year"], name="prevention_programme_once"),
        ]


class TargetSource(models.TextChoices):
    ENTERED = "entered", "Saisie par la coordination"
    COMPUTED = "computed", "Calculée à partir des populations INSEE"


class ProgrammeTheme(models.Model):
    """One theme of a year's programme: its objectives and its target population."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    objectives = models.TextField("objectifs", blank=True)
    # The target population: sex ("" both), age band (inclusive), communes (none: the
    # whole territory), and its size.
    target_sex = models.CharField("sexe", max_length=1, choices=Sex.choices, blank=True)
    age_min = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True,
                                               validators=[MaxValueValidator(120)])
    age_max = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True,
                                               validators=[MaxValueValidator(120)])
    communes = models.ManyToManyField(Commune, blank=True, related_name="+")
    target_size = models.PositiveIntegerField("taille de la population cible", null=True,
                                              blank=True)  # fmt: skip
    target_source = models.CharField(max_length=10, choices=TargetSource.choices,
                                     default=TargetSource.ENTERED)  # fmt: skip
    target_note = models.CharField("source de la taille", max_length=300, blank=True)
    # A figure to reach: a coverage rate (vaccination, screening) or a count (people
    # screened, people informed).
    objective_rate = models.DecimalField("objectif de couverture (%)", max_digits=5,
                                         decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(0),
                                                     MaxValueValidator(100)])  # fmt: skip
    objective_count = models.PositiveIntegerField("objectif (nombre de personnes)", null=True,
                                                  blank=True)  # fmt: skip

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["theme__label"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "theme"],
                                    name="prevention_programme_theme_once"),  # fmt: skip
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True)
                | Q(age_min__lte=models.F("age_max")),
                name="prevention_target_age_band",
            ),
        ]


# Actions -------------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Réalisée"
    CANCELLED = "cancelled", "Annulée"


class ActionQuerySet(TenantQuerySet):
    def live(self):
        return self.exclude(status=ActionStatus.CANCELLED)

    def public(self):
        return self.filter(public=True).exclude(status=ActionStatus.CANCELLED)


class Action(models.Model):
    """A vaccination campaign, a screening day or an awareness session."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="prevention_actions")
    kind = models.CharField("type", max_length=12, choices=ActionKind.choices)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="actions",
                              verbose_name="thème")  # fmt: skip
    programme_theme = models.ForeignKey(ProgrammeTheme, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="actions")  # fmt: skip
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    status = models.CharField(max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.PLANNED)  # fmt: skip
    # Where: a structure of the directory, or a place named by hand, in a commune.
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="commune")  # fmt: skip
    structure = models.ForeignKey(Structure, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="structure")  # fmt: skip
    place = models.CharField("lieu", max_length=300, blank=True)
    partners = models.TextField("partenaires", blank=True)
    # The questionnaire of a screening day ("findrisc", "tension", "glycemie", a CPTS's own).
    questionnaire = models.CharField("questionnaire", max_length=60, blank=True)
    # A vaccination campaign: the vaccines counted (codes of prevention.vaccination).
    vaccines = models.JSONField("vaccins", default=list, blank=True)
    # Its own target when it differs from its programme theme's.
    target_size = models.PositiveIntegerField("population cible", null=True, blank=True)
    objective_rate = models.DecimalField("objectif de couverture (%)", max_digits=5,
                                         decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(0),
                                                     MaxValueValidator(100)])  # fmt: skip
    # Public events: a page on the CPTS's public site with registration.
    public = models.BooleanField("ouverte au public", default=False)
    audience = models.CharField("qui peut venir", max_length=300, blank=True)
    capacity = models.PositiveIntegerField("nombre de places", null=True, blank=True,
                                           validators=[MinValueValidator(1),
                                                       MaxValueValidator(100_000)])  # fmt: skip
    # Proof counts entered by the coordination (people informed; people screened or
    # referred on paper, outside the phone entry).
    informed_count = models.PositiveIntegerField("personnes informées", null=True, blank=True)
    paper_screened = models.PositiveIntegerField("dépistés sur papier", default=0)
    paper_referred = models.PositiveIntegerField("orientés sur papier", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["cpts", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="prevention_action_ends_after_start"),  # fmt: skip
        ]

    def __str__(self):
        return self.title


class ActionProfessional(models.Model):
    """A professional taking part in an action; `attended` and `minutes` are the record of
    their time (core.attendance, for the compensation of the association)."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="professionals")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    role = models.CharField("rôle", max_length=120, blank=True)
    attended = models.BooleanField("présent", null=True, blank=True)
    minutes = models.PositiveIntegerField("temps passé (minutes)", null=True, blank=True,
                                          validators=[MaxValueValidator(24 * 60)])  # fmt: skip
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "user"],
                                    name="prevention_professional_once"),  # fmt: skip
        ]


class MaterialKind(models.TextChoices):
    CALENDAR = "calendar", "Calendrier"
    SIGN_IN = "sign_in", "Feuille d'émargement"
    MATERIAL = "material", "Support utilisé"
    PHOTO = "photo", "Photo"
    OTHER = "other", "Autre document"


class Material(models.Model):
    """A file attached to an action (a proof for the contract). Stored in the database:
    a few megabytes per action, backed up with the rest."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField("nature", max_length=10, choices=MaterialKind.choices)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]


# Public registrations --------------------------------------------------------------------


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Inscrite"
    WAITING = "waiting", "Liste d'attente"
    CANCELLED = "cancelled", "Annulée"


class Registration(models.Model):
    """A resident's registration to a public action. The cancellation link carries a
    random token; only its hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="registrations")
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")  # fmt: skip

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["action", "status"])]


# Vaccination counts ----------------------------------------------------------------------


class DoseReport(models.Model):
    """Doses given by one pharmacy or practice, on one day (or in the week starting on
    `day`), for one vaccine and one age band. A new report of the same key replaces it."""

    class Period(models.TextChoices):
        DAY = "day", "Jour"
        WEEK = "week", "Semaine"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="dose_reports")
    reporter = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")  # fmt: skip
    # Who gave the doses, as shown (the pharmacy or practice's name).
    site_label = models.CharField("officine ou cabinet", max_length=200)
    period = models.CharField(max_length=4, choices=Period.choices, default=Period.DAY)
    day = models.DateField("jour")
    vaccine = models.CharField("vaccin", max_length=20)
    age_band = models.CharField("tranche d'âge", max_length=10)
    doses = models.PositiveIntegerField("doses", validators=[MaxValueValidator(100_000)])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "site_label", "period", "day", "vaccine", "age_band"],
                name="prevention_dose_report_once",
            ),
            models.CheckConstraint(condition=Q(doses__gte=0), name="prevention_doses_positive"),
        ]


# Screening -------------------------------------------------------------------------------


class Questionnaire(models.Model):
    """A screening questionnaire defined by a coordinator as data: items with points and
    thresholds (see prevention.questionnaires for the format). The shipped ones
    (findrisc, tension, glycemie) are code, not rows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField("code", max_length=60)
    label = models.CharField("intitulé", max_length=200)
    definition = models.JSONField("définition", default=dict)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "code"],
                                    name="prevention_questionnaire_once"),  # fmt: skip
        ]


class ParticipantQuerySet(TenantQuerySet):
    def positive(self):
        return self.filter(positive=True)


class Participant(models.Model):
    """One person screened at an action. Anonymous (sex, age, commune) unless they
    consented to give their identity for a follow-up: then `patient` points to them and
    every read of it goes through the patients app's need-to-know helpers."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="participants")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField("âge", validators=[MaxValueValidator(120)])
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # fmt: skip
    questionnaire = models.CharField(max_length=60)
    answers = models.JSONField(default=dict)
    # Measures taken after the questionnaire (capillary glucose, repeated blood pressure):
    # [{"kind", "value", ... , "at"}].
    measures = models.JSONField(default=list, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    risk = models.CharField(max_length=20, blank=True)  # a code of the questionnaire's bands
    next_step = models.CharField(max_length=20, blank=True)  # see prevention.scoring.NextStep
    positive = models.BooleanField(default=False)
    # A short fingerprint of what was entered (sex, age, commune, body measures) to warn
    # of a second entry of the same person at the same action.
    fingerprint = models.CharField(max_length=64, db_index=True)
    duplicate_confirmed = models.BooleanField(default=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # fmt: skip
    registration = models.ForeignKey(Registration, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")  # fmt: skip
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["entered_at", "pk"]
        indexes = [
            models.Index(fields=["action", "positive"]),
            models.Index(fields=["action", "fingerprint"]),
        ]


class FollowUpStatus(models.TextChoices):
    TO_REFER = "to_refer", "À adresser"
    REFERRED = "referred", "Adressé"
    SEEN = "seen", "Vu par un médecin"
    LOST = "lost", "Perdu de vue"
    DECLINED = "declined", "Refusé par la personne"


class FollowUpQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(status__in=(FollowUpStatus.TO_REFER, FollowUpStatus.REFERRED))


class FollowUp(models.Model):
    """What became of a positive screening: the referral to the person's médecin traitant
    (a letter), or, when they have none, a request in the médecin-traitant queue; then
    whether a doctor saw them, confirmed by that doctor or by the coordination."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE,
                                       related_name="follow_up")  # fmt: skip
    reason = models.CharField("motif", max_length=300)
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.TO_REFER)  # fmt: skip
    # The person's médecin traitant: a member of the CPTS, or named by hand.
    gp = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")  # fmt: skip
    gp_name = models.CharField("médecin traitant", max_length=200, blank=True)
    has_gp = models.BooleanField("a un médecin traitant", null=True, blank=True)
    letter_at = models.DateTimeField(null=True, blank=True)
    # The request created in the médecin-traitant queue (gp_access), by its public id.
    gp_request_id = models.UUIDField(null=True, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    seen_on = models.DateField("vu le", null=True, blank=True)
    confirmed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")  # fmt: skip
    # What the doctor found: "confirmed" (e.g. diabetes confirmed), "not_confirmed".
    outcome = models.CharField("résultat", max_length=20, blank=True)
    pathway_proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["cpts", "status"])]


# The contract's screening rates ---------------------------------------------------------


class ContractRate(models.Model):
    """A screening indicator of the ACI contract for one year: baseline, three tiers with
    their amounts, and the territory's rate from the CPAM, with its source and date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("année")
    baseline = models.DecimalField("situation de départ (%)", max_digits=5, decimal_places=2)
    socle = models.DecimalField("palier socle (%)", max_digits=5, decimal_places=2)
    intermediate = models.DecimalField("palier intermédiaire (%)", max_digits=5,
                                       decimal_places=2)  # fmt: skip
    objective = models.DecimalField("palier objectif (%)", max_digits=5, decimal_places=2)
    amount_socle = models.PositiveIntegerField("montant socle (€)", default=0)
    amount_intermediate = models.PositiveIntegerField("montant intermédiaire (€)", default=0)
    amount_objective = models.PositiveIntegerField("montant objectif (€)", default=0)
    rate = models.DecimalField("taux constaté (%)", max_digits=5, decimal_places=2, null=True,
                               blank=True)  # fmt: skip
    rate_source = models.CharField("source du taux", max_length=200, blank=True)
    rate_date = models.DateField("date du taux", null=True, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "theme__label"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "theme", "year"],
                                    name="prevention_contract_rate_once"),  # fmt: skip
            models.CheckConstraint(
                condition=Q(socle__lte=models.F("intermediate"))
                & Q(intermediate__lte=models.F("objective")),
                name="prevention_tiers_ordered",
            ),
        ]
