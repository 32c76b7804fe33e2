"""Benchmark 4: directory search over 100 000 professionals, against raw SQL.

The directory page is what a coordinator, a regulator or a partner opens to find a
professional, many times a day; on a large territory its list holds on the order of
100 000 professionals. What is measured, on a temporary SQLite database prepared like
the demo (migrations, Isère geography, `build_demo()` with `MAILLAGE_DEMO=1`) plus a
generated RPPS file of 100 000 professionals practising in the communes of the demo CPTS
`pays-berjalliens`, loaded through the real importer (`import_rpps(..., cpts=...)`):

- the search service, in this process, as the view uses it:
  `search_professionals(cpts, ProfessionalFilters(...))`, then `Paginator(qs, 25)`,
  `get_page(1)`, `list(page)` and `page.paginator.count` (the first page of results,
  their practice sites and CPTS entries prefetched, and the total shown above the list);
- the page itself, `GET /c/pays-berjalliens/annuaire/?...` through Django's test client
  for the coordinator with both factors done: middlewares, access checks, the search,
  the map markers, the territory outline and the template; the server's time without
  the network;

for a mix of searches: a common last-name prefix, a full name, a profession, a commune,
and no filter at all (the page as it opens). Each is run REPEATS times after WARMUPS,
service, page and baseline in turn; the target (issue 3) is a 95th percentile under
50 ms, for the service and for the page.

The baseline is the least any directory search could do: one raw SQL query through
`connection.cursor()` on the same table and indexes as the service, the CPTS's directory
index (`directory_directoryindex`, one row per professional of the directory and commune
of their practice sites, rebuilt after each import and territory change):
`instr(search_name, term) > 0` per word (the service's substring test), the other
filters, ORDER BY name with LIMIT 25,
plus the COUNT(*) of the same WHERE clause. It fetches neither the professionals of the
page, their sites nor the CPTS entries, which the service loads. Its 25 ids and its
count are checked against the service's for every search, so the two did the same work.

Runs in its own child process (`run` starts it): the settings are read with
`MAILLAGE_DEMO=1` there, and the 100 000 professionals do not weigh on the parent.
Usage: `bench_directory.py WORK_DIR`; prints its results as one JSON line.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROFESSIONALS = 100_000
SEED = "maillage-bench-directory"
# Above the demo's identifiers ("10" + 8 digits): the two files never share a professional.
FIRST_RPPS = 1_100_000_000
CPTS_SLUG = "pays-berjalliens"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
PAGE_URL = f"/c/{CPTS_SLUG}/annuaire/"
PAGE_SIZE = 25
WARMUPS = 2
REPEATS = 30
TIME_TARGET_MS = 50.0
CHILD_TIMEOUT_S = 1200
REPORT_COUNTERS = ("read", "created", "updated", "unchanged", "deactivated", "rejected")

# (key, French label for the report, view parameters). Names come from rpps_file.py:
# MARTIN is the most frequent surname, Sophie a frequent first name, 60 the nurses
# (the largest profession), 38053 Bourgoin-Jallieu (the largest commune).
SEARCHES = (
    ("prefix", "début de nom « mar »", {"q": "mar"}),
    ("full_name", "nom complet « martin sophie »", {"q": "martin sophie"}),
    ("profession", "profession infirmier", {"profession_code": "60"}),
    ("commune", "commune 38053, Bourgoin-Jallieu", {"commune": "38053"}),
    ("all", "sans filtre", {}),
)

# The service's WHERE clause, written by hand, on the directory index: the rows of the
# CPTS, one per professional (`rank` 0) or one per professional practising in the commune.
RAW_WHERE = "FROM directory_directoryindex i WHERE i.cpts_id = %s"


def raw_search(cursor, cpts_id: int, params: dict) -> tuple[list[int], int]:
    """The baseline: first page of ids and total count, in two plain SQL queries."""
    from maillage.territory.models import search_key

    where, args = RAW_WHERE, [cpts_id]
    if params.get("commune"):
        where += " AND i.commune_code = %s"
        args.append(params["commune"])
    else:
        where += " AND i.rank = 0"
    for term in search_key(params.get("q", "")).split():
        where += " AND instr(i.search_name, %s) > 0"
        args.append(term)
    if params.get("profession_code"):
        where += " AND i.profession_code = %s"
        args.append(params["profession_code"])
    cursor.execute(
        f"SELECT i.professional_id {where}"
        f" ORDER BY i.last_name, i.first_name, i.professional_id LIMIT {PAGE_SIZE}",
        args,
    )
    ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"SELECT COUNT(*) {where}", args)
    return ids, cursor.fetchone()[0]


def interleaved(calls) -> list[list[float]]:
    """Milliseconds per call for each of `calls`, run in turn within each repetition:
    a slow spell of the machine then weighs on all of them alike, not on one side of
    the ratio."""
    samples = [[] for _ in calls]
    for repetition in range(WARMUPS + REPEATS):
        for call, out in zip(calls, samples, strict=True):
            started = time.perf_counter()
            call()
            if repetition >= WARMUPS:
                out.append((time.perf_counter() - started) * 1000)
    return samples


def prepare() -> dict:
    """Demo database, then the generated file for the CPTS's communes, imported."""
    from bench_territory import setup_data
    from rpps_file import Commune, write_rpps_file

    from maillage.core.models import Cpts
    from maillage.directory.rpps import import_rpps
    from maillage.territory.services import territory_communes

    started = time.perf_counter()
    setup_data()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    communes = [
        Commune(c.code, c.name, c.population, c.departement.code, c.departement.name)
        for c in territory_communes(cpts).select_related("departement")
    ]
    setup_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="maillage-bench-directory-") as folder:
        path = Path(folder) / "PS_LibreAcces_Personne_activite_territoire.txt"
        stats = write_rpps_file(
            path, communes, professionals=PROFESSIONALS, seed=SEED, first_rpps=FIRST_RPPS
        )
        started = time.perf_counter()
        report = import_rpps(path, cpts=cpts)
        import_s = time.perf_counter() - started
    return {
        "cpts": cpts,
        "communes": len(communes),
        "setup_s": setup_s,
        "file": {"lines": stats.lines, "professionals": stats.professionals},
        "import": {
            "seconds": import_s,
            # The demo's own professionals of this territory are not in the file: the
            # import deactivates them (they stay in the table, as inactive rows do).
            **{k: getattr(report, k) for k in REPORT_COUNTERS},
        },
    }


def measure(prepared: dict) -> dict:
    from bench_territory import summary, verified_client
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.core.models import User
    from maillage.directory.models import Professional
    from maillage.directory.services import ProfessionalFilters, search_professionals

    cpts = prepared["cpts"]
    browser = verified_client(User.objects.get(email=COORDINATOR))

    def service(params):
        page = Paginator(
            search_professionals(cpts, ProfessionalFilters(**params)), PAGE_SIZE
        ).get_page(1)
        return [p.pk for p in page], page.paginator.count

    def view(params):
        response = browser.get(PAGE_URL, params)
        assert response.status_code == 200, response.status_code
        return response

    def raw(params):
        with connection.cursor() as cursor:
            return raw_search(cursor, cpts.pk, params)

    searches = {}
    for key, label, params in SEARCHES:
        ids, count = service(params)
        raw_ids, raw_count = raw(params)
        with CaptureQueriesContext(connection) as queries:
            view(params)
        query_count = len(queries.captured_queries)
        samples = interleaved(
            (lambda p=params: service(p), lambda p=params: view(p), lambda p=params: raw(p))
        )
        search, page, baseline = (summary(s) for s in samples)
        searches[key] = {
            "label": label,
            "params": params,
            "count": count,
            "same_results": ids == raw_ids and count == raw_count,
            "search": search,
            "page": page,
            "page_queries": query_count,
            "raw": baseline,
            "search_ratio": search["median_ms"] / baseline["median_ms"],
            "page_ratio": page["median_ms"] / baseline["median_ms"],
            "search_pass": search["p95_ms"] < TIME_TARGET_MS,
            "page_pass": page["p95_ms"] < TIME_TARGET_MS,
        }
    directory = searches["all"]["count"]
    return {
        "targets": {"p95_ms": TIME_TARGET_MS},
        "cpts": CPTS_SLUG,
        "communes": prepared["communes"],
        "setup_s": prepared["setup_s"],
        "file": prepared["file"],
        "import": prepared["import"],
        "directory_size": directory,
        "professionals_in_table": Professional.objects.count(),
        "repeats": REPEATS,
        "warmups": WARMUPS,
        "searches": searches,
        "same_results": all(s["same_results"] for s in searches.values()),
        "time_pass": all(s["search_pass"] and s["page_pass"] for s in searches.values()),
    }


def run(work_dir: Path) -> dict:
    """Start the child process, return what it printed (plus its own peak memory)."""
    from bench_geography import run_measured

    child_dir = work_dir / "directory"
    child_dir.mkdir()
    child = run_measured(
        [sys.executable, str(Path(__file__).resolve()), str(child_dir)],
        dict(os.environ),
        timeout=CHILD_TIMEOUT_S,
    )
    line = next(x for x in reversed(child.output.splitlines()) if x.startswith("{"))
    results = json.loads(line)
    results["child"] = {"seconds": child.seconds, "peak_mb": child.peak_mb}
    return results


def main() -> None:
    # Read by the settings: the demo mode, as `make run` sets it for `maillage demo`.
    os.environ["MAILLAGE_DEMO"] = "1"
    from run import configure_django

    configure_django(Path(sys.argv[1]))
    results = measure(prepare())
    from django.db import connections

    connections.close_all()
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
