"""The trail stays fast at millions of rows: audit rows get time-ordered ids (a list page
writes its rows at the end of the unique index, not at random places), and a person's
access report counts and pages their events from the patient index
(bench/bench_audit.py measures both among 5 000 000 events)."""

import datetime
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from maillage.core import audit, audit_trail
from maillage.core.models import AuditEvent
from maillage.patients.services import patient_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                          data={"birth_name": "Vasseur", "first_names": "Lucie",
                                "birth_date": "1958-02-11", "sex": "F", "commune": "38053"})


def _id_time(event: AuditEvent) -> datetime.datetime:
    ms = event.public_id.int >> 80
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


def test_an_audit_row_id_is_a_version_7_uuid_carrying_the_time_of_the_event(home_cpts,
                                                                              coordinator):
    event = audit.record(action="audit.read", actor=coordinator, cpts=home_cpts)
    event.refresh_from_db()
    assert event.public_id.version == 7
    assert abs(_id_time(event) - event.at) < datetime.timedelta(seconds=1)


def test_the_rows_of_a_list_page_get_time_ordered_ids_too(home_cpts, coordinator, patient):
    audit.record_each(action="patient.list", subjects=[patient], actor=coordinator,
                      cpts=home_cpts, detail={"via": "gp_access.queue"})  # fmt: skip
    row = AuditEvent.objects.get(action="patient.list", patient=patient.public_id)
    assert row.public_id.version == 7
    assert abs(_id_time(row) - row.at) < datetime.timedelta(seconds=1)


def test_a_later_event_has_a_greater_id(home_cpts, coordinator):
    first = audit.record(action="audit.read", actor=coordinator, cpts=home_cpts)
    time.sleep(0.003)
    later = audit.record(action="audit.read", actor=coordinator, cpts=home_cpts)
    assert later.public_id.int > first.public_id.int


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return " ".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}")
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("merged", [False, True])
def test_the_access_report_counts_and_pages_from_the_patient_index(home_cpts, coordinator,
                                                                   patient, merged):
    from maillage.patients.services import patient_merge

    audit.record(action="patient.read", actor=coordinator, cpts=home_cpts, obj=patient)
    if merged:  # a record merged into the patient: its events are read from the index too
        twin = patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                              allow_duplicate=True,
                              data={"birth_name": "Vasseur", "first_names": "Lucie Anne",
                                    "birth_date": "1958-02-11", "sex": "F"})  # fmt: skip
        patient_merge(keep=patient, duplicate=twin, actor=coordinator)
    subject = audit_trail.find_subject(home_cpts, patient.public_id)
    assert len(subject.ids) == (2 if merged else 1)
    events = audit_trail.events_about(home_cpts, subject)
    with CaptureQueriesContext(connection) as queries:
        assert events.count() >= 1
        assert list(events[:50])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A test table is tiny: PostgreSQL would rightly read it whole. Among millions
            # of rows, with statistics, it takes the index (bench/bench_audit.py).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plans = [_plan(q["sql"]) for q in queries.captured_queries]
    assert len(plans) == 2
    # Without statistics SQLite would otherwise count through the CPTS index: every event
    # of the CPTS.
    assert all("audit_patient_at" in plan for plan in plans), plans


def test_a_list_writes_one_complete_row_per_person_in_one_statement(home_cpts, coordinator,
                                                                    patient, rf):  # fmt: skip
    """The same rows on both databases (PostgreSQL takes a faster single INSERT)."""
    other = patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                           data={"birth_name": "Aubert", "first_names": "Rémi",
                                 "birth_date": "1970-01-01", "sex": "M"})  # fmt: skip
    request = rf.get("/", REMOTE_ADDR="192.0.2.9")
    request.user = coordinator
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        written = audit.record_each(action="patient.list", actor=coordinator, cpts=home_cpts,
                                    subjects=[patient, other, patient.public_id, None],
                                    request=request, detail={"via": "gp_access.queue", "n": 1})
    assert written == 2 and AuditEvent.objects.count() == before + 2
    assert len([q for q in queries.captured_queries if "INSERT" in q["sql"]]) == 1
    rows = AuditEvent.objects.filter(action="patient.list").order_by("id")
    assert [r.patient for r in rows] == [patient.public_id, other.public_id]
    for row in rows:
        assert row.object_id == row.patient and row.object_type == "patients.Patient"
        assert (row.cpts_id, row.actor_id, row.actor_email) == (
            home_cpts.pk, coordinator.pk, coordinator.email)
        assert row.ip == "192.0.2.9" and row.detail == {"via": "gp_access.queue", "n": 1}
        assert row.public_id.version == 7
        assert abs(row.at - rows[0].at) < datetime.timedelta(seconds=1)
    assert audit.record_each(action="patient.list", subjects=[], cpts=home_cpts) == 0


def test_a_list_without_an_actor_or_an_address_is_written_too(home_cpts, patient):
    assert audit.record_each(action="patient.list", subjects=[patient], cpts=home_cpts) == 1
    row = AuditEvent.objects.get(action="patient.list")
    assert row.actor_id is None and row.actor_email == "" and row.ip is None
