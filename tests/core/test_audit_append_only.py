"""Audit rows are append-only: the database itself refuses to change or delete them (a
trigger, on SQLite and on PostgreSQL); only rows past the retention period are purged."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.audit_triggers import MIN_RETENTION_DAYS
from maillage.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(home_cpts, coordinator):
    return audit.record(action="patient.read", actor=coordinator, cpts=home_cpts)


def _refused(statement, params):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    return str(caught.value)


def test_the_database_refuses_to_update_an_audit_row(event):
    message = _refused("UPDATE core_auditevent SET action = %s WHERE id = %s",
                       ["nothing.happened", event.pk])  # fmt: skip
    assert "append-only" in message
    event.refresh_from_db()
    assert event.action == "patient.read"


def test_the_database_refuses_to_delete_a_recent_audit_row(event):
    assert "append-only" in _refused("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(ip="192.0.2.1")
    assert AuditEvent.objects.filter(pk=event.pk, ip__isnull=True).exists()


def test_the_database_refuses_to_delete_a_row_younger_than_a_year_even_if_asked(home_cpts):
    young = AuditEvent.objects.create(
        cpts=home_cpts, action="auth.login",
        at=timezone.now() - datetime.timedelta(days=MIN_RETENTION_DAYS - 2),
    )  # fmt: skip
    assert "append-only" in _refused("DELETE FROM core_auditevent WHERE id = %s", [young.pk])


def test_purge_deletes_only_rows_past_the_retention_period(settings, home_cpts):
    settings.AUDIT_RETENTION_DAYS = 400
    now = timezone.now()
    old = AuditEvent.objects.create(cpts=home_cpts, action="auth.login",
                                    at=now - datetime.timedelta(days=401))  # fmt: skip
    kept = AuditEvent.objects.create(cpts=home_cpts, action="auth.login",
                                     at=now - datetime.timedelta(days=399))  # fmt: skip
    out = io.StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert out.getvalue().startswith("1 événement(s)")
    assert AuditEvent.objects.filter(pk=old.pk).exists()
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert "1 événement(s)" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


def test_a_retention_under_a_year_stops_the_start(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, AUDIT_RETENTION_DAYS="30", MAILLAGE_TESTING="1")
    result = subprocess.run([sys.executable, "-c", "import django; from django.conf import "
                             "settings; settings.AUDIT_RETENTION_DAYS"],
                            env=env | {"DJANGO_SETTINGS_MODULE": "maillage.settings"},
                            capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 365" in result.stderr
