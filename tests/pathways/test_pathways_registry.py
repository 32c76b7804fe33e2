"""The parcours figures and concertation attendance the ACI report and the compensation of
professionals' time read from the core registries."""

import datetime

from django.utils import timezone

from maillage.core import attendance, indicators
from maillage.pathways.models import Enrolment, Meeting, MeetingAttendance

YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def meeting(cpts, day, status=Meeting.Status.HELD, summary="", minutes=90):
    starts = datetime.datetime.combine(day, datetime.time(12, 30),
                                       tzinfo=timezone.get_current_timezone())  # fmt: skip
    return Meeting.objects.create(cpts=cpts, title="RCP diabète", starts_at=starts,
                                  duration_minutes=minutes, status=status,
                                  summary=summary)  # fmt: skip


def compute(code, cpts, period=YEAR):
    return indicators.compute(code, cpts, period)


def test_meetings_held_and_with_minutes(home_cpts):
    meeting(home_cpts, datetime.date(2025, 3, 4), summary="Décisions : ...")
    meeting(home_cpts, datetime.date(2025, 6, 4))
    meeting(home_cpts, datetime.date(2025, 9, 4), status=Meeting.Status.CANCELLED)
    meeting(home_cpts, datetime.date(2025, 10, 4), status=Meeting.Status.PLANNED)
    meeting(home_cpts, datetime.date(2024, 12, 4), summary="L'an passé")
    assert compute("pathways.meetings_held", home_cpts).value == 2
    with_minutes = compute("pathways.meetings_with_minutes", home_cpts)
    assert with_minutes.value == 1 and "sur 2" in with_minutes.note


def test_enrolments_count_the_patients_enrolled_in_the_period(home_cpts, enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=datetime.date(2025, 5, 1))
    assert compute("pathways.enrolments", home_cpts).value == 1
    assert (
        compute(
            "pathways.enrolments",
            home_cpts,
            (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
        ).value
        == 0
    )


def test_professionals_involved_are_the_care_team_and_those_present(
    home_cpts, enrolment, pharmacist, regulator
):
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=datetime.date(2025, 5, 1))
    held = meeting(home_cpts, datetime.date(2025, 6, 1))
    MeetingAttendance.objects.create(meeting=held, user=pharmacist, present=True)
    MeetingAttendance.objects.create(meeting=held, user=regulator, present=False)
    # The GP and the nurse of the care team, the pharmacist present; the absent one not.
    assert compute("pathways.professionals_involved", home_cpts).value == 3


def test_attendance_is_the_professionals_present_at_held_meetings(home_cpts, gp, nurse,
                                                                 pharmacist):  # fmt: skip
    held = meeting(home_cpts, datetime.date(2025, 6, 1), minutes=90)
    planned = meeting(home_cpts, datetime.date(2025, 7, 1), status=Meeting.Status.PLANNED)
    MeetingAttendance.objects.create(meeting=held, user=gp, present=True, minutes=45)
    MeetingAttendance.objects.create(meeting=held, user=nurse, present=True)
    MeetingAttendance.objects.create(meeting=held, user=pharmacist, present=False)
    MeetingAttendance.objects.create(meeting=planned, user=gp, present=True, minutes=60)

    rows = attendance.REGISTRY["meeting"].records(home_cpts, YEAR)
    by_user = {row.user_id: row for row in rows}
    assert set(by_user) == {gp.pk, nurse.pk}
    assert by_user[gp.pk].minutes == 45  # the time entered for them
    assert by_user[nurse.pk].minutes == 90  # none entered: the meeting's duration
    assert by_user[nurse.pk].proof == "Réunion de concertation « RCP diabète » du 01/06/2025"
    assert by_user[gp.pk].ref == f"pathways.meeting:{held.public_id}:{gp.public_id}"
    assert all(row.activity == "meeting" for row in rows)


def test_first_activity_is_the_first_enrolment(home_cpts, enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=datetime.date(2024, 11, 5))
    day, label = indicators.first_activity(home_cpts, "pathways")
    assert day == datetime.date(2024, 11, 5)
    assert label == "première inclusion dans un parcours"
