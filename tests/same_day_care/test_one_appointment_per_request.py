"""A same-day request holds at most one live appointment: booking it again is a 409 that
says to cancel or move it, moving is explicit and atomic, and a database constraint
holds even without the service; concurrent bookings of one request give exactly one."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.notifications.sms import MemorySms
from maillage.same_day_care import services
from maillage.same_day_care.models import Appointment, SameDayRequest, Slot
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def live(request):
    return Appointment.objects.filter(request=request).exclude(status="cancelled")


def test_booking_a_request_that_has_an_appointment_is_refused(publish, snp_request, regulator):
    first, second = publish(count=2)
    request = snp_request()
    services.book(slot=first, snp_request=request, actor=regulator)
    with pytest.raises(services.AlreadyBooked) as excinfo:
        services.book(slot=second, snp_request=request, actor=regulator)
    assert "Cette demande a déjà un rendez-vous le" in str(excinfo.value)
    assert "annulez-le ou déplacez-le" in str(excinfo.value)
    assert isinstance(excinfo.value, services.SlotTaken)  # callers catching SlotTaken: 409
    second.refresh_from_db()
    assert second.status == "free" and live(request).count() == 1


def test_moving_cancels_the_old_appointment_and_frees_its_slot_atomically(
    publish, snp_request, regulator, run_jobs
):
    first, second = publish(count=2)
    request = snp_request()
    old = services.book(slot=first, snp_request=request, actor=regulator)
    MemorySms.outbox.clear()
    new = services.book(slot=second, snp_request=request, actor=regulator, move=True)
    run_jobs()
    old.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    request.refresh_from_db()
    assert old.status == "cancelled" and "Déplacé au" in old.note
    assert (first.status, second.status) == ("free", "booked")
    assert list(live(request)) == [new] and request.status == SameDayRequest.Status.BOOKED
    assert "déplacé" in MemorySms.outbox[-1][1]
    assert AuditEvent.objects.get(action="snp.book", object_id=new.public_id).detail[
        "moved_from"] == str(old.public_id)  # fmt: skip


def test_a_move_to_a_taken_slot_changes_nothing(publish, snp_request, regulator):
    first, second = publish(count=2)
    request, other = snp_request(), snp_request(last_name="Autre")
    old = services.book(slot=first, snp_request=request, actor=regulator)
    services.book(slot=second, snp_request=other, actor=regulator)
    with pytest.raises(services.SlotTaken):
        services.book(slot=second, snp_request=request, actor=regulator, move=True)
    old.refresh_from_db()
    first.refresh_from_db()
    assert old.status == "booked" and first.status == "booked"


def test_the_database_refuses_a_second_live_appointment_for_a_request(
    publish, snp_request, regulator
):
    first, second = publish(count=2)
    request = snp_request()
    Appointment.objects.create(cpts=first.cpts, slot=first, request=request, booked_by=regulator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(cpts=second.cpts, slot=second, request=request,
                                   booked_by=regulator)  # fmt: skip
    # A cancelled one does not count.
    Appointment.objects.filter(request=request).update(status="cancelled")
    Appointment.objects.create(cpts=second.cpts, slot=second, request=request,
                               booked_by=regulator)  # fmt: skip


def test_the_request_page_answers_409_and_offers_the_move(client_for, regulator, publish,
                                                          snp_request):  # fmt: skip
    first, second = publish(count=2)
    request = snp_request()
    services.book(slot=first, snp_request=request, actor=regulator)
    client = client_for(regulator)
    url = reverse("same_day_care:request", args=[HOME, request.public_id])
    response = client.post(url, {"slot": second.public_id})
    assert response.status_code == 409
    assert "annulez-le ou déplacez-le" in text(response)
    assert "Déplacer le rendez-vous" in text(response)
    moved = client.post(url, {"slot": second.public_id, "move": "1"}, follow=True)
    assert "Rendez-vous déplacé" in text(moved)
    assert live(request).get().slot == second


def test_the_api_answers_409_with_the_message(client, publish, snp_request, regulator):
    first, second = publish(count=2)
    request = snp_request()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=regulator)}"}
    body = {"request": str(request.public_id)}
    for slot, status in ((first, 201), (second, 409)):
        response = client.post(f"/api/v1/same-day/slots/{slot.public_id}/book", body,
                               content_type="application/json", **auth)  # fmt: skip
        assert response.status_code == status
    assert "annulez-le ou déplacez-le" in response.json()["detail"]
    assert live(request).count() == 1


def test_cancelling_locks_the_request_then_the_slot(publish, snp_request, regulator, gp):
    """Same lock order as booking: the request row first (no deadlock between a cancel
    and a booking of the same request)."""
    appointment = services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        services.set_status(appointment=appointment, status="cancelled", actor=gp)
    locked = [sql for sql in recorder.statements if sql.lstrip().startswith("SELECT")]
    tables = [next(t for t in ("same_day_care_samedayrequest", "same_day_care_slot",
                               "same_day_care_appointment") if t in sql)
              for sql in locked[:3]]  # fmt: skip
    assert tables == [
        "same_day_care_samedayrequest", "same_day_care_slot", "same_day_care_appointment"
    ]


class _Recorder:
    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_bookings_of_one_request_give_exactly_one():
    """Five clients book the same request into five different slots at once: exactly one
    appointment, four AlreadyBooked (409), on SQLite and on PostgreSQL."""
    from tests.conftest import load_reference_data

    load_reference_data()
    from maillage.core.models import Cpts, User

    cpts = Cpts.objects.get(slug=HOME)
    regulator = User.objects.get(email="regulation@pays-berjalliens.maillage.test")
    gp_user = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
    commune = Commune.objects.get(code="38053")
    start = timezone.now() + datetime.timedelta(days=3)
    slots = services.publish_slots(
        cpts=cpts, professional=gp_user, actor=gp_user, profession_code="10", commune=commune,
        times=[(start + datetime.timedelta(minutes=15 * i),
                start + datetime.timedelta(minutes=15 * (i + 1))) for i in range(5)],
    )  # fmt: skip
    request = services.request_create(cpts=cpts, actor=regulator, origin="regulator", data={
        "last_name": "Course", "first_name": "X", "birth_date": datetime.date(1980, 1, 1),
        "phone": "0611223344", "commune": commune, "reason": "fever", "profession_code": "10",
        "mode": "practice", "urgency": "48h", "home_visit": False,
    })  # fmt: skip
    wins, refusals, errors = [], [], []
    barrier = threading.Barrier(5)

    def client(slot):
        try:
            barrier.wait()
            wins.append(services.book(slot=slot, snp_request=request, actor=regulator).pk)
        except services.AlreadyBooked as exc:
            refusals.append(str(exc))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(wins) == 1 and len(refusals) == 4, refusals
    assert all("annulez-le ou déplacez-le" in message for message in refusals)
    assert live(request).count() == 1
    assert Slot.objects.filter(pk__in=[s.pk for s in slots], status="booked").count() == 1
