"""Benchmark 3: `maillage import-rpps` on a national-size file, against pandas.

What is measured: the real command-line tool, `maillage import-rpps FILE --json
--no-progress`, in a child process, on a fresh SQLite database that has its migrations
and the geography of all of France (as an installation has before its first national
import): wall time (interpreter and Django start-up included) and the peak resident
memory of that child. The file is the size of the national extraction: 2 million
activity lines, about 1.2 million professionals (`rpps_file.py` writes it, in the exact
format, with communes drawn from the INSEE codes just loaded, so every line is valid and
every commune known). The targets come from issue 3: under 3 minutes, under 400 MB; the
memory target is what keeps the import streaming on a small server.

The JSON summary printed by the command is checked (every line read, every professional
created, nothing rejected, no warning) and so are the rows in the database afterwards.

The baseline (`raw_rpps.py`) is `pandas.read_csv` parsing the same file into strings,
in its own child process, measured the same way, right after the import (the file is
then in the page cache for both: the first read is the generation's). The ratio import /
pandas says what validating, grouping and writing 1.2 million professionals costs on top
of merely splitting the bytes; pandas holds the whole file in memory, the importer must
not, so the memory ratio is expected below 1.

One round only: the import alone takes minutes, and one run of it is what an
installer sees. `make bench` stays within a few more minutes that way.
"""

import json
import sqlite3
import sys
import time
from pathlib import Path

from bench_geography import VENV_BIN, child_env, run_measured
from rpps_file import Commune, write_rpps_file

BENCH_DIR = Path(__file__).resolve().parent
LINES = 2_000_000
TIME_TARGET_S = 180.0
MEMORY_TARGET_MB = 400.0
# Well past the target: a slow run is reported, only a hung one is killed.
IMPORT_TIMEOUT_S = 1800
SEED = "maillage-bench-national"

# Current communes with their département; a commune split into arrondissements
# (Paris, Lyon, Marseille) is replaced by them, as in the national file.
COMMUNES = """
SELECT c.code, c.name, c.population, d.code, d.name
FROM territory_commune c
JOIN territory_departement d ON d.id = c.departement_id
WHERE c.archived_at IS NULL
  AND c.code NOT IN (SELECT parent_code FROM territory_commune WHERE kind = 'ARM')
"""


def loaded_communes(db_path: Path) -> list[Commune]:
    with sqlite3.connect(db_path) as db:
        return [Commune(*row) for row in db.execute(COMMUNES)]


def database_counts(db_path: Path) -> dict:
    with sqlite3.connect(db_path) as db:
        professionals, active = db.execute(
            "SELECT COUNT(*), SUM(active) FROM directory_professional"
        ).fetchone()
        (sites,) = db.execute("SELECT COUNT(*) FROM directory_practicesite").fetchone()
        (located,) = db.execute(
            "SELECT COUNT(*) FROM directory_practicesite WHERE commune_id IS NOT NULL"
        ).fetchone()
    return {
        "professionals": professionals,
        "active": active or 0,
        "sites": sites,
        "located_sites": located,
        "database_mb": db_path.stat().st_size / 1e6,
    }


def last_json_line(output: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON summary in the output:\n{output[-2000:]}")


def run(work_dir: Path) -> dict:
    base = work_dir / "rpps"
    base.mkdir()
    env = child_env(base)
    db_path = base / "maillage.sqlite3"
    maillage = str(VENV_BIN / "maillage")
    run_measured([maillage, "migrate", "--no-input", "-v0"], env)
    run_measured([maillage, "load-geography", "--no-progress"], env)
    communes = loaded_communes(db_path)

    path = base / "PS_LibreAcces_Personne_activite_bench.txt"
    started = time.perf_counter()
    stats = write_rpps_file(path, communes, lines=LINES, seed=SEED)
    generation_s = time.perf_counter() - started

    real = run_measured(
        [maillage, "import-rpps", str(path), "--json", "--no-progress"],
        env,
        timeout=IMPORT_TIMEOUT_S,
    )
    summary = last_json_line(real.output)
    counts = database_counts(db_path)
    baseline = run_measured([sys.executable, str(BENCH_DIR / "raw_rpps.py"), str(path)], env)
    parsed = last_json_line(baseline.output)

    checks = {
        "all_lines_read": summary["read"] == stats.lines,
        "all_created": summary["created"] == stats.professionals
        and summary["updated"] == summary["unchanged"] == summary["deactivated"] == 0,
        "none_rejected": summary["rejected"] == 0 and not summary["errors"],
        "no_warnings": not summary["warnings"],
        "rows_in_database": counts["professionals"] == counts["active"] == stats.professionals
        and counts["sites"] == counts["located_sites"] == stats.lines,
        "baseline_rows": parsed["rows"] == stats.lines,
    }
    # The report's lists can be long (1 000 entries): keep the counters and a sample.
    summary["errors"], summary["warnings"] = summary["errors"][:5], summary["warnings"][:5]
    return {
        "targets": {"seconds": TIME_TARGET_S, "peak_mb": MEMORY_TARGET_MB},
        "file": {
            "lines": stats.lines,
            "professionals": stats.professionals,
            "multi_activity_share": stats.multi_activity / stats.professionals,
            "mb": stats.bytes / 1e6,
            "communes": len(communes),
            "departements": len({c.departement_code for c in communes}),
            "generation_s": generation_s,
        },
        "real": {"seconds": real.seconds, "peak_mb": real.peak_mb, "summary": summary},
        "baseline": {"seconds": baseline.seconds, "peak_mb": baseline.peak_mb, "output": parsed},
        "database": counts,
        "lines_per_second": stats.lines / real.seconds,
        "time_ratio": real.seconds / baseline.seconds,
        "memory_ratio": real.peak_mb / baseline.peak_mb,
        "time_pass": real.seconds < TIME_TARGET_S,
        "memory_pass": real.peak_mb < MEMORY_TARGET_MB,
        "checks": checks,
        "same_work": all(checks.values()),
    }
