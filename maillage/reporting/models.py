"""The ACI contract as data (missions, their yearly amounts, actions, indicators with tiers
or targets, the proofs asked), the payments received, the figures the CPAM supplies, the
annual report's versions and the spending per mission.

Vocabulary kept in French where English has no exact word: ACI (accord conventionnel
interprofessionnel, the contract that funds a CPTS), CPAM (the local Assurance Maladie),
ARS (the regional health agency), dialogue de gestion (the yearly review of the report).
Amounts are euros with cents (Decimal), never floats.
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maillage.core.models import Cpts, User

AMOUNT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class TenantQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(cpts=cpts)


class ContractQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(contract__cpts=cpts)


class MissionChildQuerySet(models.QuerySet):
    def for_cpts(self, cpts):
        return self.filter(mission__contract__cpts=cpts)


class MissionCode(models.TextChoices):
    """The contract's missions, as the API names them (`acces`...)."""

    ACCES = "acces", "Accès aux soins (médecin traitant, soins non programmés)"
    PARCOURS = "parcours", "Parcours pluriprofessionnels"
    PREVENTION = "prevention", "Prévention"
    CRISE = "crise", "Crises sanitaires graves"
    QUALITE = "qualite", "Qualité et pertinence des soins"
    ACCOMPAGNEMENT = "accompagnement", "Accompagnement des professionnels de santé"


# The operating grant (fonctionnement) is not a mission, but schedules, payments and
# spending are kept per "funding line": a mission's code or this one.
OPERATING = "fonctionnement"
FUNDING_LINES = [*MissionCode.choices, (OPERATING, "Fonctionnement de la CPTS")]


class Contract(models.Model):
    """One CPTS's ACI contract (three parties: the CPTS, the CPAM, the ARS; five years from
    the signature). Year N runs from the (N-1)th anniversary of `signed_on` to the day
    before the Nth."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="aci_contracts")
    signed_on = models.DateField("date de signature")
    size_class = models.PositiveSmallIntegerField(
        "taille", validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    operating_grant = models.DecimalField("financement du fonctionnement (par an)", **AMOUNT)
    years = models.PositiveSmallIntegerField("durée (années)", default=5,
                                             validators=[MinValueValidator(1),
                                                         MaxValueValidator(10)])  # fmt: skip
    # The shipped template it started from ("standard", "exemple-annee-5"), for the record.
    template = models.CharField("modèle de départ", max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts"], name="aci_one_contract_per_cpts")]

    def __str__(self):
        return f"Contrat ACI signé le {self.signed_on:%d/%m/%Y}"


class MissionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Non démarrée"
    STARTED = "started", "Démarrée"
    DEPLOYED = "deployed", "Déployée"


class ContractMission(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="missions")
    code = models.CharField("mission", max_length=20, choices=MissionCode.choices)
    # Mandatory missions are always included; an optional one when the CPTS chose it.
    included = models.BooleanField("retenue au contrat", default=True)
    status = models.CharField("état", max_length=12, choices=MissionStatus.choices,
                              default=MissionStatus.NOT_STARTED)  # fmt: skip
    started_on = models.DateField("démarrée le", null=True, blank=True)
    deployed_on = models.DateField("déployée le", null=True, blank=True)
    status_note = models.CharField("remarque", max_length=300, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="aci_mission_once"),
            models.CheckConstraint(
                condition=Q(deployed_on__isnull=True) | Q(started_on__isnull=False),
                name="aci_deployed_after_started",
            ),  # fmt: skip
        ]

    def __str__(self):
        return self.get_code_display()


class MissionYear(models.Model):
    """A mission's amounts for one contract year (euros per year)."""

    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("année du contrat",
                                            validators=[MinValueValidator(1)])  # fmt: skip
    fixed = models.DecimalField("part fixe (moyens)", **AMOUNT)
    variable = models.DecimalField("part variable (actions et résultats)", **AMOUNT)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["mission", "year"],
                                               name="aci_mission_year_once")]  # fmt: skip


class ContractAction(models.Model):
    """An action of a mission in the contract's tree (mission → actions → indicators)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE,
                                related_name="actions")  # fmt: skip
    title = models.CharField("action", max_length=300)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", "Calculé par Maillage"
    CPAM = "cpam", "Chiffre fourni par la CPAM"
    MANUAL = "manual", "Constat saisi par la coordination"


class Direction(models.TextChoices):
    HIGHER = "higher", "Plus c'est haut, mieux c'est"
    LOWER = "lower", "Plus c'est bas, mieux c'est"


class ContractIndicator(models.Model):
    """An indicator of the variable part. Its value comes from the indicator registry
    (`registry_code`, computed for the contract year) or from a figure entered with its
    date and document (CPAM, or a fact the coordination states, e.g. a crisis recognised
    by the ARS: 1 or 0)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE,
                                related_name="indicators")  # fmt: skip
    action = models.ForeignKey(ContractAction, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="indicators")  # fmt: skip
    code = models.SlugField("code", max_length=80)
    label = models.CharField("intitulé", max_length=300)
    definition = models.TextField("définition", blank=True)
    source = models.CharField("source", max_length=10, choices=IndicatorSource.choices)
    registry_code = models.CharField("indicateur calculé", max_length=100, blank=True)
    unit = models.CharField("unité", max_length=40, default="nombre")
    baseline = models.DecimalField("valeur de référence", max_digits=14, decimal_places=2,
                                   null=True, blank=True)  # fmt: skip
    direction = models.CharField("sens", max_length=6, choices=Direction.choices,
                                 default=Direction.HIGHER)  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)

    objects = MissionChildQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["mission", "code"],
                                               name="aci_indicator_code_once")]  # fmt: skip

    def __str__(self):
        return self.label


class Rule(models.TextChoices):
    TIERS = "tiers", "Paliers (seuil → montant)"
    TARGET = "target", "Cible (au prorata de l'atteinte)"


class IndicatorYear(models.Model):
    """What an indicator pays in one contract year: tiers, or a target and the amount paid
    when it is reached (pro rata of the way from the baseline when `pro_rata`)."""

    indicator = models.ForeignKey(ContractIndicator, on_delete=models.CASCADE,
                                  related_name="years")  # fmt: skip
    year = models.PositiveSmallIntegerField("année du contrat", validators=[MinValueValidator(1)])
    rule = models.CharField("règle", max_length=6, choices=Rule.choices)
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True,
                                 blank=True)  # fmt: skip
    amount = models.DecimalField("montant à la cible", null=True, blank=True, **AMOUNT)
    pro_rata = models.BooleanField("au prorata", default=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"],
                                               name="aci_indicator_year_once")]  # fmt: skip


class Tier(models.Model):
    """Reached when the value is at least `threshold` (direction "higher") or at most
    (direction "lower"); the best tier reached pays its amount (not cumulative)."""

    indicator_year = models.ForeignKey(IndicatorYear, on_delete=models.CASCADE,
                                       related_name="tiers")  # fmt: skip
    threshold = models.DecimalField("seuil", max_digits=14, decimal_places=2)
    amount = models.DecimalField("montant", **AMOUNT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class SuppliedFigure(models.Model):
    """A value of an indicator for one contract year, supplied by the CPAM or stated by the
    coordination, with its date and the document it comes from."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.ForeignKey(ContractIndicator, on_delete=models.CASCADE,
                                  related_name="figures")  # fmt: skip
    year = models.PositiveSmallIntegerField("année du contrat")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    dated = models.DateField("date du chiffre")
    document = models.CharField("document source", max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file = models.BinaryField(null=True, blank=True, editable=False)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "year"],
                                               name="aci_figure_once_a_year")]  # fmt: skip


class ScheduleKind(models.TextChoices):
    ADVANCE = "advance", "Avance (75 % de la part fixe)"
    BALANCE = "balance", "Solde de l'année écoulée"


class Payment(models.Model):
    """A payment received from the Assurance Maladie, matched to a line of the computed
    schedule (its due date, funding line and kind)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payments")
    received_on = models.DateField("reçu le")
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])  # fmt: skip
    reference = models.CharField("référence", max_length=120)
    line = models.CharField("ligne", max_length=20, choices=FUNDING_LINES)
    kind = models.CharField("nature", max_length=8, choices=ScheduleKind.choices)
    due_on = models.DateField("échéance payée")
    note = models.CharField("remarque", max_length=300, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "pk"]


class ProofKind(models.TextChoices):
    FILE = "file", "Document déposé"
    INDICATOR = "indicator", "Chiffre tenu dans Maillage"
    ATTENDANCE = "attendance", "Présences tenues dans Maillage"


class ProofRequirement(models.Model):
    """A proof the contract asks for an action or an indicator: a document to file, or a
    figure the platform already holds (an indicator of the registry, attendance of a
    registered source) that must reach `expected` in the contract year."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mission = models.ForeignKey(ContractMission, on_delete=models.CASCADE,
                                related_name="proofs")  # fmt: skip
    action = models.ForeignKey(ContractAction, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="proofs")  # fmt: skip
    indicator = models.ForeignKey(ContractIndicator, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="proofs")  # fmt: skip
    label = models.CharField("preuve demandée", max_length=300)
    kind = models.CharField("nature", max_length=10, choices=ProofKind.choices)
    # An indicator code (kind "indicator") or an attendance source code ("attendance").
    registry_code = models.CharField("source dans Maillage", max_length=100, blank=True)
    expected = models.PositiveIntegerField("attendu", default=1)
    position = models.PositiveSmallIntegerField(default=0)

    objects = MissionChildQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


class ProofFile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requirement = models.ForeignKey(ProofRequirement, on_delete=models.CASCADE,
                                    related_name="files")  # fmt: skip
    year = models.PositiveSmallIntegerField("année du contrat")
    name = models.CharField("nom", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]


class ReportComment(models.Model):
    """The coordinator's comment on one section of a year's report (a mission's code, or
    "general" for the introduction)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="comments")
    year = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=20)
    text = models.TextField("commentaire", blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "year", "section"],
                                               name="aci_comment_once")]  # fmt: skip


class Report(models.Model):
    """One generated version of a year's activity report: the figures as they were
    (`snapshot`), its PDF and XLSX. Sent to the CPAM (`sent_at`), it is frozen."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField("année du contrat")
    version = models.PositiveSmallIntegerField("version")
    snapshot = models.JSONField(default=dict)
    pdf = models.BinaryField(editable=False)
    xlsx = models.BinaryField(editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField("envoyée à la CPAM le", null=True, blank=True)
    sent_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")  # fmt: skip

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["year", "version"]
        constraints = [models.UniqueConstraint(fields=["contract", "year", "version"],
                                               name="aci_report_version_once")]  # fmt: skip

    @property
    def frozen(self) -> bool:
        return self.sent_at is not None


class Spending(models.Model):
    """Money spent, per funding line, as the board enters it or imports it from the
    accounting (CSV)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="aci_spending")
    spent_on = models.DateField("date")
    line = models.CharField("mission", max_length=20, choices=FUNDING_LINES)
    label = models.CharField("libellé", max_length=300)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])  # fmt: skip
    # "" when typed; the import's file name and line when imported.
    source = models.CharField("origine", max_length=200, blank=True)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["spent_on", "pk"]
