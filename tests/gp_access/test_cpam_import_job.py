"""A CPAM import runs as a background job: the page follows its progress (an htmx
fragment polling itself until the job has finished), a failure leaves nothing written,
and a job run again (a retry after a crash, a second click) never imports twice."""

import pytest
from django.urls import reverse

from maillage.gp_access import cpam_import
from maillage.gp_access.cpam_import import guess_mapping, read_csv
from maillage.gp_access.models import CpamImport, CsvUpload, GpRequest
from maillage.patients.models import Patient
from tests.gp_access.test_cpam_import import GOOD, HOME, upload
from tests.utils import text

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _mapping(content=GOOD):
    guessed = guess_mapping(read_csv(content.encode()).header)
    return {f"col_{k}": "" if v is None else str(v) for k, v in guessed.items()}


def _start(client, content=GOOD):
    mapping_url = upload(client, content)["Location"]
    response = client.post(mapping_url, {**_mapping(content), "action": "import"})
    assert response.status_code == 302
    return response["Location"]


def test_the_progress_fragment_polls_until_the_job_has_finished(client_for, coordinator,
                                                                 run_jobs):  # fmt: skip
    client = client_for(coordinator)
    progress = _start(client)
    run = CpamImport.objects.get()
    assert run.state == "queued" and run.total == 2 and run.created_by == coordinator
    fragment = client.get(progress, **HTMX)
    body = fragment.content.decode()
    assert 'hx-trigger="every 2s"' in body and f'hx-get="{progress}"' in body
    assert "<html" not in body and "en attente" in text(fragment)
    CpamImport.objects.filter(pk=run.pk).update(state="running", processed=1)
    running = client.get(progress, **HTMX)
    assert "Lignes vérifiées : 1 sur 2" in text(running)
    assert 'hx-trigger="every 2s"' in running.content.decode()
    CpamImport.objects.filter(pk=run.pk).update(state="queued", processed=0)
    assert run_jobs() >= 1
    done = client.get(progress, **HTMX)
    assert "hx-trigger" not in done.content.decode()  # polling stops
    assert "terminé" in text(done)
    assert "2 ligne(s) importée(s) : 2 demande(s) créée(s)" in text(done)
    run.refresh_from_db()
    assert run.state == "done" and run.processed == run.total == 2
    assert run.started_at and run.finished_at and run.upload is None
    assert not CsvUpload.objects.exists()  # patient data not kept once imported
    page = client.get(progress)
    assert page.status_code == 200 and "<html" in page.content.decode()


def test_a_failure_midway_leaves_nothing_written_and_says_so(client_for, coordinator,
                                                             run_jobs, monkeypatch):  # fmt: skip
    client = client_for(coordinator)
    progress = _start(client)
    patients_before = Patient.objects.count()
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # after the first line was written
            raise RuntimeError("disk full")
        return real(**kwargs)

    real = cpam_import.request_create
    monkeypatch.setattr(cpam_import, "request_create", broken)
    try:
        run_jobs()
    except RuntimeError:
        pass  # whether the sync cluster re-raises or records the failure
    assert len(calls) == 2
    assert Patient.objects.count() == patients_before
    assert not GpRequest.objects.filter(origin="cpam").exists()
    run = CpamImport.objects.get()
    assert run.state == "failed"
    body = text(client.get(progress))
    assert "échoué" in body and "rien n'a été enregistré" in body
    assert "Revenir aux colonnes" in body  # the list is kept to try again
    assert CsvUpload.objects.filter(pk=run.upload_id).exists()


def test_a_line_refused_by_the_job_fails_the_whole_import_with_its_line(client_for, coordinator,
                                                                        run_jobs):  # fmt: skip
    client = client_for(coordinator)
    progress = _start(client)
    # The list changed between the preview and the job (a line now unreadable).
    CsvUpload.objects.update(content=(GOOD + "DURAND;Luc;31/02/1980;F;38053;non;non;\n").encode())
    run_jobs()
    body = text(client.get(progress, **HTMX))
    assert "Ligne 4" in body and "date de naissance illisible" in body
    assert not Patient.objects.filter(birth_name__in=["DUPONT", "MOREL"]).exists()


def test_a_job_run_again_does_not_import_twice(client_for, coordinator, run_jobs):
    client = client_for(coordinator)
    _start(client)
    run = CpamImport.objects.get()
    # The worker died after marking the import running, before its transaction committed:
    # the job handed back to another worker imports once.
    CpamImport.objects.filter(pk=run.pk).update(state="running")
    run_jobs()
    assert GpRequest.objects.filter(origin="cpam").count() == 2
    cpam_import.run_import(run.pk)  # a retry of a job that had in fact finished
    assert GpRequest.objects.filter(origin="cpam").count() == 2
    assert Patient.objects.filter(birth_name="DUPONT").count() == 1


def test_a_second_click_finds_the_import_already_queued(client_for, coordinator, run_jobs):
    client = client_for(coordinator)
    mapping_url = upload(client, GOOD)["Location"]
    first = client.post(mapping_url, {**_mapping(), "action": "import"})
    second = client.post(mapping_url, {**_mapping(), "action": "import"})
    assert first["Location"] == second["Location"]
    assert CpamImport.objects.count() == 1
    # While it runs, the mapping page leads to its progress.
    assert client.get(mapping_url)["Location"] == first["Location"]
    run_jobs()
    assert GpRequest.objects.filter(origin="cpam").count() == 2


def test_the_progress_is_only_for_the_coordination_of_its_cpts(client_for, coordinator,
                                                               outsider, gp):  # fmt: skip
    progress = _start(client_for(coordinator))
    assert client_for(outsider).get(progress).status_code == 404
    assert client_for(outsider).get(progress, **HTMX).status_code == 404
    assert client_for(gp).get(progress).status_code in (403, 404)


def test_the_home_card_shows_imports_finished_and_failed(client_for, coordinator, run_jobs):
    client = client_for(coordinator)
    _start(client)
    run_jobs()
    failed = _start(client, GOOD.replace("DUPONT", "LAMBERT").replace("MOREL", "ROUX"))
    CpamImport.objects.filter(state="queued").update(state="failed", errors=["Ligne 2 : x"])
    body = text(client.get(reverse("core:today", args=[HOME])))
    assert "terminé le" in body and "2 demandes créées" in body
    assert "échoué le" in body
    assert failed in client.get(reverse("core:today", args=[HOME])).content.decode()


def test_a_list_has_at_most_one_import_waiting_or_running(client_for, coordinator):
    from django.db import IntegrityError, transaction

    _start(client_for(coordinator))
    run = CpamImport.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CpamImport.objects.create(cpts=run.cpts, upload=run.upload, file_name="bis.csv")
    CpamImport.objects.filter(pk=run.pk).update(state="failed")
    CpamImport.objects.create(cpts=run.cpts, upload=run.upload, file_name="bis.csv")
