"""A CPTS's failed jobs: its coordinator sees them (what, when, a French cause, attempts)
and the pending count, and may run one again, once; nobody else sees them."""

from multiprocessing import Queue, Value

import pytest
from django.utils import timezone
from django_q.humanhash import uuid
from django_q.models import Failure, OrmQ
from django_q.monitor import monitor
from django_q.tasks import async_task
from django_q.worker import worker

from maillage.core import jobs
from tests.conftest import HOME

pytestmark = pytest.mark.django_db
RAN = []


def unreachable_gateway(name, *, channel="sms"):
    RAN.append((name, channel))
    raise ConnectionRefusedError(f"passerelle 10.0.0.9 refuse {name}")


def _as_worker(func, args, kwargs, group):
    """What a cluster worker does with the package: run it, catch the failure, save it
    (as django-q2 itself does in sync mode, but keeping the failure)."""
    name, task_id = uuid()
    task = {"id": task_id, "name": name, "func": func, "args": args, "kwargs": kwargs,
            "group": group, "started": timezone.now()}  # fmt: skip
    tasks, results = Queue(), Queue()
    tasks.put(task)
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    results.put("STOP")
    monitor(results)
    return task_id


@pytest.fixture
def through_worker(monkeypatch):
    monkeypatch.setattr(jobs, "_push", _as_worker)
    RAN.clear()
    jobs.register_label("tests.core.test_jobs_failed.unreachable_gateway", "Envoi d'un SMS")
    yield
    jobs.LABELS.pop("tests.core.test_jobs_failed.unreachable_gateway", None)


FUNC = "tests.core.test_jobs_failed.unreachable_gateway"


def test_the_coordinator_sees_a_failed_job_with_a_french_cause(
    through_worker, run_jobs, client_for, coordinator, home_cpts
):
    jobs.enqueue(FUNC, "Mme Martin", cpts=home_cpts, channel="sms")
    run_jobs()
    failure = Failure.objects.get()
    assert failure.group == f"cpts:{home_cpts.pk}"
    page = client_for(coordinator).get(f"/c/{HOME}/taches/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Envoi d&#x27;un SMS" in body or "Envoi d'un SMS" in body
    assert "Service extérieur injoignable" in body
    assert "Relancer" in body
    assert "Traceback" not in body and "10.0.0.9" not in body  # the detail is for the admin


def test_relancer_queues_the_job_again_once(
    through_worker, run_jobs, client_for, coordinator, home_cpts
):
    jobs.enqueue(FUNC, "Mme Martin", cpts=home_cpts, channel="sms")
    run_jobs()
    failure = Failure.objects.get()
    client = client_for(coordinator)
    url = f"/c/{HOME}/taches/{failure.id}/relancer/"
    response = client.post(url, follow=True)
    assert "Tâche relancée" in response.content.decode()
    run_jobs()
    assert RAN == [("Mme Martin", "sms"), ("Mme Martin", "sms")]  # same arguments
    second = client.post(url, follow=True)
    assert "déjà été relancée" in second.content.decode()
    run_jobs()
    assert len(RAN) == 2  # the second click queued nothing
    # The job failed again: it is listed once more, as a new failure, for its CPTS.
    assert Failure.objects.get().group == f"cpts:{home_cpts.pk}"


def test_another_cptss_jobs_and_platform_jobs_are_invisible(
    through_worker, run_jobs, client_for, coordinator, other_cpts
):
    jobs.enqueue(FUNC, "ailleurs", cpts=other_cpts)
    jobs.enqueue(FUNC, "plateforme")
    run_jobs()
    assert Failure.objects.count() == 2
    client = client_for(coordinator)
    body = client.get(f"/c/{HOME}/taches/").content.decode()
    assert "Aucune tâche en échec" in body
    for failure in Failure.objects.all():
        response = client.post(f"/c/{HOME}/taches/{failure.id}/relancer/", follow=True)
        assert "déjà été relancée" in response.content.decode()
    run_jobs()
    assert len(RAN) == 2 and Failure.objects.count() == 2


def test_the_pending_count_is_the_cptss_own(client_for, coordinator, home_cpts, other_cpts):
    for group in (f"cpts:{home_cpts.pk}", f"cpts:{home_cpts.pk}:import", f"cpts:{other_cpts.pk}",
                  None):  # fmt: skip
        async_task(FUNC, "x", q_options={"group": group, "sync": False})
    assert OrmQ.objects.count() == 4
    body = client_for(coordinator).get(f"/c/{HOME}/taches/").content.decode()
    assert "<strong>2</strong> tâches de la CPTS en attente" in body


@pytest.mark.parametrize("who", ["outsider", "gp", "regulator", "board_member"])
def test_others_get_404(who, request, client_for, through_worker, run_jobs, home_cpts):
    jobs.enqueue(FUNC, "Mme Martin", cpts=home_cpts)
    run_jobs()
    failure = Failure.objects.get()
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/c/{HOME}/taches/").status_code == 404
    assert client.post(f"/c/{HOME}/taches/{failure.id}/relancer/").status_code == 404
    assert Failure.objects.filter(pk=failure.pk).exists()


def test_the_members_page_links_to_the_jobs_page(client_for, coordinator):
    body = client_for(coordinator).get(f"/c/{HOME}/membres/").content.decode()
    assert f'href="/c/{HOME}/taches/"' in body


def test_enqueue_keeps_its_plain_form_and_refuses_reserved_keywords(run_jobs):
    jobs.enqueue("maillage.core.jobs.heartbeat")
    assert run_jobs() == 1
    with pytest.raises(TypeError):
        jobs.enqueue(FUNC, "x", timeout=3)


@pytest.mark.parametrize("result, expected", [
    ("Task exceeded maximum timeout value (600 seconds) : Traceback...", "Trop longue"),
    ("boom : Traceback (most recent call last):\nValidationError: ['x']", "Données refusées"),
    ("boom : Traceback (most recent call last):\nKeyError: 'x'", "Erreur inattendue"),
    ("boom : Traceback\nsmtplib.SMTPServerDisconnected: gone", "Service extérieur injoignable"),
])  # fmt: skip
def test_error_summaries_are_french(result, expected):
    assert jobs.error_summary(result).startswith(expected)
