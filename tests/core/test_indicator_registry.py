"""The indicator, first-activity and attendance registries keep one contract whatever
mission fills them: pages, exports and the ACI report read them without knowing the
mission."""

import datetime

import pytest

from maillage.core import attendance, indicators
from maillage.core.models import Cpts
from maillage.reporting.missions import REGISTRY_MISSIONS

YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
RECENT = (datetime.date.today() - datetime.timedelta(days=365), datetime.date.today())
MISSIONS = ("gp_access", "same_day_care", "pathways", "prevention", "crisis")
AGREED = (
    "gp_access.volunteer_gps", "gp_access.patients_found_gp", "gp_access.ald_found_gp",
    "gp_access.over70_found_gp", "gp_access.c2s_ald_found_gp", "gp_access.ald_waiting",
    "same_day_care.participating_doctors", "same_day_care.requests",
    "same_day_care.appointments_honoured", "same_day_care.appointments_missed",
    "same_day_care.answered_within_24h", "pathways.enrolments",
    "pathways.professionals_involved", "pathways.meetings_held",
    "pathways.meetings_with_minutes",
)  # fmt: skip


@pytest.fixture
def empty_cpts(db):
    return Cpts.objects.create(name="CPTS sans activité", slug="cpts-sans-activite")


def check_value(code, value):
    assert isinstance(value, indicators.Value), code
    if value.value is not None:
        assert isinstance(value.value, int | float), code
        assert value.value >= 0, code
    if value.numerator is not None and value.denominator is not None:
        assert 0 <= value.numerator <= value.denominator, code


def test_the_agreed_codes_are_registered_with_french_words():
    for code in AGREED:
        indicator = indicators.REGISTRY[code]
        assert indicator.mission == code.split(".")[0]
        assert indicator.label and indicator.definition and indicator.unit and indicator.source


def test_every_registered_mission_feeds_a_contract_mission():
    for indicator in indicators.REGISTRY.values():
        assert indicator.mission in REGISTRY_MISSIONS, indicator.code
    for mission in indicators.STARTS:
        assert mission in REGISTRY_MISSIONS, mission


def test_every_indicator_computes_for_a_cpts_without_any_data(empty_cpts):
    for code in indicators.REGISTRY:
        check_value(code, indicators.compute(code, empty_cpts, YEAR))


@pytest.mark.parametrize("period", [YEAR, RECENT])
def test_every_indicator_computes_for_the_demo_cpts_over_a_year(home_cpts, period):
    for code in indicators.REGISTRY:
        check_value(code, indicators.compute(code, home_cpts, period))


def test_every_mission_declares_its_first_activity():
    assert set(MISSIONS) <= set(indicators.STARTS)
    for label, function in indicators.STARTS.values():
        assert label[0].islower()  # it reads inside a sentence ("depuis la première ...")
        assert callable(function)


def test_first_activity_is_none_or_a_date(home_cpts, empty_cpts):
    for mission in indicators.STARTS:
        assert indicators.first_activity(empty_cpts, mission) is None
        found = indicators.first_activity(home_cpts, mission)
        if found is not None:
            day, label = found
            assert type(day) is datetime.date
            assert label == indicators.STARTS[mission][0]


def test_the_meeting_and_rota_sources_are_registered():
    assert {"meeting", "rota", "prevention", "crisis"} <= set(attendance.REGISTRY)


@pytest.mark.parametrize("period", [YEAR, RECENT])
def test_every_attendance_source_returns_rows_with_time_spent(home_cpts, empty_cpts, period):
    for code, source in attendance.REGISTRY.items():
        assert source.records(empty_cpts, period) == []
        for row in source.records(home_cpts, period):
            assert isinstance(row, attendance.Attendance), code
            assert row.minutes > 0, code
            assert row.activity == code
            assert row.proof and row.ref
