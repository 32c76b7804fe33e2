"""What every benchmark module shares: a scratch Django environment, the demo territory,
a logged-in (second factor verified) client and the summary of timing samples."""

import io
import os
import statistics
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
