"""The soins non programmés figures and rota shifts the ACI report and the compensation of
professionals' time read from the core registries."""

import datetime

from django.utils import timezone

from maillage.core import attendance, indicators
from maillage.same_day_care.models import Appointment, RotaPeriod, RotaShift, SameDayRequest, Slot
from maillage.territory.models import Commune


def around_today():
    today = timezone.localdate()
    return (today - datetime.timedelta(days=30), today + datetime.timedelta(days=30))


def book(request, slot, status=Appointment.Status.BOOKED):
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BOOKED)
    return Appointment.objects.create(cpts=request.cpts, slot=slot, request=request,
                                      status=status)  # fmt: skip


def test_requests_and_answers_within_24_hours(home_cpts, publish, snp_request, nurse):
    SameDayRequest.objects.filter(cpts=home_cpts).delete()
    soon = publish(hours_from_now=3)[0]
    late = publish(hours_from_now=30)[0]
    cancelled = publish(hours_from_now=4, who=nurse)[0]
    quick, slow, dropped, unanswered = (snp_request() for _ in range(4))
    book(quick, soon, Appointment.Status.FULFILLED)
    book(slow, late, Appointment.Status.NOSHOW)
    book(dropped, cancelled, Appointment.Status.CANCELLED)
    assert unanswered.status == SameDayRequest.Status.OPEN

    period = around_today()
    assert indicators.compute("same_day_care.requests", home_cpts, period).value == 4
    share = indicators.compute("same_day_care.answered_within_24h", home_cpts, period)
    assert (share.numerator, share.denominator, share.value) == (1, 4, 25.0)
    assert indicators.compute("same_day_care.appointments_honoured", home_cpts,
                              period).value == 1  # fmt: skip
    assert indicators.compute("same_day_care.appointments_missed", home_cpts,
                              period).value == 1  # fmt: skip
    # Both the GP and the nurse published slots of the period.
    assert indicators.compute("same_day_care.participating_doctors", home_cpts,
                              period).value == 2  # fmt: skip


def test_no_request_gives_no_rate_rather_than_zero(home_cpts):
    SameDayRequest.objects.filter(cpts=home_cpts).delete()
    share = indicators.compute("same_day_care.answered_within_24h", home_cpts, around_today())
    assert share.value is None and share.denominator == 0


def test_withdrawn_slots_do_not_make_a_participant(home_cpts, publish):
    slot = publish()[0]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.WITHDRAWN)
    assert indicators.compute("same_day_care.participating_doctors", home_cpts,
                              around_today()).value == 0  # fmt: skip


def test_rota_shifts_done_are_attendance_with_their_length(home_cpts, gp, nurse):
    night = RotaPeriod.objects.create(
        cpts=home_cpts, label="Garde du soir", weekday=0, start_time=datetime.time(20),
        end_time=datetime.time(23), commune=Commune.objects.get(code="38053"))  # fmt: skip
    today = timezone.localdate()
    done = RotaShift.objects.create(cpts=home_cpts, period=night, assignee=gp,
                                    date=today - datetime.timedelta(days=7))  # fmt: skip
    RotaShift.objects.create(cpts=home_cpts, period=night, assignee=nurse,
                             date=today + datetime.timedelta(days=7))  # fmt: skip

    rows = attendance.REGISTRY["rota"].records(home_cpts, around_today())
    assert len(rows) == 1  # the coming shift is not done yet
    row = rows[0]
    assert (row.user_id, row.activity, row.minutes) == (gp.pk, "rota", 180)
    assert row.ref == f"same_day_care.rota_shift:{done.public_id}"
    assert "Garde du soir" in row.proof and f"{done.date:%d/%m/%Y}" in row.proof
    assert timezone.localtime(row.started_at).hour == 20


def test_first_activity_is_the_first_slot_or_request(home_cpts, publish, snp_request):
    SameDayRequest.objects.filter(cpts=home_cpts).delete()
    assert indicators.first_activity(home_cpts, "same_day_care") is None
    slot = publish()[0]
    request = snp_request()
    tz = timezone.get_current_timezone()
    Slot.objects.filter(pk=slot.pk).update(created_at=datetime.datetime(2024, 5, 2, 9, tzinfo=tz))
    SameDayRequest.objects.filter(pk=request.pk).update(
        created_at=datetime.datetime(2024, 4, 30, 9, tzinfo=tz)
    )
    day, _label = indicators.first_activity(home_cpts, "same_day_care")
    assert day == datetime.date(2024, 4, 30)
