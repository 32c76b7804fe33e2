"""What every benchmark module shares: a scratch Django environment, the demo territory,
a logged-in (second factor verified) client and the summary of timing samples."""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


@contextmanager
def django_environment(name: str, database_url: str | None = None, env: dict | None = None):
    """A temporary var directory and database (SQLite unless `database_url` is given),
    unless Django is already set up (by `run.py`, which then owns a scratch database).
    `env` sets backends for the run (e.g. messages kept in memory rather than printed)."""
    from django.apps import apps

    if apps.ready:
        yield
        return
    with tempfile.TemporaryDirectory(prefix=f"maillage-bench-{name}-") as tmp:
        var_dir = Path(tmp) / "var"
        # STATIC_ROOT lives under the var directory; WhiteNoise warns when it is missing.
        (var_dir / "static").mkdir(parents=True)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
        os.environ["MAILLAGE_VAR_DIR"] = str(var_dir)
        os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir / 'maillage.sqlite3'}"
        os.environ["MAILLAGE_DEMO"] = "1"
        # Static files from the finders (no collectstatic), as in the test suite.
        os.environ["MAILLAGE_TESTING"] = "1"
        os.environ.update(env or {})
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        try:
            yield
        finally:
            from django.db import connections

            connections.close_all()


def summary(samples: list[float]) -> dict:
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": statistics.quantiles(samples, n=20, method="inclusive")[18],
        "min_ms": min(samples),
        "max_ms": max(samples),
        "samples": len(samples),
    }


def setup_demo() -> None:
    """Migrations, the Isère geography and the demo CPTS (without its directory)."""
    from django.core.management import call_command

    from maillage.demo.builder import build_demo
    from maillage.territory.models import Commune

    call_command("migrate", interactive=False, verbosity=0)
    if not Commune.objects.filter(code="38053").exists():
        call_command("load_geography", departements="38", no_progress=True, stdout=io.StringIO())
    build_demo(directory=False)


def verified_client(user):
    """A test client logged in as `user`, second factor verified like a real session."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from maillage.core.twofactor import confirmed_device

    browser = Client()
    browser.force_login(user)
    device = confirmed_device(user)
    if device is not None:
        session = browser.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return browser


# PostgreSQL child --------------------------------------------------------------------------
# A section measures PostgreSQL by re-running its own module under a throw-away cluster
# (`bin/with_postgres.py`) with `--pg-child OUT`; the child writes its results to OUT.

PG_BINDIR = os.environ.get("MAILLAGE_PG_BINDIR", "/usr/lib/postgresql/15/bin")


def create_pg_database(url: str) -> None:
    """`with_postgres.py` starts an empty cluster: create the database of DATABASE_URL."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(host=parts.hostname, port=parts.port, user=parts.username or "postgres",
                         dbname="postgres", autocommit=True) as conn:  # fmt: skip
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def pg_child(out_path: str, environment, bench) -> int:
    """In the child: create the database, run `bench()` inside `environment(database_url=)`
    and write its result to `out_path`."""
    url = os.environ["DATABASE_URL"]
    create_pg_database(url)
    with environment(database_url=url):
        result = bench()
    Path(out_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


def postgresql_part(module_file: str, *, name: str, timeout: int) -> dict:
    """Re-run `module_file` under a throw-away PostgreSQL cluster; its results come back in
    a file."""
    if not Path(PG_BINDIR, "initdb").exists():
        return {"postgresql": "not available", "reason": f"no initdb in {PG_BINDIR}"}
    with tempfile.TemporaryDirectory(prefix=f"maillage-bench-{name}-pg-") as tmp:
        out = Path(tmp) / "result.json"
        dropped = ("DATABASE_URL", "MAILLAGE_VAR_DIR", "DJANGO_SETTINGS_MODULE")
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        helper = str(ROOT / "bin" / "with_postgres.py")
        child = [sys.executable, str(Path(module_file).resolve()), "--pg-child", str(out)]
        command = [sys.executable, helper, PG_BINDIR, "--", *child]
        try:
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                                  timeout=timeout)  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"postgresql": "failed", "reason": f"timeout after {timeout} s"}
        if done.returncode != 0 or not out.exists():
            return {"postgresql": "failed", "returncode": done.returncode,
                    "reason": done.stderr[-2000:]}  # fmt: skip
        return json.loads(out.read_text(encoding="utf-8"))
