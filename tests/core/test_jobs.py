"""The job seam: jobs run after the commit, never for a rolled-back transaction."""

import pytest
from django.core import mail
from django.db import transaction

from maillage.core import jobs

pytestmark = pytest.mark.django_db


def send_test_mail(address):
    mail.send_mail("Essai", "Corps", None, [address])


def test_a_job_runs_only_after_the_commit(run_jobs):
    jobs.enqueue("tests.core.test_jobs.send_test_mail", "a@example.org")
    assert mail.outbox == []
    assert run_jobs() == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_a_rolled_back_transaction_queues_nothing(run_jobs):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("tests.core.test_jobs.send_test_mail", "b@example.org")
        raise RuntimeError
    assert run_jobs() == 0
    assert mail.outbox == []


def test_enqueue_refuses_a_callable():
    with pytest.raises(TypeError):
        jobs.enqueue(send_test_mail, "c@example.org")


def test_periodic_jobs_become_schedules_once():
    from django_q.models import Schedule

    jobs.register_periodic("test-every-5", "tests.core.test_jobs.send_test_mail", minutes=5)
    try:
        jobs.ensure_schedules()
        jobs.ensure_schedules()
        schedule = Schedule.objects.get(name="maillage:test-every-5")
        assert schedule.minutes == 5
    finally:
        jobs.PERIODIC.pop("maillage:test-every-5")
    jobs.ensure_schedules()
    assert not Schedule.objects.filter(name="maillage:test-every-5").exists()
