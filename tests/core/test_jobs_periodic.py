"""The periodic jobs the apps register: written as schedules when a worker starts, at their
hour in Paris, and each one runs as a job (no cron to install)."""

import datetime
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_q.models import Schedule

from maillage.core import jobs

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

EXPECTED = {
    "maillage:heartbeat": ("maillage.core.jobs.heartbeat", 1, None),
    "maillage:sas-outbox": ("maillage.same_day_care.sas_outbox.process_due", 1, None),
    "maillage:pathway-reminders": ("maillage.pathways.jobs.send_daily_reminders", None,
                                   "0 7 * * *"),
    "maillage:gp-expire-proposals": ("maillage.gp_access.jobs.expire_proposals", None,
                                     "0 6 * * *"),
    "maillage:audit-purge": ("maillage.core.audit.purge_expired_job", None, "15 3 * * *"),
}  # fmt: skip


def test_the_apps_register_their_periodic_jobs():
    for name, (func, minutes, cron) in EXPECTED.items():
        job = jobs.PERIODIC[name]
        assert (job.func, job.minutes, job.cron) == (func, minutes, cron)
        assert job.label  # shown in French wherever the job is listed


def test_schedules_are_written_once_and_a_daily_job_first_runs_at_its_hour():
    jobs.ensure_schedules()
    jobs.ensure_schedules()
    schedules = {s.name: s for s in Schedule.objects.filter(name__startswith="maillage:")}
    assert set(EXPECTED) <= set(schedules)
    reminders = schedules["maillage:pathway-reminders"]
    assert reminders.schedule_type == Schedule.CRON
    first = reminders.next_run.astimezone(PARIS)
    assert (first.hour, first.minute) == (7, 0)
    now = datetime.datetime.now(PARIS)
    assert now < first <= now + datetime.timedelta(days=1)


def test_each_periodic_job_runs_as_a_job(run_jobs):
    from django_q.models import Success

    cache.delete(jobs.HEARTBEAT_KEY)
    for func, *_ in EXPECTED.values():
        jobs.enqueue(func)
    # Some queue jobs of their own (the reminders' messages): those run too.
    assert run_jobs() >= len(EXPECTED)
    done = set(Success.objects.values_list("func", flat=True))
    assert {func for func, *_ in EXPECTED.values()} <= done
    assert jobs.worker_status() == "ok"


def test_reminders_job_sends_once_a_day(run_jobs, mailoutbox):
    from maillage.pathways.jobs import send_daily_reminders

    first = send_daily_reminders()
    again = send_daily_reminders()
    assert again["sent"] == 0 and again["already_sent"] == first["sent"]
    run_jobs()  # the messages go out through the notifications' delivery jobs
    assert first["sent"] > 0 and len(mailoutbox) == first["sent"]


def test_the_worker_command_writes_the_schedules_before_starting(monkeypatch):
    started = []

    class FakeSentinel:
        exitcode = 0

        def is_alive(self):
            return False

    class FakeCluster:
        sentinel = FakeSentinel()

        def start(self):
            started.append(Schedule.objects.filter(name="maillage:heartbeat").exists())

    monkeypatch.setattr("django_q.cluster.Cluster", FakeCluster)
    call_command("worker")
    assert started == [True]
