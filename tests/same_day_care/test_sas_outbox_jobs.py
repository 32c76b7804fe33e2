"""The SAS outbox on the job queue: a booking's message is sent by a job once the booking
commits, never inside it; the worker's pass every minute retries the failures; the
command is one pass."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from maillage.core import jobs
from maillage.same_day_care import services
from maillage.same_day_care.models import SasOutboxMessage
from maillage.same_day_care.sas_outbox import MemoryTransport
from tests.same_day_care.test_sas_outbox import link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memory_transport(settings):
    settings.SAS_OUTBOX_TRANSPORT = "maillage.same_day_care.sas_outbox.MemoryTransport"
    MemoryTransport.sent.clear()


@pytest.fixture
def book_as_regulator(publish, snp_request, regulator, home_cpts, gp):
    link(home_cpts, gp)

    def book():
        slot = publish(hours_from_now=2)[0]
        return services.book(slot=slot, snp_request=snp_request(), actor=regulator)

    return book


def test_a_regulators_booking_is_sent_to_the_sas_after_it_commits(book_as_regulator, run_jobs):
    appointment = book_as_regulator()
    message = appointment.sas_messages.get()
    assert MemoryTransport.sent == []  # nothing sent from inside the request
    run_jobs()
    message.refresh_from_db()
    assert message.acknowledged_at is not None
    assert [r.method for r in MemoryTransport.sent] == ["POST"]


def test_a_booking_rolled_back_sends_nothing(book_as_regulator, run_jobs):
    with pytest.raises(RuntimeError), transaction.atomic():
        book_as_regulator()
        raise RuntimeError
    run_jobs()
    assert MemoryTransport.sent == []
    assert not SasOutboxMessage.objects.exists()


def test_a_failed_sending_stays_due_for_the_periodic_pass(book_as_regulator, run_jobs, settings):
    settings.SAS_OUTBOX_TRANSPORT = "maillage.same_day_care.sas_outbox.FailingTransport"
    message = book_as_regulator().sas_messages.get()
    run_jobs()
    message.refresh_from_db()
    assert message.acknowledged_at is None and message.attempts == 1
    periodic = jobs.PERIODIC["maillage:sas-outbox"]
    assert periodic.minutes == 1
    assert periodic.func == "maillage.same_day_care.sas_outbox.process_due"


def test_the_command_is_one_pass_and_returns(book_as_regulator):
    book_as_regulator()
    out = io.StringIO()
    call_command("sas_outbox", stdout=out)  # no --once: it still returns
    assert "1 envoyé(s), 0 en échec" in out.getvalue()
    assert len(MemoryTransport.sent) == 1
