"""Permanence rota (fairness properties, unavailability, swaps, publication), iCalendar
import and feed, and the indicators."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from maillage.core.models import Membership
from maillage.same_day_care import feeds, ics, rota, services
from maillage.same_day_care.models import RotaPeriod, RotaShift, RotaVolunteer, Slot
from maillage.territory.models import Commune
from tests.utils import text

HOME = "pays-berjalliens"


class P:
    def __init__(self, weekday, start=9, end=12, profession="10"):
        self.weekday, self.profession_code = weekday, profession
        self.start_time, self.end_time = datetime.time(start), datetime.time(end)
        self.only_from = self.only_until = None


MONDAY = datetime.date(2031, 1, 6)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 6), st.integers(7, 60))
def test_rota_is_balanced_without_unavailability(people, days):
    periods = [P(d) for d in range(7)]
    slots = list(rota.occurrences(periods, MONDAY, MONDAY + datetime.timedelta(days=days - 1)))
    plan = rota.assign(slots, [rota.Volunteer(k, "10") for k in range(people)])
    counts = [sum(1 for *_, k in plan.assignments if k == v) for v in range(people)]
    weekends = [
        sum(1 for _, d, k in plan.assignments if k == v and d.weekday() >= 5) for v in range(people)
    ]
    assert not plan.uncovered
    assert max(counts) - min(counts) <= 1
    assert max(weekends) - min(weekends) <= 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sets(st.integers(0, 27), max_size=10), min_size=2, max_size=5))
def test_nobody_is_put_on_a_day_they_are_unavailable(unavailable_days):
    volunteers = [
        rota.Volunteer(k, "10", frozenset(MONDAY + datetime.timedelta(days=d) for d in days))
        for k, days in enumerate(unavailable_days)
    ]
    slots = list(
        rota.occurrences([P(d) for d in range(7)], MONDAY, MONDAY + datetime.timedelta(days=27))
    )
    plan = rota.assign(slots, volunteers)
    for _period, day, key in plan.assignments:
        assert day not in volunteers[key].unavailable
    assert len(plan.assignments) + len(plan.uncovered) == len(slots)


def test_overlapping_periods_never_go_to_the_same_person_the_same_day():
    slots = [(P(0, 9, 12), MONDAY), (P(0, 10, 13), MONDAY)]
    plan = rota.assign(slots, [rota.Volunteer(1, "10"), rota.Volunteer(2, "10")])
    assert {k for *_, k in plan.assignments} == {1, 2}
    plan = rota.assign(slots, [rota.Volunteer(1, "10")])
    assert len(plan.uncovered) == 1


@pytest.mark.django_db
def test_generate_swap_and_publish(home_cpts, coordinator, gp, nurse, client_for):
    commune = Commune.objects.get(code="38053")
    saturday = RotaPeriod.objects.create(
        cpts=home_cpts,
        label="Samedi matin",
        weekday=5,
        start_time=datetime.time(8),
        end_time=datetime.time(12),
        commune=commune,
    )
    for user in (gp, nurse):
        RotaVolunteer.objects.create(cpts=home_cpts, user=user, profession_code="10")
    start = timezone.localdate() + datetime.timedelta(days=7)
    plan = rota.generate(
        cpts=home_cpts, start=start, end=start + datetime.timedelta(days=27), actor=coordinator
    )
    assert len(plan.assignments) == 4 and not plan.uncovered
    shifts = list(RotaShift.objects.filter(cpts=home_cpts).order_by("date"))
    assert {s.assignee for s in shifts} == {gp, nurse}
    first, second = shifts[0], shifts[1]
    assert first.assignee != second.assignee
    rota.swap(first=first, second=second, actor=coordinator)
    first.refresh_from_db()
    assert first.assignee == shifts[1].assignee
    assert (
        rota.publish(
            cpts=home_cpts, start=start, end=start + datetime.timedelta(days=27), actor=coordinator
        )
        == 4
    )
    assert Slot.objects.filter(start__date__gte=start, kind="cpts").count() == 4
    with pytest.raises(ValidationError, match="publiée"):
        rota.swap(first=first, second=second, actor=coordinator)
    page = text(client_for(coordinator).get(reverse("same_day_care:rota", args=[HOME])))
    assert "Samedi matin" in page and saturday.weekday_name == "samedi"


@pytest.mark.django_db
def test_unavailability_is_respected_from_the_page(home_cpts, coordinator, gp, nurse, client_for):
    commune = Commune.objects.get(code="38053")
    RotaPeriod.objects.create(
        cpts=home_cpts,
        label="Lundi soir",
        weekday=0,
        start_time=datetime.time(18),
        end_time=datetime.time(20),
        commune=commune,
    )
    for user in (gp, nurse):
        RotaVolunteer.objects.create(cpts=home_cpts, user=user)
    start = timezone.localdate() + datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=20)
    response = client_for(gp).post(
        reverse("same_day_care:my_rota", args=[HOME]), {"start_date": start, "end_date": end}
    )
    assert response.status_code == 302
    rota.generate(cpts=home_cpts, start=start, end=end, actor=coordinator)
    assert not RotaShift.objects.filter(assignee=gp).exists()
    assert RotaShift.objects.filter(assignee=nurse).count() == 3


@pytest.mark.django_db
def test_generate_needs_periods_and_volunteers(home_cpts, coordinator):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="période"):
        rota.generate(cpts=home_cpts, start=today, end=today, actor=coordinator)
    with pytest.raises(ValidationError, match="précède"):
        rota.generate(
            cpts=home_cpts, start=today, end=today - datetime.timedelta(days=1), actor=coordinator
        )


def _ics(*events):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//FR", *events, "END:VCALENDAR"]
    return "\r\n".join(lines).encode()


def _event(start, minutes=20, extra=()):
    end = start + datetime.timedelta(minutes=minutes)
    return "\r\n".join(
        [
            "BEGIN:VEVENT",
            f"UID:{start:%Y%m%d%H%M}@test",
            f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
            f"DTEND:{end:%Y%m%dT%H%M%S}Z",
            "SUMMARY:SNP",
            *extra,
            "END:VEVENT",
        ]
    )


def test_ics_parse_future_events_recurrence_and_refusals():
    now = datetime.datetime(2031, 1, 6, 8, tzinfo=datetime.UTC)
    future = now + datetime.timedelta(hours=2)
    past = now - datetime.timedelta(days=1)
    raw = _ics(
        _event(future),
        _event(past),
        _event(future + datetime.timedelta(days=1), extra=("RRULE:FREQ=WEEKLY;COUNT=3",)),
    )
    times, skipped = ics.parse_slots(raw, now=now)
    assert len(times) == 4 and times[0][0] == future
    assert any("passé" in s for s in skipped)
    with pytest.raises(ValidationError, match="BEGIN:VCALENDAR"):
        ics.parse_slots(b"nom;prenom\n", now=now)


@pytest.mark.django_db
def test_ics_import_page_and_private_feed(client_for, gp, regulator, publish, snp_request, client,
                                         run_jobs):  # fmt: skip
    start = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    upload = SimpleUploadedFile(
        "agenda.ics", _ics(_event(start.astimezone(datetime.UTC))), content_type="text/calendar"
    )
    response = client_for(gp).post(
        reverse("same_day_care:ics_import", args=[HOME]),
        {
            "file": upload,
            "profession_code": "10",
            "kind": "cpts",
            "mode": "practice",
            "commune": "38053",
        },
    )
    assert response.status_code == 302
    run_jobs()  # the job publishes the slots
    slot = Slot.objects.get(professional=gp, start=start)
    services.book(slot=slot, snp_request=snp_request(), actor=regulator)
    membership = Membership.objects.get(user=gp, cpts__slug=HOME)
    _feed, token = feeds.issue(cpts=membership.cpts, user=gp, actor=gp)
    feed = client.get(reverse("same_day_care:ics_feed", args=[token + ".ics"]))
    calendar = Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1 and "DURAND Léa" in str(events[0]["SUMMARY"])
    assert events[0]["DTSTART"].dt == start  # round trip
    assert client.get(reverse("same_day_care:ics_feed", args=["faux"])).status_code == 404
    bad = client_for(gp).post(
        reverse("same_day_care:ics_import", args=[HOME]),
        {
            "file": SimpleUploadedFile("x.ics", b"pas un calendrier"),
            "profession_code": "10",
            "kind": "cpts",
            "mode": "practice",
            "commune": "38053",
        },
    )
    assert bad.status_code == 400 and "iCalendar" in text(bad)


@pytest.mark.django_db
def test_indicators(client_for, coordinator, board_member, publish, snp_request, regulator, gp):
    appointment = services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)
    services.set_status(appointment=appointment, status="noshow", actor=gp)
    url = reverse("same_day_care:indicators", args=[HOME])
    body = text(client_for(board_member).get(url))
    assert "100.0 %" in body or "100,0 %" in body  # the only appointment was not honoured
    csv_body = client_for(coordinator).get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Demandes reçues;1" in csv_body
