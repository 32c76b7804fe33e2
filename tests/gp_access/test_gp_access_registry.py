"""The médecin-traitant figures the ACI report reads from the indicator registry."""

import datetime

from django.utils import timezone

from maillage.core import indicators
from maillage.gp_access.models import GpCapacity, GpRequest, Status, Transition

YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def at(day: str) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(10),
                                     tzinfo=timezone.get_current_timezone())  # fmt: skip


def assign(request, day):
    GpRequest.objects.filter(pk=request.pk).update(status=Status.ASSIGNED, assigned_at=at(day))


def value(code, cpts, period=YEAR):
    return indicators.compute(code, cpts, period).value


def test_found_gp_counts_the_assignments_of_the_period_by_priority(home_cpts, make_request):
    ald = make_request(ald=True)
    ald_c2s = make_request(ald=True, c2s=True)
    # 70 on the day of assignment (born 12 March 1955, assigned 12 March 2025).
    turned_70 = make_request(birth_date="1955-03-12")
    not_yet_70 = make_request(birth_date="1955-03-13")
    last_year = make_request(ald=True)
    make_request(ald=True)  # still waiting: not counted as found
    for request in (ald, ald_c2s, turned_70, not_yet_70):
        assign(request, "2025-03-12")
    assign(last_year, "2024-12-31")

    assert value("gp_access.patients_found_gp", home_cpts) == 4
    assert value("gp_access.ald_found_gp", home_cpts) == 2
    assert value("gp_access.c2s_ald_found_gp", home_cpts) == 1
    assert value("gp_access.over70_found_gp", home_cpts) == 1
    assert value("gp_access.ald_found_gp", home_cpts,
                 (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))) == 1  # fmt: skip


def test_ald_waiting_reads_the_state_at_the_end_of_the_period(home_cpts, make_request,
                                                              coordinator):  # fmt: skip
    waiting = make_request(ald=True)
    found_after = make_request(ald=True)
    cancelled_in_year = make_request(ald=True)
    make_request()  # not in ALD
    GpRequest.objects.filter(pk__in=[waiting.pk, found_after.pk, cancelled_in_year.pk]).update(
        created_at=at("2025-02-01")
    )
    assign(found_after, "2026-01-15")  # found after the period: still waiting at its end
    GpRequest.objects.filter(pk=cancelled_in_year.pk).update(status=Status.CANCELLED)
    Transition.objects.create(request=cancelled_in_year, from_status=Status.NEW,
                              to_status=Status.CANCELLED, actor=coordinator,
                              at=at("2025-06-01"))  # fmt: skip

    assert value("gp_access.ald_waiting", home_cpts) == 2
    # Made after the end of 2024: none was waiting then.
    assert value("gp_access.ald_waiting", home_cpts,
                 (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))) == 0  # fmt: skip


def test_volunteer_gps_are_those_declaring_capacity(home_cpts, gp, nurse):
    GpCapacity.objects.filter(cpts=home_cpts).delete()
    GpCapacity.objects.create(cpts=home_cpts, gp=gp, monthly_new_patients=3)
    GpCapacity.objects.create(cpts=home_cpts, gp=nurse, monthly_new_patients=0)
    result = indicators.compute("gp_access.volunteer_gps", home_cpts, YEAR)
    assert result.value == 1
    assert "état actuel" in result.note


def test_first_activity_is_the_first_request(home_cpts, make_request):
    assert indicators.first_activity(home_cpts, "gp_access") is None
    first = make_request()
    make_request()
    GpRequest.objects.filter(pk=first.pk).update(created_at=at("2024-09-03"))
    day, label = indicators.first_activity(home_cpts, "gp_access")
    assert day == datetime.date(2024, 9, 3)
    assert label == "première demande de médecin traitant"
