"""Publishing slots, ranking, booking under a lock, outcomes; who sees what."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.notifications.sms import MemorySms
from maillage.same_day_care import services
from maillage.same_day_care.models import Appointment, Slot
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def test_publishing_refuses_past_overlapping_and_unknown(publish, home_cpts, gp):
    publish(hours_from_now=3, count=3)
    with pytest.raises(ValidationError) as excinfo:
        publish(hours_from_now=3.25)  # inside the second slot
    assert "chevauche votre créneau" in excinfo.value.message_dict["start"][0]
    with pytest.raises(ValidationError) as excinfo:
        publish(hours_from_now=-1)
    assert "dans le passé" in excinfo.value.message_dict["start"][0]
    with pytest.raises(ValidationError) as excinfo:
        publish(hours_from_now=8, profession="77")
    assert "Code profession inconnu" in excinfo.value.message_dict["profession_code"][0]
    start = timezone.now() + datetime.timedelta(hours=9)
    with pytest.raises(ValidationError) as excinfo:
        services.publish_slots(
            cpts=home_cpts,
            professional=gp,
            actor=gp,
            times=[(start, start - datetime.timedelta(minutes=5))],
            profession_code="10",
            commune=Commune.objects.get(code="38053"),
        )
    assert "la fin précède le début" in excinfo.value.message_dict["start"][0]
    assert Slot.objects.filter(professional=gp).count() == 3


def test_recurring_publication_builds_weekly_series():
    times = services.slot_times(
        day=datetime.date(2030, 1, 7),
        start=datetime.time(18, 0),
        duration_minutes=15,
        count=4,
        weeks=3,
    )
    assert len(times) == 12
    assert times[4][0] - times[0][0] == datetime.timedelta(weeks=1)
    assert times[1][0] - times[0][0] == datetime.timedelta(minutes=15)
    with pytest.raises(ValidationError):
        services.slot_times(
            day=datetime.date(2030, 1, 7),
            start=datetime.time(18, 0),
            duration_minutes=15,
            count=48,
            weeks=52,
        )


def test_suggestions_rank_earliest_and_closest(publish, snp_request, nurse):
    near_late = publish(hours_from_now=3, commune="38193")[0]  # patient's commune
    far_early = publish(hours_from_now=2.9, commune="38553", who=nurse, profession="10")[0]
    publish(hours_from_now=2, profession="60", who=nurse)  # wrong profession
    publish(hours_from_now=1, mode="tele")  # wrong mode
    ranked = services.suggestions(snp_request(), role="regulator")
    assert [s.slot for s in ranked] == [near_late, far_early]
    assert ranked[0].distance_km == 0.0 and ranked[1].distance_km > 3


def test_partner_does_not_get_sas_slots(publish, snp_request):
    publish(hours_from_now=2, kind="sas")
    request = snp_request()
    assert services.suggestions(request, role="regulator")
    assert services.suggestions(request, role="partner") == []


def test_booking_then_double_booking_is_refused(publish, snp_request, regulator, run_jobs):
    slot = publish()[0]
    first = snp_request()
    appointment = services.book(slot=slot, snp_request=first, actor=regulator)
    assert appointment.status == "booked"
    assert MemorySms.outbox == []  # nothing sent from the request: a worker sends it
    run_jobs()
    assert MemorySms.outbox and MemorySms.outbox[0][0] == "+33611223344"
    with pytest.raises(services.SlotTaken):
        services.book(slot=slot, snp_request=snp_request(last_name="Autre"), actor=regulator)
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_database_forbids_two_live_appointments_even_without_the_service(
    publish, snp_request, regulator
):
    from django.db import IntegrityError, transaction

    slot = publish()[0]
    Appointment.objects.create(
        cpts=slot.cpts, slot=slot, request=snp_request(), booked_by=regulator
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            cpts=slot.cpts, slot=slot, request=snp_request(), booked_by=regulator
        )


def test_past_slot_cannot_be_booked(publish, snp_request, regulator):
    slot = publish()[0]
    Slot.objects.filter(pk=slot.pk).update(
        start=timezone.now() - datetime.timedelta(hours=1), end=timezone.now()
    )
    with pytest.raises(services.SlotTaken, match="passé"):
        services.book(slot=slot, snp_request=snp_request(), actor=regulator)


def test_cancelling_frees_the_slot_and_outcomes_are_final(publish, snp_request, regulator, gp):
    slot = publish()[0]
    appointment = services.book(slot=slot, snp_request=snp_request(), actor=regulator)
    services.set_status(appointment=appointment, status="cancelled", actor=gp)
    slot.refresh_from_db()
    assert slot.status == "free"
    again = services.book(slot=slot, snp_request=snp_request(last_name="B"), actor=regulator)
    services.set_status(appointment=again, status="noshow", actor=gp)
    with pytest.raises(ValidationError):
        services.set_status(appointment=again, status="cancelled", actor=gp)


def test_redirected_to_emergency(publish, snp_request, regulator, gp):
    appointment = services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)
    done = services.set_status(appointment=appointment, status="redirected", actor=gp)
    assert done.status == "cancelled" and done.redirected_to_emergency
    done.request.refresh_from_db()
    assert done.request.status == "redirected"


def test_regulator_journey_pages(client_for, regulator, gp, publish):
    slot = publish()[0]
    client = client_for(regulator)
    response = client.post(
        reverse("same_day_care:request_new", args=[HOME]),
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": "1990-04-02",
            "phone": "06 11 22 33 44",
            "commune": "38193",
            "reason": "fever",
            "profession_code": "10",
            "mode": "practice",
            "urgency": "24h",
        },
    )
    page = client.get(response["Location"])
    assert "Réserver" in text(page)
    booked = client.post(response["Location"], {"slot": slot.public_id}, follow=True)
    assert "Rendez-vous réservé" in text(booked)
    gp_page = text(client_for(gp).get(reverse("same_day_care:appointments", args=[HOME])))
    assert "DURAND Léa" in gp_page


def test_bad_request_input_is_explained(client_for, regulator):
    response = client_for(regulator).post(
        reverse("same_day_care:request_new", args=[HOME]),
        {
            "last_name": "X",
            "first_name": "Y",
            "birth_date": "2999-01-01",
            "phone": "12",
            "commune": "38999",
            "reason": "fever",
            "profession_code": "10",
            "mode": "practice",
            "urgency": "24h",
        },
    )
    body = text(response)
    assert response.status_code == 400
    assert "futur" in body and "Aucune commune avec le code 38999" in body


def test_who_sees_a_request(
    snp_request, client_for, regulator, nurse, coordinator, outsider, board_member, publish, gp
):
    request = snp_request()
    url = reverse("same_day_care:request", args=[HOME, request.public_id])
    assert client_for(regulator).get(url).status_code == 200
    assert client_for(coordinator).get(url).status_code == 200
    for user in (nurse, outsider, board_member, gp):
        assert client_for(user).get(url).status_code == 404
    services.book(slot=publish()[0], snp_request=request, actor=regulator)
    assert client_for(gp).get(url).status_code == 200  # the booked professional
    assert AuditEvent.objects.filter(
        action="snp.request_read", object_id=request.public_id, actor=gp
    ).exists()


def test_api_book_409_with_next_suggestions(client, publish, snp_request, regulator):
    first, second = publish(count=2)
    request = snp_request()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=regulator)}"}
    url = f"/api/v1/same-day/slots/{first.public_id}/book"
    ok = client.post(
        url, {"request": str(request.public_id)}, content_type="application/json", **auth
    )
    assert ok.status_code == 201 and ok.json()["status"] == "booked"
    other = snp_request(last_name="Autre")
    taken = client.post(
        url, {"request": str(other.public_id)}, content_type="application/json", **auth
    )
    assert taken.status_code == 409
    assert "vient d'être pris" in taken.json()["detail"]
    assert taken.json()["suggestions"][0]["slot"]["id"] == str(second.public_id)
    listed = client.get("/api/v1/same-day/slots?profession_code=10", **auth).json()
    assert str(second.public_id) in [s["id"] for s in listed]
    unknown = client.get("/api/v1/same-day/slots?profession_code=77", **auth)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "profession_code"
    status = client.post(
        f"/api/v1/same-day/appointments/{ok.json()['id']}/status",
        {"status": "noshow"},
        content_type="application/json",
        **auth,
    )
    assert status.json()["status"] == "noshow"


def test_api_request_creation_errors_name_the_field(client, regulator):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=regulator)}"}
    body = {
        "last_name": "A",
        "first_name": "B",
        "birth_date": "1990-01-01",
        "phone": "0611223344",
        "commune": "38999",
    }
    response = client.post(
        "/api/v1/same-day/requests", body, content_type="application/json", **auth
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "commune"
    response = client.post(
        "/api/v1/same-day/requests",
        {**body, "commune": "38053", "profession_code": "77"},
        content_type="application/json",
        **auth,
    )
    assert response.json()["errors"][0]["field"] == "profession_code"


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_bookings_never_double_book():
    """Many clients race for the same slots; the lock and the constraint let exactly one
    win each slot, on SQLite and on PostgreSQL."""
    from tests.conftest import load_reference_data

    load_reference_data()
    from maillage.core.models import Cpts, User

    cpts = Cpts.objects.get(slug=HOME)
    regulator = User.objects.get(email="regulation@pays-berjalliens.maillage.test")
    gp_user = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
    start = timezone.now() + datetime.timedelta(hours=5)
    slots = services.publish_slots(
        cpts=cpts,
        professional=gp_user,
        actor=gp_user,
        profession_code="10",
        commune=Commune.objects.get(code="38053"),
        times=[
            (
                start + datetime.timedelta(minutes=15 * i),
                start + datetime.timedelta(minutes=15 * (i + 1)),
            )
            for i in range(4)
        ],
    )
    requests = [
        services.request_create(
            cpts=cpts,
            actor=regulator,
            origin="regulator",
            data={
                "last_name": f"Patient{i}",
                "first_name": "X",
                "birth_date": datetime.date(1980, 1, 1),
                "phone": "0611223344",
                "commune": Commune.objects.get(code="38053"),
                "reason": "fever",
                "profession_code": "10",
                "mode": "practice",
                "urgency": "24h",
                "home_visit": False,
            },
        )
        for i in range(16)
    ]
    wins, losses, errors = [], [], []

    def client(index):
        try:
            slot = slots[index % len(slots)]
            wins.append(services.book(slot=slot, snp_request=requests[index], actor=regulator).pk)
        except services.SlotTaken as exc:
            losses.append(str(exc))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(wins) == len(slots), losses
    assert len(wins) == len(slots) and len(losses) == 16 - len(slots)
    for slot in slots:
        assert Appointment.objects.filter(slot=slot).exclude(status="cancelled").count() == 1
