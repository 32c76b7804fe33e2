"""Territorial diagnostic: professionals per profession and density per 10 000
inhabitants, for the territory and each commune, against the national density; communes
without a GP; population far from the nearest GP."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Sum

from maillage.territory.models import Commune
from maillage.territory.services import territory_communes

from .models import (
    GP_PROFESSION,
    GP_SPECIALTIES,
    PROFESSIONS,
    DensityReference,
    LocalFigure,
    PracticeSite,
    Professional,
    Source,
)

GP_GROUP = "10-MG"
EARTH_RADIUS_KM = 6371.0088
# A national import covers (almost) every département; a local file covers a few.
NATIONAL_COVERAGE_DEPARTEMENTS = 90


def group_of(profession_code: str, specialty_code: str) -> str:
    """Diagnostic group: GPs apart from the other doctors, else the profession code."""
    if profession_code == GP_PROFESSION:
        return GP_GROUP if specialty_code in GP_SPECIALTIES else GP_PROFESSION
    return profession_code


def group_label(group: str) -> str:
    if group == GP_GROUP:
        return "Médecin généraliste"
    if group == GP_PROFESSION:
        return "Médecin (autres spécialités)"
    return PROFESSIONS.get(group, f"Profession inconnue (code {group})")


def density(count: int | float, population: int) -> float | None:
    return round(count * 10_000 / population, 2) if population else None


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance; works on numpy arrays (broadcast)."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@dataclass
class ProfessionRow:
    group: str
    label: str
    count: int
    density: float | None
    national_density: float | None
    national_source: str  # "import", "référence saisie" or ""
    adjusted: bool = False

    @property
    def ratio(self) -> float | None:
        if self.density is None or not self.national_density:
            return None
        return round(self.density / self.national_density, 2)


@dataclass
class CommuneRow:
    code: str
    name: str
    population: int
    counts: dict = field(default_factory=dict)
    nearest_gp_km: float | None = None

    def density(self, group: str) -> float | None:
        return density(self.counts.get(group, 0), self.population)


@dataclass
class Diagnostic:
    population: int
    professions: list[ProfessionRow]
    communes: list[CommuneRow]
    national_import: bool
    far_km: float
    far_population: int
    far_communes: list[CommuneRow]

    @property
    def communes_without_gp(self) -> list[CommuneRow]:
        return [c for c in self.communes if not c.counts.get(GP_GROUP)]


def _active_national():
    return Professional.objects.filter(active=True, source=Source.NATIONAL)


def _national_cache_key() -> str:
    """National figures change only with an import: cache them per latest import."""
    from .models import ImportRun

    latest = ImportRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"diagnostic-national-{latest or 0}"


def national_figures() -> tuple[bool, dict[str, float]]:
    key = _national_cache_key()
    cached = cache.get(key)
    if cached is None:
        loaded = national_import_loaded()
        cached = (loaded, national_densities() if loaded else {})
        cache.set(key, cached, 24 * 3600)
    return cached


def national_import_loaded() -> bool:
    departements = (
        PracticeSite.objects.filter(professional__active=True)
        .exclude(commune_code="")
        .values_list("commune__departement_id", flat=True)
        .distinct()
        .count()
    )
    return departements >= NATIONAL_COVERAGE_DEPARTEMENTS


def national_densities() -> dict[str, float]:
    population = Commune.objects.current().filter(kind="COM").aggregate(p=Sum("population"))["p"]
    counts = defaultdict(int)
    # Same base as the territory's count: professionals practising somewhere known.
    located = PracticeSite.objects.filter(professional=OuterRef("pk"), commune__isnull=False)
    rows = (
        _active_national().filter(Exists(located))
        .values("profession_code", "specialty_code").annotate(n=Count("pk"))
    )  # fmt: skip
    for row in rows:
        counts[group_of(row["profession_code"], row["specialty_code"])] += row["n"]
    return {group: density(n, population) for group, n in counts.items()}


def build_diagnostic(cpts, *, far_km: float = 10.0) -> Diagnostic:
    communes = list(
        territory_communes(cpts)
        .order_by("name")
        .values("pk", "code", "name", "population", "latitude", "longitude")
    )
    codes = [c["code"] for c in communes]
    population = sum(c["population"] for c in communes)
    rows = {c["code"]: CommuneRow(c["code"], c["name"], c["population"]) for c in communes}

    # One professional counts once in the territory, and once in each commune they serve.
    territory_people = defaultdict(set)
    sites = (
        PracticeSite.objects.filter(commune_code__in=codes, professional__active=True)
        .filter(professional__owner__isnull=True)
        .values_list("professional_id", "commune_code", "professional__profession_code",
                     "professional__specialty_code")
    )  # fmt: skip
    local_sites = PracticeSite.objects.filter(
        professional__owner=cpts, professional__active=True
    ).values_list("professional_id", "commune_code", "professional__profession_code",
                  "professional__specialty_code")  # fmt: skip
    seen_in_commune = set()
    for pk, code, profession, specialty in list(sites) + list(local_sites):
        group = group_of(profession, specialty)
        territory_people[group].add(pk)
        if code in rows and (pk, code) not in seen_in_commune:
            seen_in_commune.add((pk, code))
            rows[code].counts[group] = rows[code].counts.get(group, 0) + 1
    counts = {group: len(people) for group, people in territory_people.items()}

    adjusted = set()
    for figure in LocalFigure.objects.filter(cpts=cpts).select_related("commune"):
        if figure.commune is None:
            counts[figure.profession_code] = figure.count
            adjusted.add(figure.profession_code)
        elif figure.commune.code in rows:
            rows[figure.commune.code].counts[figure.profession_code] = figure.count

    national_import, national = national_figures()
    references = {
        r.profession_code: float(r.density) for r in DensityReference.objects.filter(cpts=cpts)
    }
    groups = sorted(set(counts) | set(references) | {GP_GROUP},
                    key=lambda g: (g != GP_GROUP, group_label(g)))  # fmt: skip
    professions = []
    for group in groups:
        if group in national:
            reference, source = national[group], "import national"
        elif group in references:
            reference, source = references[group], "référence saisie"
        else:
            reference, source = None, ""
        count = counts.get(group, 0)
        professions.append(
            ProfessionRow(
                group,
                group_label(group),
                count,
                density(count, population),
                reference,
                source,
                group in adjusted,
            )  # fmt: skip
        )

    # Distance from each commune's centroid to the nearest GP practice, anywhere.
    gp_sites = PracticeSite.objects.filter(
        professional__active=True,
        professional__profession_code=GP_PROFESSION,
        professional__specialty_code__in=GP_SPECIALTIES,
        latitude__isnull=False,
    )
    gp_sites = gp_sites.filter(Q(professional__owner__isnull=True) | Q(professional__owner=cpts))
    gp_points = _gp_points_near(gp_sites, communes, margin_km=max(far_km * 2, 30.0))
    for c in communes:
        if c["latitude"] is None or not len(gp_points):
            continue
        distances = haversine_km(c["latitude"], c["longitude"], gp_points[:, 0], gp_points[:, 1])
        rows[c["code"]].nearest_gp_km = round(float(distances.min()), 1)
    far = [r for r in rows.values() if r.nearest_gp_km is None or r.nearest_gp_km > far_km]
    return Diagnostic(
        population=population,
        professions=professions,
        communes=list(rows.values()),
        national_import=national_import,
        far_km=far_km,
        far_population=sum(r.population for r in far),
        far_communes=far,
    )


def _gp_points_near(gp_sites, communes, *, margin_km: float):
    """GP coordinates around the territory (a box `margin_km` wider on each side), or all
    of them when the box holds none: the nearest GP may be far from a rural territory."""
    located = [c for c in communes if c["latitude"] is not None]
    if not located:
        return np.empty((0, 2))
    lat_margin = margin_km / 111.0
    lon_margin = margin_km / (111.0 * max(0.2, np.cos(np.radians(located[0]["latitude"]))))
    box = gp_sites.filter(
        latitude__gte=min(c["latitude"] for c in located) - lat_margin,
        latitude__lte=max(c["latitude"] for c in located) + lat_margin,
        longitude__gte=min(c["longitude"] for c in located) - lon_margin,
        longitude__lte=max(c["longitude"] for c in located) + lon_margin,
    )
    points = list(box.values_list("latitude", "longitude")) or list(
        gp_sites.values_list("latitude", "longitude")
    )
    return np.array(points, dtype=float).reshape(-1, 2)


def set_density_reference(*, cpts, profession_code, value: Decimal, actor):
    reference, _ = DensityReference.objects.update_or_create(
        cpts=cpts, profession_code=profession_code,
        defaults={"density": value, "updated_by": actor},
    )  # fmt: skip
    return reference


def set_local_figure(*, cpts, actor, profession_code, commune, count, note):
    """Record (or replace) a count the coordinator knows better than the national data."""
    from django.core.exceptions import ValidationError

    from maillage.territory.services import territory_communes

    target = None
    if commune:
        target = territory_communes(cpts).filter(code=commune.strip().upper()).first()
        if target is None:
            raise ValidationError(f"La commune {commune} n'est pas dans le territoire.")
    figure = LocalFigure.objects.filter(
        cpts=cpts, profession_code=profession_code, commune=target
    ).first() or LocalFigure(cpts=cpts, profession_code=profession_code, commune=target)
    figure.count, figure.note, figure.updated_by = count, note, actor
    figure.save()
    return figure
