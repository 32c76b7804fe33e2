"""Personas and shared fixtures.

The test database gets the real INSEE geography of Isère (département 38) and the demo
CPTS once per session; each test then runs in a transaction rolled back at its end.
"""

import os

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from maillage.core.models import User
from maillage.core.twofactor import confirmed_device
from maillage.demo.builder import build_demo, demo_email

os.environ.setdefault("MAILLAGE_TESTING", "1")

HOME = "pays-berjalliens"
OTHER = "vals-du-dauphine"
TEST_DEPARTEMENTS = "38"


def load_reference_data():
    from maillage.territory.models import Commune

    if not Commune.objects.filter(code="38053").exists():
        call_command(
            "load_geography",
            departements=TEST_DEPARTEMENTS,
            no_progress=True,
            stdout=open(os.devnull, "w"),
        )  # noqa: SIM115
    build_demo(crisis=False, prevention=False, reporting=False)


def _flush_past_audit_triggers():
    """Transactional tests end with a flush (DELETE of every table on SQLite), which the
    append-only triggers of the audit table rightly refuse: the test database drops them
    for the flush and puts them back. (PostgreSQL flushes with TRUNCATE, which row
    triggers do not see.) Production keeps refusing."""
    # Through the backend's base module: importing operations.py first is a circular
    # import while the sqlite3 backend is not loaded yet (a run on PostgreSQL).
    from django.db.backends.sqlite3.base import DatabaseOperations

    from maillage.core import audit_triggers

    original = DatabaseOperations.sql_flush
    if getattr(original, "_keeps_audit_triggers", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences,
                              allow_cascade=allow_cascade)  # fmt: skip
        if audit_triggers.TABLE not in tables:
            return statements
        return (audit_triggers.remove_sql("sqlite") + statements
                + audit_triggers.install_sql("sqlite"))  # fmt: skip

    sql_flush._keeps_audit_triggers = True
    DatabaseOperations.sql_flush = sql_flush


_flush_past_audit_triggers()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _fast_otp_throttle(settings):
    # django-otp delays a retry after a wrong code; tests try wrong then right at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _user(local, slug=HOME) -> User:
    return User.objects.get(email=demo_email(local, slug))


@pytest.fixture
def coordinator(db):
    return _user("coordination")


@pytest.fixture
def gp(db):
    return _user("medecin")


@pytest.fixture
def nurse(db):
    return _user("infirmier")


@pytest.fixture
def pharmacist(db):
    return _user("pharmacien")


@pytest.fixture
def regulator(db):
    return _user("regulation")


@pytest.fixture
def partner(db):
    return _user("partenaire")


@pytest.fixture
def board_member(db):
    return _user("bureau")


@pytest.fixture
def funder(db):
    """The CPAM's contact for the contract: sees the contract and its report only."""
    return _user("financeur")


@pytest.fixture
def outsider(db):
    """The coordinator of the other demo CPTS."""
    return _user("coordination", OTHER)


@pytest.fixture
def home_cpts(db):
    from maillage.core.models import Cpts

    return Cpts.objects.get(slug=HOME)


@pytest.fixture
def other_cpts(db):
    from maillage.core.models import Cpts

    return Cpts.objects.get(slug=OTHER)


def verified_client(user) -> Client:
    """A browser session logged in with both factors (or password only for a user
    without a device, such as a board member)."""
    client = Client()
    client.force_login(user)
    device = confirmed_device(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for():
    return verified_client


def _run_pending_jobs(using="default"):
    """Run what the test's transaction queued for commit (core.jobs.enqueue): the test
    never commits, so its on-commit callbacks wait in the connection; the cluster runs
    synchronously under tests, so each queued job runs here, in order."""
    from django.db import connections

    connection = connections[using]
    ran = 0
    while connection.run_on_commit:
        callbacks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in callbacks:
            callback()
            ran += 1
    return ran


@pytest.fixture
def run_jobs(db):
    """`run_jobs()` runs the background jobs queued so far (e-mails, SMS, imports...), as
    the worker would after the commit; returns how many ran."""
    return _run_pending_jobs
