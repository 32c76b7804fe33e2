"""The directory: professionals and structures from the national files (RPPS, FINESS),
and what each CPTS knows about them.

National rows (Professional, PracticeSite, Structure) are public reference data shared by
every CPTS and rewritten by the importers. What a CPTS adds (membership status, what a
professional offers, corrections) lives in tenant rows (DirectoryEntry, StructureEntry)
that importers never touch: local corrections survive every import by construction.
A professional or structure missing from the national files is created by a CPTS with
`source="local"` and `owner` set to that CPTS: only that CPTS sees it.
"""

import uuid

from django.db import models
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.territory.models import Commune

# Code profession of the RPPS extraction -> label. Unknown codes are kept and labelled.
PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Audioprothésiste",
    "28": "Opticien-lunetier",
    "31": "Assistant dentaire",
    "40": "Chirurgien-dentiste",
    "50": "Sage-femme",
    "60": "Infirmier",
    "69": "Infirmier psychiatrique",
    "70": "Masseur-kinésithérapeute",
    "80": "Pédicure-podologue",
    "81": "Orthoprothésiste",
    "82": "Podo-orthésiste",
    "83": "Orthopédiste-orthésiste",
    "84": "Oculariste",
    "85": "Épithésiste",
    "86": "Technicien de laboratoire médical",
    "91": "Orthophoniste",
    "92": "Orthoptiste",
    "94": "Ergothérapeute",
    "95": "Diététicien",
    "96": "Psychomotricien",
    "98": "Manipulateur ERM",
}
GP_PROFESSION = "10"
GP_SAVOIR_FAIRE = "SM53"  # spécialiste en médecine générale: what local GP entries get
# Savoir-faire codes of general practice in the RPPS nomenclature: SM53 (spécialiste en
# médecine générale), SM54 (médecine générale), SM26 (qualifié en médecine générale).
GP_SPECIALTIES = frozenset({"SM53", "SM54", "SM26"})


def profession_label(code: str, label_in_file: str = "") -> str:
    if code in PROFESSIONS:
        return PROFESSIONS[code]
    return f"Profession inconnue (code {code})" if code else "Profession inconnue"


class MembershipStatus(models.TextChoices):
    ADHERENT = "adherent", "Adhérent"
    PARTNER = "partenaire", "Partenaire"
    NON_MEMBER = "non_membre", "Non-membre"


class Source(models.TextChoices):
    NATIONAL = "national", "Fichier national"
    LOCAL = "local", "Saisie locale"


class ProfessionalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def visible_to(self, cpts):
        """National professionals, plus the local ones this CPTS created."""
        return self.filter(models.Q(owner__isnull=True) | models.Q(owner=cpts))

    def in_communes(self, commune_codes):
        return self.filter(sites__commune_code__in=commune_codes).distinct()


class Professional(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # idNat_PS: 8 + RPPS, 0 + ADELI. Local entries get "L" + a UUID fragment.
    national_id = models.CharField("identifiant national", max_length=20, unique=True)
    id_type = models.CharField(max_length=2, blank=True)
    civility = models.CharField(max_length=20, blank=True)
    last_name = models.CharField("nom", max_length=120)
    first_name = models.CharField("prénom", max_length=120, blank=True)
    profession_code = models.CharField("code profession", max_length=10, db_index=True)
    profession = models.CharField("profession", max_length=120)
    category = models.CharField(max_length=80, blank=True)
    # Specialty (savoir-faire) of the main activity, e.g. SM53 médecine générale.
    specialty_code = models.CharField(max_length=10, blank=True, db_index=True)
    specialty = models.CharField(max_length=160, blank=True)
    # Searched through DirectoryIndex; a B-tree cannot serve `contains` anyway, and this
    # index was the costliest one for a national import to keep (random order).
    search_name = models.CharField(max_length=250)
    warnings = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.NATIONAL)
    owner = models.ForeignKey(
        Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True, db_index=True)
    # Fingerprint of the national data: an unchanged line is not written again.
    content_hash = models.CharField(max_length=32, blank=True)
    import_run = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = ProfessionalQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_gp(self) -> bool:
        return self.profession_code == GP_PROFESSION and self.specialty_code in GP_SPECIALTIES


class PracticeSite(models.Model):
    """One activity line of the RPPS file: where and how a professional practises."""

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField("raison sociale", max_length=200, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    finess = models.CharField(max_length=9, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    commune_code = models.CharField(max_length=5, blank=True, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.CharField(max_length=254, blank=True)
    practice_mode = models.CharField("mode d'exercice", max_length=60, blank=True)
    specialty_code = models.CharField(max_length=10, blank=True)
    specialty = models.CharField(max_length=160, blank=True)
    # Commune centroid: the RPPS file carries no coordinates.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    def __str__(self):
        return f"{self.name or self.address} ({self.commune_code})"


class DirectoryIndex(models.Model):
    """Search table of one CPTS's directory, derived from Professional, PracticeSite and
    the CPTS's territory by `index.refresh_directory_index()`; never written otherwise.

    Searching the national tables meant, for every professional, a lookup of their sites
    in the territory, then a sort and a count over all of them. Here the directory of a
    CPTS is already listed, with what searches filter and sort on, so a search reads one
    table through one index and joins only the page it shows. Rows: one per (CPTS,
    active professional of its directory, commune of one of their practice sites, inside
    the territory or not, as the commune filter has always matched any site); the row of
    `rank` 0 is the professional's main one, the one searches without a commune read.
    What a CPTS records about a professional (DirectoryEntry) is not copied here:
    curation filters read that small table directly, so a curation is never stale.

    It is refreshed after each RPPS import (national or scoped: every CPTS), after a
    change of the territory (that CPTS) and when a CPTS adds a local professional."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="+")
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="+")
    commune_code = models.CharField(max_length=5, blank=True)
    # 0: the professional's main row; 1 on their other rows. A number rather than a
    # boolean: Django writes `WHERE main` for a boolean, which SQLite cannot match with
    # an index, while `rank = 0` is an index prefix like the CPTS.
    rank = models.PositiveSmallIntegerField(default=1)
    # From the national files (shown in the public directory); False: a local entry.
    national = models.BooleanField()
    last_name = models.CharField(max_length=120)
    first_name = models.CharField(max_length=120, blank=True)
    search_name = models.CharField(max_length=250)
    profession_code = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cpts", "professional", "commune_code"], name="directory_index_once"
            )
        ]
        # Each search reads one of these, in name order, without touching the table:
        # the columns other filters test are carried at the end of each index.
        indexes = [
            models.Index(
                fields=["cpts", "rank", "last_name", "first_name", "professional",
                        "national", "search_name"],
                name="directory_index_name",
            ),
            models.Index(
                fields=["cpts", "rank", "profession_code", "last_name", "first_name",
                        "professional", "national", "search_name"],
                name="directory_index_profession",
            ),
            models.Index(
                fields=["cpts", "commune_code", "last_name", "first_name", "professional",
                        "national", "search_name", "profession_code"],
                name="directory_index_commune",
            ),
            # Narrow: what counting the results of a search by name reads, row by row.
            models.Index(
                fields=["cpts", "rank", "search_name", "national"], name="directory_index_text"
            ),
        ]  # fmt: skip


class DirectoryEntry(models.Model):
    """What one CPTS records about a professional. Never written by an import."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="directory_entries")
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="entries")
    membership_status = models.CharField(
        "statut dans la CPTS",
        max_length=12,
        choices=MembershipStatus.choices,
        default=MembershipStatus.NON_MEMBER,
    )
    accepts_new_patients = models.BooleanField("accepte de nouveaux patients", default=False)
    takes_part_snp = models.BooleanField("participe aux soins non programmés", default=False)
    home_visits = models.BooleanField("visites à domicile", default=False)
    languages = models.CharField("langues", max_length=200, blank=True)
    skills = models.CharField(
        "compétences", max_length=300, blank=True, help_text="Ex. : ETP diabète, plaies."
    )
    # Local corrections of national data (shown instead of the national value).
    phone = models.CharField("téléphone (correction locale)", max_length=30, blank=True)
    email = models.CharField("e-mail (correction locale)", max_length=254, blank=True)
    notes = models.TextField("notes internes", blank=True)
    search_skills = models.CharField(max_length=300, blank=True, db_index=True)
    # The professional's own Maillage account in this CPTS (for slots, proposals, FHIR).
    account = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="directory_entries"
    )
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "professional"], name="entry_once_per_cpts"),
            models.UniqueConstraint(fields=["cpts", "account"], name="entry_one_per_account"),
        ]


class StructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def visible_to(self, cpts):
        return self.filter(models.Q(owner__isnull=True) | models.Q(owner=cpts))


class Structure(models.Model):
    """An establishment of the FINESS file (or a local one created by a CPTS)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    finess = models.CharField("FINESS établissement", max_length=12, unique=True)
    finess_ej = models.CharField("FINESS juridique", max_length=9, blank=True)
    name = models.CharField("raison sociale", max_length=200)
    long_name = models.CharField(max_length=300, blank=True)
    category_code = models.CharField(max_length=6, blank=True, db_index=True)
    category = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    commune_code = models.CharField(max_length=5, blank=True, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.SET_NULL, null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    siret = models.CharField(max_length=14, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    search_name = models.CharField(max_length=300, db_index=True)
    warnings = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.NATIONAL)
    owner = models.ForeignKey(
        Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True, db_index=True)
    content_hash = models.CharField(max_length=32, blank=True)
    import_run = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StructureEntry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="structure_entries")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="entries")
    membership_status = models.CharField(
        "statut dans la CPTS",
        max_length=12,
        choices=MembershipStatus.choices,
        default=MembershipStatus.NON_MEMBER,
    )
    phone = models.CharField("téléphone (correction locale)", max_length=30, blank=True)
    notes = models.TextField("notes internes", blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "structure"], name="structure_entry_once")
        ]


class DensityReference(models.Model):
    """National density (professionals per 10 000 inhabitants) entered by a coordinator
    when only a local file is loaded and the national figure cannot be computed."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="density_references")
    profession_code = models.CharField(max_length=10)
    density = models.DecimalField("densité nationale / 10 000 hab.", max_digits=7, decimal_places=2)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "profession_code"], name="density_ref_once")
        ]


class LocalFigure(models.Model):
    """A count the coordinator knows better than the national data (e.g. a GP who retired
    last month): replaces the computed count of a profession, for a commune or for the
    whole territory (commune empty)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="local_figures")
    profession_code = models.CharField(max_length=10)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    count = models.PositiveIntegerField("effectif réel")
    note = models.CharField("justification", max_length=300)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cpts", "profession_code", "commune"], name="local_figure_once"
            )
        ]


class ImportRun(models.Model):
    """One run of an importer, with its summary, for the coordinator's history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10)  # rpps / finess
    cpts = models.ForeignKey(Cpts, on_delete=models.SET_NULL, null=True, blank=True)
    file_name = models.CharField(max_length=300)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    complete = models.BooleanField(default=False)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
