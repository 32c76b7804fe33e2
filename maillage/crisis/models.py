"""Crises sanitaires graves: the plan and its versions, the contact tree, resources, the
vulnerable register, activations with their alerts, call campaigns, log and RETEX.

Vocabulary kept in French where English has no exact word: SSE (situation sanitaire
exceptionnelle), RETEX (retour d'expérience, the post-crisis review), main courante (the
crisis log, never edited).
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.directory.models import Professional
from maillage.patients.models import Patient
from maillage.territory.models import Commune


class CrisisType(models.TextChoices):
    """The five crisis types of the national frame (domain/crisis.md)."""

    MASS_INJURED = "afflux-blesses", "Afflux massif de blessés"
    MASS_SICK = "afflux-malades", "Afflux de malades (épidémie, canicule, froid, pollution)"
    INFECTIOUS = "risque-infectieux", "Risque infectieux émergent (dont vaccination exceptionnelle)"
    NRBC = "nrbc", "Risque nucléaire, radiologique, biologique ou chimique"
    DEGRADED_SUPPLY = "offre-de-soins", "Offre de soins dégradée (pénurie, intempéries, rupture)"


class TenantQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)


# The plan -------------------------------------------------------------------------------


class PlanRevision(models.Model):
    """One saved edit of one section of the plan's working draft. Never changed: the draft
    is the newest revision of each section, and the history of a section is its rows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_plan_revisions")
    section = models.CharField("section", max_length=60)
    body = models.TextField("contenu", blank=True)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A revision written from a RETEX's conclusions points to it.
    from_retex = models.ForeignKey("Retex", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="plan_revisions")  # fmt: skip

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["cpts", "section", "created_at"])]


class PlanVersion(models.Model):
    """A dated version of the whole plan, a snapshot of every section. Draft until a board
    member approves it; an approved version is never changed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_plan_versions")
    number = models.PositiveIntegerField("numéro")
    frame_version = models.CharField("version de la trame", max_length=20)
    # [{"code", "title", "body", "revision": public_id, "changed_at", "changed_by"}]
    sections = models.JSONField(default=list)
    note = models.CharField("objet de la version", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    # When it was handed to the ARS and the CPAM (a proof for the contract).
    delivered_on = models.DateField("remis à l'ARS et à la CPAM le", null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "number"], name="crisis_plan_version_once"),
        ]


# The contact tree -----------------------------------------------------------------------


class ContactCategory(models.TextChoices):
    MEMBER = "member", "Membre de la CPTS"
    HOSPITAL = "hospital", "Hôpital"
    EHPAD = "ehpad", "EHPAD"
    TOWN_HALL = "town_hall", "Mairie / CCAS"
    CENTRE_15 = "centre_15", "Centre 15 (SAMU)"
    FIRE = "fire", "Sapeurs-pompiers (SDIS)"
    CIVIL_PROTECTION = "civil_protection", "Protection civile / Croix-Rouge"
    ARS = "ars", "Délégation de l'ARS"
    PREFECTURE = "prefecture", "Préfecture"
    OTHER = "other", "Autre partenaire"


class ContactQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Contact(models.Model):
    """Someone the CPTS can reach in a crisis: a member (linked to their account and
    directory entry when they have them) or an outside contact."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_contacts")
    category = models.CharField("catégorie", max_length=20, choices=ContactCategory.choices,
                                default=ContactCategory.MEMBER)  # fmt: skip
    name = models.CharField("nom", max_length=200)
    organisation = models.CharField("structure", max_length=200, blank=True)
    account = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="crisis_contacts")  # fmt: skip
    professional = models.ForeignKey(Professional, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")  # fmt: skip
    # RPPS profession code (10 médecin, 60 infirmier...) for "profession:<code>" groups.
    profession_code = models.CharField("profession", max_length=10, blank=True, db_index=True)
    mobile = models.CharField("téléphone mobile", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True,
                                verbose_name="commune")  # fmt: skip
    plan_role = models.CharField("rôle dans le plan", max_length=200, blank=True)
    in_cell = models.BooleanField("membre de la cellule de crise", default=False)
    cell_role = models.CharField("rôle dans la cellule", max_length=200, blank=True)
    notes = models.CharField("notes", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Fields of a member's contact the coordinator changed by hand (and "archived_at" when
    # they archived it): the sync from the members never writes them again.
    hand_edited = models.JSONField(default=list, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cpts", "account"], condition=Q(account__isnull=False),
                                    name="crisis_contact_one_per_account"),
        ]  # fmt: skip

    def __str__(self):
        return self.name


class ContactSkill(models.Model):
    """A skill useful in a crisis (codes in crisis/skills.py), one row per contact and
    skill so that "contacts with a skill" is an indexed query on both databases."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(max_length=40, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "code"], name="crisis_skill_once"),
        ]


# Resources ------------------------------------------------------------------------------


class Site(models.Model):
    """A place usable in a crisis (gymnasium, hall, practice) with its capacity."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_sites")
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type de lieu", max_length=100, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    capacity = models.PositiveIntegerField("capacité (personnes)", null=True, blank=True)
    contact = models.CharField("contact sur place", max_length=200, blank=True)
    notes = models.CharField("notes", max_length=500, blank=True)
    confirmed_at = models.DateTimeField("confirmé le", default=timezone.now)
    confirmed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]


class Stock(models.Model):
    """Stock or equipment held by someone, with a minimum level: below it, the
    coordination is alerted once (until the level is back above)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_stocks")
    item = models.CharField("matériel ou produit", max_length=200)
    unit = models.CharField("unité", max_length=40, blank=True)
    quantity = models.IntegerField("quantité", validators=[MinValueValidator(0),
                                                           MaxValueValidator(10_000_000)])
    minimum = models.IntegerField("niveau minimum", default=0,
                                  validators=[MinValueValidator(0),
                                              MaxValueValidator(10_000_000)])  # fmt: skip
    holder = models.CharField("détenu par", max_length=200)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="stocks", verbose_name="lieu")  # fmt: skip
    confirmed_at = models.DateTimeField("confirmé le", default=timezone.now)
    confirmed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # Set when the level went below the minimum and the alert was sent; cleared above it.
    below_minimum_since = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0),
                                   name="crisis_stock_not_negative"),
            models.CheckConstraint(condition=Q(minimum__gte=0),
                                   name="crisis_stock_min_not_negative"),
            # A figure past this is a typing slip (and beyond PostgreSQL's integer).
            models.CheckConstraint(condition=Q(quantity__lte=10_000_000, minimum__lte=10_000_000),
                                   name="crisis_stock_not_huge"),
        ]  # fmt: skip


# The vulnerable register ----------------------------------------------------------------


class VulnerableQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class VulnerablePerson(models.Model):
    """A patient of the CPTS to contact in a crisis, with their consent. It complements
    the mayor's heatwave register (décret 2004-926) and is never merged with it.
    Need-to-know: their referent professional and the coordination (crisis/access.py);
    audit rows name the patient as their subject."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_vulnerable")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    referent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="professionnel référent")  # fmt: skip
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    consent_on = models.DateField("consentement recueilli le")
    # "person" or "third_party" (a relative, a carer), as for the mayor's register.
    consent_by = models.CharField("consentement donné par", max_length=20)
    consent_recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                            related_name="+")  # fmt: skip
    notes = models.CharField("consignes (accès, contact d'un proche)", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = VulnerableQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "patient"],
                                    condition=Q(archived_at__isnull=True),
                                    name="crisis_vulnerable_once"),
        ]  # fmt: skip


class VulnerableCriterion(models.Model):
    """Why a person is on the register (codes in crisis/vulnerable.py, CRITERIA)."""

    person = models.ForeignKey(VulnerablePerson, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "code"], name="crisis_criterion_once"),
        ]


# Activations ----------------------------------------------------------------------------


class ActivationKind(models.TextChoices):
    CRISIS = "crisis", "Crise (déclenchée par l'autorité)"
    VIGILANCE = "vigilance", "Vigilance"
    EXERCISE = "exercise", "Exercice"


class Authority(models.TextChoices):
    """Who may trigger a crisis (domain/crisis.md): nobody else."""

    ARS = "ars", "Directeur général de l'ARS"
    PREFET = "prefet", "Préfet"
    MINISTRE = "ministre", "Ministre"


class ActivationQuerySet(TenantQuerySet):
    def live(self):
        return self.filter(ended_at__isnull=True)

    def real(self):
        """What counts in the figures: no exercise."""
        return self.exclude(kind=ActivationKind.EXERCISE)


class Activation(models.Model):
    """A crisis (only on an authority's decision), a vigilance or an exercise."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_activations")
    kind = models.CharField("nature", max_length=12, choices=ActivationKind.choices)
    crisis_type = models.CharField("type de crise", max_length=20, choices=CrisisType.choices)
    title = models.CharField("intitulé", max_length=200)
    trigger_authority = models.CharField("déclenchée par", max_length=10,
                                         choices=Authority.choices, blank=True)  # fmt: skip
    trigger_reference = models.CharField("référence de la décision", max_length=200, blank=True)
    trigger_on = models.DateField("date de la décision", null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")  # fmt: skip
    # Shown on the CPTS's public page while the activation is live (a heatwave watch is a
    # vigilance of type "afflux-malades").
    public_notice = models.TextField("message au public", blank=True)
    # When the public notice was last written (the public page dates it).
    public_notice_at = models.DateTimeField("message au public publié le", null=True,
                                            blank=True)  # fmt: skip

    objects = ActivationQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="crisis") | (~Q(trigger_authority="") & ~Q(trigger_reference="")),
                name="crisis_needs_authority_trigger"),
            # One live crisis per CPTS (crisis/activations.py says why); vigilances and
            # exercises may run beside it.
            models.UniqueConstraint(fields=["cpts"],
                                    condition=Q(kind="crisis", ended_at__isnull=True),
                                    name="crisis_one_live_crisis"),
        ]  # fmt: skip

    @property
    def is_exercise(self):
        return self.kind == ActivationKind.EXERCISE

    @property
    def prefix(self):
        """Every message of an exercise starts with "EXERCICE"."""
        return "EXERCICE – " if self.is_exercise else ""


class LogEntry(models.Model):
    """The main courante: timestamped, signed, never edited. A correction is a new entry
    pointing to the one it corrects; a plan action ticked is an entry naming it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField("entrée")
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections")  # fmt: skip
    # "<section code>:<index>" of an action of the plan's sheet, when this entry ticks it.
    plan_action = models.CharField(max_length=80, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]


class Retex(models.Model):
    """The post-crisis review, opened when an activation ends."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    activation = models.OneToOneField(Activation, on_delete=models.CASCADE, related_name="retex")
    what_worked = models.TextField("ce qui a fonctionné", blank=True)
    what_failed = models.TextField("ce qui n'a pas fonctionné", blank=True)
    conclusions = models.TextField("conclusions pour le plan", blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")  # fmt: skip

    objects = TenantQuerySet.as_manager()


# Alerts ---------------------------------------------------------------------------------


class Alert(models.Model):
    """A message to groups of the contact tree, on several channels, each recipient asked
    for their availability by a signed link. Unanswered recipients are alerted again on
    the next channel after `escalate_after_minutes` (crisis/escalation.py). Without an
    activation, it is the yearly test of the contact tree."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="crisis_alerts")
    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="alerts")  # fmt: skip
    is_test = models.BooleanField("test annuel de l'arbre d'alerte", default=False)
    groups = models.JSONField(default=list)  # ["all", "cell", "profession:10", ...]
    channels = models.JSONField(default=list)  # as chosen, in the order of escalation
    message = models.TextField("message")
    escalate_after_minutes = models.PositiveIntegerField("relance après (minutes)", default=15)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]


class AlertRecipient(models.Model):
    """One contact alerted, their message (its answer is the acknowledgement) and where
    the escalation stands."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        "notifications.Notification", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="crisis_recipient",
    )  # fmt: skip
    # How many escalations were sent; the next one is due at `next_escalation_at`.
    escalations = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "contact"], name="crisis_alert_contact_once"),
        ]


# Calling the vulnerable -----------------------------------------------------------------


class CallCampaign(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField("intitulé", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()


class CallOutcome(models.TextChoices):
    PENDING = "pending", "À appeler"
    FINE = "fine", "Joint, va bien"
    NEEDS_HELP = "needs_help", "Joint, a besoin d'aide"
    NOT_REACHED = "not_reached", "Non joint"
    MAYOR = "mayor", "Non joint : signalé à la mairie"


class Call(models.Model):
    """One person of the register to call in a campaign. Its identity is read through the
    register's need-to-know (the caller assigned, the coordination)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(CallCampaign, on_delete=models.CASCADE, related_name="calls")
    person = models.ForeignKey(VulnerablePerson, on_delete=models.PROTECT, related_name="calls")
    caller = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name="appelant")  # fmt: skip
    outcome = models.CharField("résultat", max_length=12, choices=CallOutcome.choices,
                               default=CallOutcome.PENDING)  # fmt: skip
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("note", max_length=500, blank=True)
    # The same-day request created for them (same_day_care's public id: missions do not
    # import each other).
    same_day_request = models.UUIDField(null=True, blank=True)
    # Who recorded the current outcome, and when (the register work): a second caller
    # whose write came too late is shown this.
    outcome_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")  # fmt: skip
    outcome_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="crisis_call_once"),
        ]
