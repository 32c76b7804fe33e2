"""Outside the test suite's synchronous mode, a job's row is written in the transaction
that queues it (ORM broker): it exists if and only if that transaction commits."""

import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ

from maillage.core import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_broker(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)


def test_the_job_row_is_written_with_the_change(real_broker, home_cpts):
    with transaction.atomic():
        jobs.enqueue("maillage.core.jobs.heartbeat", cpts=home_cpts)
        assert OrmQ.objects.count() == 1  # in the same transaction, unseen by workers
    assert OrmQ.objects.get().task["group"] == f"cpts:{home_cpts.pk}"


def test_a_rolled_back_change_leaves_no_job(real_broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("maillage.core.jobs.heartbeat")
        raise RuntimeError
    assert not OrmQ.objects.exists()


def test_a_job_that_fails_at_commit_does_not_fail_the_caller(transactional_db, monkeypatch):
    """In synchronous mode the job runs at the commit, in the caller's process: like a real
    worker's failure, it must not turn a committed change into an error."""
    calls = []

    def failing_push(*args):
        calls.append(args)
        raise RuntimeError("job failed")

    monkeypatch.setattr(jobs, "_push", failing_push)
    with transaction.atomic():
        jobs.enqueue("maillage.core.jobs.heartbeat")
    assert len(calls) == 1
