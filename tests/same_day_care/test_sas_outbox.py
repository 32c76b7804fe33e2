"""Appointment notifications to the SAS (INT_R03): queued with the change, sent until
acknowledged, never lost, in order."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment

from maillage.directory.models import GP_SPECIALTIES, DirectoryEntry, Professional
from maillage.same_day_care import fhir, sas_outbox, services
from maillage.same_day_care.models import SasOutboxMessage, Slot
from maillage.same_day_care.sas_outbox import (
    ConsoleTransport,
    FailingTransport,
    MemoryTransport,
)

pytestmark = pytest.mark.django_db

IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"


@pytest.fixture(autouse=True)
def _memory_transport(settings):
    settings.SAS_OUTBOX_TRANSPORT = "maillage.same_day_care.sas_outbox.MemoryTransport"
    MemoryTransport.sent.clear()


def link(cpts, user, *, exclude=()):
    """The account's professional in the CPTS's directory: the one already linked (the
    demo links its GP), else a GP of the RPPS practising in Bourgoin-Jallieu."""
    entry = DirectoryEntry.objects.filter(cpts=cpts, account=user).first()
    if entry is not None:
        return entry.professional
    linked = DirectoryEntry.objects.filter(cpts=cpts, account__isnull=False)
    professional = (
        Professional.objects.filter(
            profession_code="10",
            specialty_code__in=GP_SPECIALTIES,
            sites__commune_code="38053",
            national_id__startswith="8",
            owner__isnull=True,
        )
        .exclude(pk__in=exclude)
        .exclude(Exists(linked.filter(professional=OuterRef("pk"))))
        .order_by("national_id")
        .first()
    )
    DirectoryEntry.objects.update_or_create(
        cpts=cpts, professional=professional, defaults={"account": user}
    )
    return professional


@pytest.fixture
def linked_gp(home_cpts, gp):
    Slot.objects.filter(professional=gp, status=Slot.Status.FREE).update(
        status=Slot.Status.WITHDRAWN
    )
    return link(home_cpts, gp)


@pytest.fixture
def booked(publish, snp_request, regulator, linked_gp):
    """An appointment a regulator booked, and its queued POST (whether services.book
    queues it already or not: enqueueing is idempotent)."""
    slot = publish(hours_from_now=2)[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=regulator)
    sas_outbox.enqueue_booking(appointment)
    return appointment


def messages(appointment):
    return list(appointment.sas_messages.order_by("pk"))


def test_a_booking_by_a_regulator_queues_a_fr_appointment_sas(booked, linked_gp):
    (message,) = messages(booked)
    assert message.kind == SasOutboxMessage.Kind.CREATE
    assert message.cpts_id == booked.cpts_id
    assert message.acknowledged_at is None and message.attempts == 0
    payload = message.payload
    FhirAppointment.model_validate(payload)
    assert payload["resourceType"] == "Appointment"
    assert payload["meta"]["profile"] == [fhir.PROFILES["appointment"]]
    (identifier,) = payload["identifier"]
    assert identifier["value"] == str(booked.public_id)
    assert identifier["system"].startswith("http")
    assert payload["status"] == "booked"
    assert payload["start"] == fhir.fhir_instant(booked.slot.start)
    assert payload["end"] == fhir.fhir_instant(booked.slot.end)
    assert payload["created"] == fhir.fhir_instant(booked.booked_at)
    (operator,) = payload["extension"]
    assert operator["url"] == (
        "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator"
    )
    # The regulator has no national id in the directory: our account id, type INTRN.
    operator_id = operator["valueReference"]["identifier"]
    assert operator_id["type"]["coding"] == [{"system": FR_V2_0203, "code": "INTRN"}]
    assert operator_id["value"] == str(booked.booked_by.public_id)
    (participant,) = payload["participant"]
    assert participant["status"] == "accepted"
    actor = participant["actor"]["identifier"]
    assert actor["type"]["coding"] == [{"system": FR_V2_0203, "code": "IDNPS"}]
    assert actor["system"] == IDNPS
    assert actor["value"] == linked_gp.national_id
    # Idempotent: the services may call it too.
    assert sas_outbox.enqueue_booking(booked) == message
    assert len(messages(booked)) == 1


def test_a_regulator_with_a_national_id_is_the_idnps_operator(
    publish, snp_request, regulator, home_cpts, linked_gp
):
    doctor = link(home_cpts, regulator, exclude=[linked_gp.pk])
    slot = publish(hours_from_now=2)[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=regulator)
    message = sas_outbox.enqueue_booking(appointment)
    operator_id = message.payload["extension"][0]["valueReference"]["identifier"]
    assert operator_id["type"]["coding"] == [{"system": FR_V2_0203, "code": "IDNPS"}]
    assert operator_id["system"] == IDNPS
    assert operator_id["value"] == doctor.national_id


def test_a_booking_by_someone_else_than_a_regulator_is_not_for_the_sas(
    publish, snp_request, coordinator, linked_gp
):
    slot = publish(hours_from_now=2)[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=coordinator)
    assert sas_outbox.enqueue_booking(appointment) is None
    assert messages(appointment) == []


def test_a_professional_unknown_to_the_directory_is_not_for_the_sas(
    publish, snp_request, regulator, gp, linked_gp
):
    DirectoryEntry.objects.filter(account=gp).update(account=None)
    slot = publish(hours_from_now=2)[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=regulator)
    assert sas_outbox.enqueue_booking(appointment) is None
    assert messages(appointment) == []


def test_the_console_transport_prints_and_acknowledges(booked, capsys):
    stats = sas_outbox.process_due(transport=ConsoleTransport())
    assert stats == {"sent": 1, "failed": 0, "pending": 0}
    out = capsys.readouterr().out
    assert "[SAS] POST Appointment" in out
    assert str(booked.public_id) in out
    (message,) = messages(booked)  # kept, as the record of what the SAS was told
    assert message.acknowledged_at is not None
    assert message.attempts == 1
    assert message.last_error == ""
    assert sas_outbox.process_due(transport=ConsoleTransport())["sent"] == 0


def test_a_failing_sas_is_retried_later_with_a_growing_delay(booked):
    now = timezone.now()
    delays = []
    for attempt in range(1, 5):
        (message,) = messages(booked)
        due = max(now, message.next_attempt_at)
        # Not due yet: nothing happens.
        early = sas_outbox.process_due(transport=FailingTransport(),
                                       now=due - datetime.timedelta(seconds=1))  # fmt: skip
        assert early["failed"] == 0
        stats = sas_outbox.process_due(transport=FailingTransport(), now=due)
        assert stats == {"sent": 0, "failed": 1, "pending": 1}
        (message,) = messages(booked)
        assert message.attempts == attempt
        assert "SAS injoignable" in message.last_error
        assert message.acknowledged_at is None
        delays.append(message.next_attempt_at - due)
        now = due
    assert delays == [datetime.timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert sas_outbox.retry_delay(1000) == datetime.timedelta(hours=1)
    # The SAS is back: the same message goes out, nothing was lost.
    stats = sas_outbox.process_due(transport=MemoryTransport(), now=message.next_attempt_at)
    assert stats == {"sent": 1, "failed": 0, "pending": 0}
    (message,) = messages(booked)
    assert message.acknowledged_at is not None
    assert message.attempts == 5
    assert message.last_error == ""
    assert [r.method for r in MemoryTransport.sent] == ["POST"]


@pytest.mark.parametrize(
    ("outcome", "fhir_status"),
    [
        ("fulfilled", "fulfilled"),
        ("noshow", "noshow"),
        ("cancelled", "cancelled"),
        ("redirected", "cancelled"),  # sent to the emergency department
    ],
)
def test_an_outcome_queues_an_update(booked, regulator, outcome, fhir_status):
    # An appointment is honoured once it has started.
    Slot.objects.filter(pk=booked.slot_id).update(start=timezone.now())
    appointment = services.set_status(appointment=booked, status=outcome, actor=regulator)
    sas_outbox.enqueue_status_change(appointment)
    assert sas_outbox.enqueue_status_change(appointment) is None  # already queued
    create, update = messages(booked)
    assert update.kind == SasOutboxMessage.Kind.UPDATE
    FhirAppointment.model_validate(update.payload)
    assert create.payload["status"] == "booked"
    assert update.payload["status"] == fhir_status
    for key in ("identifier", "start", "end", "created", "extension", "participant"):
        assert update.payload[key] == create.payload[key]
    assert update.payload["participant"][0]["status"] == "accepted"
    request = sas_outbox.request_for(update)
    identifier = create.payload["identifier"][0]
    assert request.method == "PUT"
    assert request.url.startswith("Appointment?identifier=")
    assert request.url.endswith(f"%7C{identifier['value']}")


def test_an_update_never_overtakes_its_create(booked, regulator):
    now = timezone.now()
    sas_outbox.process_due(transport=FailingTransport(), now=now)  # the POST fails
    appointment = services.set_status(appointment=booked, status="noshow", actor=regulator)
    sas_outbox.enqueue_status_change(appointment)
    # The PUT is due at once, but waits for the POST.
    stats = sas_outbox.process_due(transport=MemoryTransport(),
                                   now=now + datetime.timedelta(seconds=5))  # fmt: skip
    assert stats["sent"] == 0
    assert MemoryTransport.sent == []
    stats = sas_outbox.process_due(transport=MemoryTransport(),
                                   now=now + datetime.timedelta(seconds=31))  # fmt: skip
    assert stats == {"sent": 2, "failed": 0, "pending": 0}
    assert [(r.method, r.body["status"]) for r in MemoryTransport.sent] == [
        ("POST", "booked"), ("PUT", "noshow"),
    ]  # fmt: skip


def test_an_appointment_the_sas_never_heard_of_gets_no_update(
    publish, snp_request, coordinator, linked_gp
):
    slot = publish(hours_from_now=2)[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=coordinator)
    appointment = services.set_status(appointment=appointment, status="noshow", actor=coordinator)
    assert sas_outbox.enqueue_status_change(appointment) is None
    assert messages(appointment) == []


def test_two_workers_never_send_the_same_message_twice(booked):
    (stale,) = messages(booked)  # what a second worker read before the first one sent
    assert sas_outbox.process_due(transport=MemoryTransport())["sent"] == 1
    assert sas_outbox._send_one(stale, MemoryTransport(), timezone.now()) is None
    assert len(MemoryTransport.sent) == 1


def test_the_command_sends_what_is_due(booked):
    out = io.StringIO()
    call_command("sas_outbox", "--once", stdout=out)
    assert "1 envoyé(s), 0 en échec" in out.getvalue()
    assert messages(booked)[0].acknowledged_at is not None
    assert [r.method for r in MemoryTransport.sent] == ["POST"]
