"""GET /healthz/full: the database, the worker (its heartbeat) and the queue, for the
operator's probe; 503 when anything is down."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from maillage.core import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(jobs.HEARTBEAT_KEY)
    yield
    cache.delete(jobs.HEARTBEAT_KEY)


def test_all_ok_with_a_fresh_heartbeat(client, run_jobs):
    jobs.enqueue("maillage.core.jobs.heartbeat")  # what the running cluster does each minute
    run_jobs()
    response = client.get("/healthz/full")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": "ok",
                               "queue": {"pending": 0, "failed": 0}}  # fmt: skip
    assert response["Cache-Control"] == "no-store"


def test_no_heartbeat_is_a_worker_down_and_a_503(client):
    response = client.get("/healthz/full")
    assert response.status_code == 503
    assert response.json()["worker"] == "down"
    assert response.json()["database"] == "ok"


def test_a_heartbeat_older_than_three_minutes_is_down(client):
    jobs.heartbeat()
    assert jobs.worker_status() == "ok"
    later = timezone.now() + datetime.timedelta(minutes=3, seconds=5)
    assert jobs.worker_status(now=later) == "down"
    cache.set(jobs.HEARTBEAT_KEY, (timezone.now() - datetime.timedelta(minutes=4)).timestamp())
    assert client.get("/healthz/full").status_code == 503


def test_the_database_down_is_a_503(client, monkeypatch):
    jobs.heartbeat()
    monkeypatch.setattr("maillage.core.jobs_views.database_ok", lambda: False)
    response = client.get("/healthz/full")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["queue"] == {"pending": None, "failed": None}


def test_the_queue_counts_pending_and_failed_jobs(client):
    from django_q.models import Failure, OrmQ

    jobs.heartbeat()
    OrmQ.objects.create(key="maillage", payload="x")
    now = timezone.now()
    Failure.objects.create(id="f" * 32, name="essai", func="maillage.core.jobs.heartbeat",
                           started=now, stopped=now, success=False)  # fmt: skip
    response = client.get("/healthz/full")
    assert response.status_code == 200
    assert response.json()["queue"] == {"pending": 1, "failed": 1}


def test_it_tells_nothing_but_states_and_counts(client):
    jobs.heartbeat()
    body = client.get("/healthz/full").json()
    assert set(body) == {"database", "worker", "queue"}
    assert all(isinstance(v, int) for v in body["queue"].values())
