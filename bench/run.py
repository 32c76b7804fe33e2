"""`make bench`: the numbers that matter, each next to a baseline from the same run.

Runs the benchmarks in a temporary directory (removed afterwards) that never touches
the installation's own database, writes `bench/results.json` (git-ignored: raw
figures of this machine) and rewrites `docs/performance.md` (the French summary that is
committed). Exits with status 1, after writing both, when a target is missed or when a
baseline turns out not to have done the same work as the application.

Absolute times depend on the machine; every benchmark therefore runs a baseline side by
side, in the same run, and reports the ratio, which travels better between machines.

`--only NAME[,NAME]` measures only the named sections (see SECTIONS) and merges them into
the existing `bench/results.json`: the other sections keep their figures and the date,
revision and machine load of the run that measured them (`sections` in the JSON), and
`docs/performance.md` is rewritten from the merged results. The exit status then only
reflects the sections just measured.
"""

import argparse
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


# Sections of `results.json`, in the order `make bench` runs them. The two "module"
# sections run in a child process of their own (`--child`), on the throw-away database
# their module creates: neither the data of the other sections nor this process's
# settings weigh on them (their modules read `MAILLAGE_DEMO=1`, as the demo does).
SECTIONS = (
    "geography",
    "territory",
    "directory_search",
    "rpps_import",
    "gp_access",
    "same_day",
    "pathways",
    "audit",
    "home",
    "notifications",
    "crisis",
    "prevention",
    "reporting",
)
MODULE_SECTIONS = {
    "gp_access": "bench_gp_access",
    "same_day": "bench_same_day",
    "pathways": "bench_pathways",
    "audit": "bench_audit",
    "home": "bench_home",
    "notifications": "bench_notifications",
    "crisis": "bench_crisis",
    "prevention": "bench_prevention",
    "reporting": "bench_reporting",
}
ALIASES = {"directory": "directory_search", "rpps": "rpps_import"}
CHILD_TIMEOUT_S = 1800
# Set in the children by the modules themselves; not inherited from this process's scratch
# database (configure_django).
CHILD_DROPPED_ENV = ("DATABASE_URL", "MAILLAGE_VAR_DIR", "DJANGO_SETTINGS_MODULE")


def module_failed(section) -> bool:
    return isinstance(section, dict) and "failed" in section


def module_pass(section: dict) -> bool:
    """A module section meets its own targets (`targets_met`, every one of them)."""
    return not module_failed(section) and all(section["targets_met"].values())


def comparison_valid(results: dict) -> bool:
    """The baselines did the same work as the application (else the ratios mean nothing).

    Only the sections present count (a first `--only` run has no others)."""
    checks = []
    if "geography" in results:
        checks.append(results["geography"]["same_rows"])
    if "territory" in results:
        territory = results["territory"]
        checks.append(
            territory["geojson_identical"]
            and territory["communes"] == territory["expected_communes"] == territory["api_communes"]
        )
    if "rpps_import" in results:
        checks.append(results["rpps_import"]["same_work"])
    if "directory_search" in results:
        checks.append(results["directory_search"]["same_results"])
    for name in MODULE_SECTIONS:
        if name in results:
            section = results[name]
            checks.append(not module_failed(section) and bool(section["comparison_valid"]))
    return all(checks)


def all_pass(results: dict) -> bool:
    checks = []
    if "geography" in results:
        runs = results["geography"]["runs"].values()
        checks.append(all(r["time_pass"] and r["memory_pass"] for r in runs))
    if "territory" in results:
        checks.append(results["territory"]["time_pass"] and results["territory"]["weight_pass"])
    if "rpps_import" in results:
        rpps = results["rpps_import"]
        checks.append(rpps["time_pass"] and rpps["memory_pass"])
    if "directory_search" in results:
        checks.append(results["directory_search"]["time_pass"])
    for name in MODULE_SECTIONS:
        if name in results:
            checks.append(module_pass(results[name]))
    return all(checks)


def _json_default(value):
    """numpy scalars (the modules compute with numpy) as plain numbers; the rest as text."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def child_main(name: str, out_path: str) -> int:
    """`run.py --child NAME FILE`: run one module section, write its results to FILE."""
    module = importlib.import_module(MODULE_SECTIONS[name])
    result = module.run()
    Path(out_path).write_text(
        json.dumps(result, ensure_ascii=False, default=_json_default), encoding="utf-8"
    )
    return 0


def run_module_section(name: str, work_dir: Path) -> dict:
    """One module section in a child process; a failure is recorded, not raised, so that
    the other sections' figures are still written."""
    out = work_dir / f"{name}.json"
    env = {k: v for k, v in os.environ.items() if k not in CHILD_DROPPED_ENV}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(out)]
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"timeout after {CHILD_TIMEOUT_S} s"}
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout)[-3000:]
        print(f"   {name} a échoué (code {done.returncode}) :\n{tail}", flush=True)
        return {"failed": f"exit status {done.returncode}", "output": tail}
    return json.loads(out.read_text(encoding="utf-8"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        metavar="NAME[,NAME]",
        help="ne mesurer que ces sections (" + ", ".join(SECTIONS) + ") et les fusionner "
        "dans bench/results.json",
    )
    parser.add_argument("--child", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only is None:
        args.sections = list(SECTIONS)
    else:
        wanted = {ALIASES.get(n.strip(), n.strip()) for n in args.only.split(",") if n.strip()}
        unknown = sorted(wanted - set(SECTIONS))
        if unknown or not wanted:
            parser.error(
                f"section inconnue : {', '.join(unknown) or '(aucune)'} ; "
                f"sections : {', '.join(SECTIONS)}"
            )
        args.sections = [n for n in SECTIONS if n in wanted]
    return args


def load_previous() -> dict:
    """The results of earlier runs, with a `sections` entry for each (older files only had
    one date for all: it is given to each section they hold)."""
    try:
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if "sections" not in previous and "generated_at" in previous:
        previous["sections"] = {
            name: {"measured_at": previous["generated_at"], "machine": previous.get("machine")}
            for name in SECTIONS
            if name in previous
        }
        previous["last_full_run"] = {
            "measured_at": previous["generated_at"],
            "duration_s": previous.get("duration_s"),
            "sections": list(previous["sections"]),
        }
    return previous


def measure(name: str, step: int, steps: int, work_dir: Path):
    """Run one section (Django is set up); returns its results."""
    prefix = f"{step}/{steps}"
    if name == "geography":
        import bench_geography

        print(
            f"{prefix} load-geography, France entière ({bench_geography.ROUNDS} tours : "
            "chargement, relance, et la référence brute de chacun)…",
            flush=True,
        )
        return bench_geography.run(work_dir)
    if name == "territory":
        import bench_territory

        print(f"{prefix} page territoire et API…", flush=True)
        result = bench_territory.run()
        from django.db import connections

        connections.close_all()
        return result
    if name == "directory_search":
        import bench_directory

        print(
            f"{prefix} annuaire de {report.num(bench_directory.PROFESSIONALS, 0)} "
            "professionnels : import, recherches, page et SQL brut…",
            flush=True,
        )
        return bench_directory.run(work_dir)
    if name == "gp_access":
        print(
            f"{prefix} médecin traitant : propositions pour 20 000 patients et 1 500 médecins "
            "(moteur, HiGHS, glouton), file de 20 000 demandes et SQL brut…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "same_day":
        print(
            f"{prefix} soins non programmés : suggestions (SQLite et PostgreSQL) et SQL brut, "
            "course à la réservation à 32 clients, recherche FHIR du SAS (plusieurs minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "pathways":
        print(
            f"{prefix} parcours : 10 000 patients inclus, 200 000 tâches ; pages « à faire » "
            "d'un professionnel et de la coordinatrice, rappels quotidiens, et SQL brut "
            "(SQLite et PostgreSQL, plusieurs minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "audit":
        print(
            f"{prefix} journal d'audit : 5 000 000 événements ; accès au dossier d'un patient "
            "et écriture d'une ligne par patient d'une liste, et SQL brut (SQLite et "
            "PostgreSQL, plusieurs minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "home":
        print(
            f"{prefix} pages d'accueil « Aujourd'hui » de six rôles, CPTS chargée (parcours, "
            "médecin traitant, soins non programmés), et SQL brut (SQLite et PostgreSQL, "
            "plusieurs minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "notifications":
        print(
            f"{prefix} notifications : 2 000 messages (e-mail et SMS) écrits et mis en file "
            "comme par une requête, et SQL brut ; un worker les remet tous aux passerelles "
            "(console)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "crisis":
        print(
            f"{prefix} crise : alerte à 2 000 contacts (SMS et e-mail) par l'API, un worker "
            "remet tout aux passerelles, tableau de bord, réponses par le lien dont 200 "
            "simultanées, et SQL brut (SQLite et PostgreSQL, quelques minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "prevention":
        print(
            f"{prefix} prévention : saisie d'un participant FINDRISC par l'API, indicateurs "
            "d'une campagne de 50 000 participants, et SQL brut (SQLite et PostgreSQL, "
            "quelques minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    if name == "reporting":
        print(
            f"{prefix} contrat ACI : rapport annuel d'une CPTS chargée (toutes les missions) en "
            "PDF et XLSX, page des prévisions, et références brutes (reportlab, openpyxl, SQL ; "
            "SQLite et PostgreSQL, plusieurs minutes)…",
            flush=True,
        )
        return run_module_section(name, work_dir)
    import bench_rpps

    print(
        f"{prefix} import-rpps, fichier national de {report.num(bench_rpps.LINES, 0)} lignes, "
        "et pandas.read_csv (plusieurs minutes)…",
        flush=True,
    )
    return bench_rpps.run(work_dir)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        return child_main(*args.child)
    started = time.monotonic()
    full = args.only is None
    measured, meta = {}, {}
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as tmp:
        work_dir = Path(tmp)
        configure_django(work_dir)
        host = machine()
        for step, name in enumerate(args.sections, 1):
            section_started = time.monotonic()
            measured_at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
            measured[name] = measure(name, step, len(args.sections), work_dir)
            meta[name] = {
                "measured_at": measured_at,
                "duration_s": time.monotonic() - section_started,
                "machine": host,
            }

    now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    duration = time.monotonic() - started
    previous = {} if full else load_previous()
    results = {"generated_at": now, "machine": host}
    for name in SECTIONS:
        if name in measured:
            results[name] = measured[name]
        elif name in previous:
            results[name] = previous[name]
    sections_meta = {**previous.get("sections", {}), **meta}
    results["sections"] = {name: sections_meta[name] for name in SECTIONS if name in results}
    results["all_pass"] = all_pass(results)
    results["comparison_valid"] = comparison_valid(results)
    results["duration_s"] = duration
    results["last_full_run"] = (
        {"measured_at": now, "duration_s": duration, "sections": list(SECTIONS)}
        if full
        else previous.get("last_full_run")
    )
    RESULTS.write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=_json_default) + "\n",
        encoding="utf-8",
    )

    REPORT.write_text(report.render(results), encoding="utf-8")
    print(report.console_summary(results))
    print(f"Écrit : {RESULTS.relative_to(ROOT)}, {REPORT.relative_to(ROOT)}")
    if not full:
        kept = [n for n in SECTIONS if n in results and n not in measured]
        print(
            f"Mesuré : {', '.join(measured)} ; repris de la mesure précédente : "
            f"{', '.join(kept) or 'rien'}"
        )
    # With --only, the exit status is that of the sections just measured.
    checked = measured if not full else results
    return 0 if all_pass(checked) and comparison_valid(checked) else 1


if __name__ == "__main__":
    sys.exit(main())
