"""An agenda's import (.ics) is read at upload (its format refused at once) and its slots
published by a background job: the page follows the job, a refusal publishes nothing,
and a job run again never publishes twice."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.same_day_care import ics, services
from maillage.same_day_care.models import IcsImport, Slot
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _agenda(*starts) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//FR"]
    for start in starts:
        end = start + datetime.timedelta(minutes=20)
        lines += ["BEGIN:VEVENT", f"UID:{start:%Y%m%d%H%M}@test",
                  f"DTSTART:{start:%Y%m%dT%H%M%S}Z", f"DTEND:{end:%Y%m%dT%H%M%S}Z",
                  "SUMMARY:SNP", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode()


def _start():
    return (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)


def _post(client, raw):
    return client.post(reverse("same_day_care:ics_import", args=[HOME]), {
        "file": SimpleUploadedFile("agenda.ics", raw, content_type="text/calendar"),
        "profession_code": "10", "kind": "cpts", "mode": "practice", "commune": "38053",
    })  # fmt: skip


def test_the_page_follows_the_job_until_the_slots_are_published(client_for, gp, run_jobs):
    start = _start().astimezone(datetime.UTC)
    client = client_for(gp)
    response = _post(client, _agenda(start, start + datetime.timedelta(hours=1)))
    assert response.status_code == 302
    progress = response["Location"]
    run = IcsImport.objects.get()
    assert run.state == "queued" and run.total == 2 and run.content.startswith("BEGIN")
    assert not Slot.objects.filter(professional=gp, start=start).exists()
    queued = client.get(progress, **HTMX)
    assert 'hx-trigger="every 2s"' in queued.content.decode() and "en attente" in text(queued)
    run_jobs()
    done = client.get(progress, **HTMX)
    assert "hx-trigger" not in done.content.decode()
    assert "terminé" in text(done) and "2 créneau(x) importé(s)." in text(done)
    assert Slot.objects.filter(professional=gp, start=start).count() == 1
    run.refresh_from_db()
    assert run.state == "done" and run.content == "" and run.finished_at


def test_a_refusal_by_the_job_publishes_nothing_and_is_shown(client_for, gp, run_jobs,
                                                             home_cpts):  # fmt: skip
    start = _start()
    client = client_for(gp)
    progress = _post(client, _agenda(start.astimezone(datetime.UTC),
                                     start.astimezone(datetime.UTC)
                                     + datetime.timedelta(hours=2)))["Location"]  # fmt: skip
    # Between the upload and the job, the GP published a slot at the same time.
    services.publish_slots(cpts=home_cpts, professional=gp, actor=gp, profession_code="10",
                           commune=Commune.objects.get(code="38053"),
                           times=[(start, start + datetime.timedelta(minutes=10))])  # fmt: skip
    before = Slot.objects.filter(professional=gp).count()
    run_jobs()
    assert Slot.objects.filter(professional=gp).count() == before  # not even the other one
    body = text(client.get(progress))
    assert "échoué" in body and "aucun créneau n'a été publié" in body
    assert IcsImport.objects.get().errors


def test_a_job_run_again_does_not_publish_twice(client_for, gp, run_jobs):
    start = _start().astimezone(datetime.UTC)
    _post(client_for(gp), _agenda(start))
    run = IcsImport.objects.get()
    IcsImport.objects.filter(pk=run.pk).update(state="running")  # a worker died here
    run_jobs()
    ics.run_import(run.pk)  # handed back although it had in fact finished
    assert Slot.objects.filter(professional=gp, start=start).count() == 1
    assert IcsImport.objects.get().state == "done"


def test_a_file_without_slot_is_refused_at_once_and_queues_nothing(client_for, gp):
    response = _post(client_for(gp), _agenda())
    assert response.status_code == 400 and "Aucun créneau à importer" in text(response)
    assert not IcsImport.objects.exists()


def test_the_progress_is_only_for_its_author(client_for, gp, coordinator, outsider):
    progress = _post(client_for(gp), _agenda(_start().astimezone(datetime.UTC)))["Location"]
    assert client_for(gp).get(progress).status_code == 200
    assert client_for(outsider).get(progress).status_code == 404
    assert client_for(outsider).get(progress, **HTMX).status_code == 404
    assert client_for(coordinator).get(progress).status_code in (403, 404)
