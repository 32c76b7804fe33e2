"""`make bench`: the numbers that matter, each next to a baseline from the same run.

Runs the benchmarks in a temporary directory (removed afterwards) that never touches
the installation's own database, writes `bench/results.json` (git-ignored: raw
figures of this machine) and rewrites `docs/performance.md` (the French summary that is
committed). Exits with status 1, after writing both, when a target is missed or when a
baseline turns out not to have done the same work as the application.

Absolute times depend on the machine; every benchmark therefore runs a baseline side by
side, in the same run, and reports the ratio, which travels better between machines.
"""

import datetime
import importlib.metadata
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results.json"
REPORT = ROOT / "docs" / "performance.md"


def configure_django(work_dir: Path) -> None:
    """Point Django at a scratch SQLite database before the settings are read."""
    page_dir = work_dir / "page"
    # STATIC_ROOT lives under the var directory; WhiteNoise warns when it is missing.
    (page_dir / "static").mkdir(parents=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "maillage.settings"
    # Fixed key and static files served from the finders, as in the test suite.
    os.environ["MAILLAGE_TESTING"] = "1"
    os.environ["MAILLAGE_VAR_DIR"] = str(page_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{page_dir / 'maillage.sqlite3'}"
    import django

    django.setup()


def _first_line(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{revision} (modified)" if dirty else revision


def machine() -> dict:
    import django
    import shapely

    memory_kb = _first_line("/proc/meminfo", "MemTotal").split()
    return {
        "cores": os.cpu_count(),
        # Other work on the machine slows the runs down: keep a trace of it.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor(),
        "memory_gb": round(int(memory_kb[0]) / 1024**2, 1) if memory_kb else None,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "shapely": shapely.__version__,
        "pandas": importlib.metadata.version("pandas"),
        "revision": _git_revision(),
    }


def comparison_valid(results: dict) -> bool:
    """The baselines did the same work as the application (else the ratios mean nothing)."""
    territory = results["territory"]
    return (
        results["geography"]["same_rows"]
        and territory["geojson_identical"]
        and territory["communes"] == territory["expected_communes"] == territory["api_communes"]
        and results["rpps_import"]["same_work"]
        and results["directory_search"]["same_results"]
    )


def all_pass(results: dict) -> bool:
    runs = results["geography"]["runs"].values()
    territory, rpps = results["territory"], results["rpps_import"]
    return (
        all(r["time_pass"] and r["memory_pass"] for r in runs)
        and territory["time_pass"]
        and territory["weight_pass"]
        and rpps["time_pass"]
        and rpps["memory_pass"]
        and results["directory_search"]["time_pass"]
    )


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as tmp:
        work_dir = Path(tmp)
        configure_django(work_dir)
        host = machine()
        # These modules import Django models: only once Django is set up.
        import bench_directory
        import bench_geography
        import bench_rpps
        import bench_territory

        print(
            f"1/4 load-geography, France entière ({bench_geography.ROUNDS} tours : chargement, "
            "relance, et la référence brute de chacun)…",
            flush=True,
        )
        geography = bench_geography.run(work_dir)
        print("2/4 page territoire et API…", flush=True)
        territory = bench_territory.run()
        from django.db import connections

        connections.close_all()
        print(
            f"3/4 annuaire de {report.num(bench_directory.PROFESSIONALS, 0)} professionnels : "
            "import, recherches, page et SQL brut…",
            flush=True,
        )
        directory = bench_directory.run(work_dir)
        print(
            f"4/4 import-rpps, fichier national de {report.num(bench_rpps.LINES, 0)} lignes, et "
            "pandas.read_csv (plusieurs minutes)…",
            flush=True,
        )
        rpps = bench_rpps.run(work_dir)

    results = {
        "generated_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": host,
        "geography": geography,
        "territory": territory,
        "directory_search": directory,
        "rpps_import": rpps,
    }
    results["all_pass"] = all_pass(results)
    results["comparison_valid"] = comparison_valid(results)
    results["duration_s"] = time.monotonic() - started
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    REPORT.write_text(report.render(results), encoding="utf-8")
    print(report.console_summary(results))
    print(f"Écrit : {RESULTS.relative_to(ROOT)}, {REPORT.relative_to(ROOT)}")
    return 0 if results["all_pass"] and results["comparison_valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
