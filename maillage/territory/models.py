"""Reference geography (INSEE) and each CPTS's territory."""

import unicodedata
import uuid

from django.db import models
from django.utils import timezone

from maillage.core.models import Cpts, User

from . import aci


def search_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a place name ("L'Isle-d'Abeau" ->
    "l isle d abeau"), used to find communes by name."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(cleaned.split())


class Region(models.Model):
    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """Établissement public de coopération intercommunale, identified by its SIREN."""

    code = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    search_name = models.CharField(max_length=200, db_index=True, default="")

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def current(self):
        return self.filter(archived_at__isnull=True)


class Commune(models.Model):
    """An INSEE commune (or municipal arrondissement of Paris, Lyon, Marseille)."""

    code = models.CharField("code INSEE", max_length=5, unique=True)
    kind = models.CharField(max_length=4, default="COM")
    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=200, db_index=True)
    population = models.PositiveIntegerField(default=0)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, null=True)
    epci = models.ForeignKey(Epci, on_delete=models.SET_NULL, null=True, blank=True)
    # Code of the commune an arrondissement belongs to (75056 for Paris 15e).
    parent_code = models.CharField(max_length=5, blank=True)
    # La Poste codes, space-separated ("38080 38090"): people know their commune by its
    # postal code rather than its INSEE code. Paris, Lyon and Marseille get the codes of
    # their arrondissements.
    postal_codes = models.TextField(blank=True, default="")
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # Simplified boundary as GeoJSON geometry text, small enough to send to a browser.
    geometry = models.TextField(blank=True)
    loaded_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class TerritoryCommune(models.Model):
    """One commune of a CPTS's territory."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="territory")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpts", "commune"], name="territory_commune_once")
        ]


class TerritoryChange(models.Model):
    """History of a territory: what changed, who did it, and the figures before and after."""

    class Action(models.TextChoices):
        ADD = "add", "Ajout"
        REMOVE = "remove", "Retrait"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="territory_changes")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    communes = models.JSONField(default=list)  # [{"code", "name", "population"}]
    population_before = models.PositiveIntegerField()
    population_after = models.PositiveIntegerField()
    reason = models.CharField("motif", max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    @property
    def size_class_before(self):
        return aci.size_class(self.population_before)

    @property
    def size_class_after(self):
        return aci.size_class(self.population_after)
