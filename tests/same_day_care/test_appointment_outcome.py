"""The outcome of a same-day appointment: "Honoré" only once it has started, a cancel
button that says what it cancels, and a slip undone the same day ("Annuler cette
saisie"), audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.same_day_care import services
from maillage.same_day_care.models import Appointment, SameDayRequest, Slot
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def url(name, *args):
    return reverse(f"same_day_care:{name}", args=[HOME, *args])


@pytest.fixture
def booked(publish, snp_request, regulator):
    return services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)


def _start_now(appointment):
    Slot.objects.filter(pk=appointment.slot_id).update(
        start=timezone.now() - datetime.timedelta(minutes=5),
        end=timezone.now() + datetime.timedelta(minutes=15),
    )


def test_an_appointment_not_yet_started_cannot_be_marked_honoured(client_for, gp, booked):
    response = client_for(gp).post(url("outcome", booked.public_id), {"status": "fulfilled"})
    assert response.status_code == 409
    assert "n'a pas encore commencé" in text(response)
    assert Appointment.objects.get(pk=booked.pk).status == "booked"
    with pytest.raises(ValidationError, match="pas encore commencé"):
        services.set_status(appointment=booked, status="fulfilled", actor=gp)


def test_the_page_offers_honoured_only_once_started_and_names_the_cancel(
    client_for, gp, booked
):
    page = client_for(gp).get(url("appointments")).content.decode()
    assert 'value="fulfilled"' not in page
    assert "Annuler le rendez-vous" in page
    assert ">Annuler<" not in page
    assert "à partir de l'heure du rendez-vous" in page
    _start_now(booked)
    assert 'value="fulfilled"' in client_for(gp).get(url("appointments")).content.decode()


def test_an_outcome_recorded_by_mistake_is_undone_the_same_day_and_audited(
    client_for, gp, booked
):
    _start_now(booked)
    client = client_for(gp)
    assert client.post(url("outcome", booked.public_id), {"status": "fulfilled"}).status_code == 302
    page = client.get(url("appointments")).content.decode()
    assert "Annuler cette saisie" in page
    response = client.post(url("outcome_undo", booked.public_id))
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == "booked"
    assert AuditEvent.objects.filter(action="snp.appointment_status_undo", actor=gp,
                                     detail__undone="fulfilled").exists()  # fmt: skip


def test_a_cancellation_undone_takes_the_slot_back_while_it_is_free(
    client_for, regulator, booked
):
    services.set_status(appointment=booked, status="cancelled", actor=regulator)
    assert Slot.objects.get(pk=booked.slot_id).status == "free"
    services.undo_status(appointment=booked, actor=regulator)
    assert Slot.objects.get(pk=booked.slot_id).status == "booked"
    assert SameDayRequest.objects.get(pk=booked.request_id).status == "booked"
    assert Appointment.objects.get(pk=booked.pk).status == "booked"


def test_a_cancellation_is_not_undone_once_the_slot_is_someone_elses(
    client_for, regulator, booked, snp_request
):
    services.set_status(appointment=booked, status="cancelled", actor=regulator)
    services.book(slot=booked.slot, snp_request=snp_request(last_name="Autre"), actor=regulator)
    response = client_for(regulator).post(url("outcome_undo", booked.public_id))
    assert response.status_code == 409
    assert "réservez à nouveau" in text(response)
    assert Appointment.objects.get(pk=booked.pk).status == "cancelled"


def test_an_outcome_of_another_day_cannot_be_undone(client_for, gp, booked):
    services.set_status(appointment=booked, status="noshow", actor=gp)
    Appointment.objects.filter(pk=booked.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=1, hours=1))
    client = client_for(gp)
    assert "Annuler cette saisie" not in client.get(url("appointments")).content.decode()
    response = client.post(url("outcome_undo", booked.public_id))
    assert response.status_code == 409
    assert Appointment.objects.get(pk=booked.pk).status == "noshow"


def test_undoing_a_booked_appointment_changes_nothing(client_for, gp, booked):
    response = client_for(gp).post(url("outcome_undo", booked.public_id))
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="snp.appointment_status_undo").exists()


def test_an_outsider_cannot_undo(client_for, outsider, booked, gp):
    services.set_status(appointment=booked, status="noshow", actor=gp)
    response = client_for(outsider).post(url("outcome_undo", booked.public_id))
    assert response.status_code == 404
    assert Appointment.objects.get(pk=booked.pk).status == "noshow"
