"""Vaccination counts: a pharmacy reports doses per day (or week), vaccine and age band;
a second report of the same key replaces the first; bad input is refused with a message
naming the field and nothing written; the phone page « Déclarer des doses »."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.prevention import vaccination
from maillage.prevention.models import Action, DoseReport, Theme
from tests.utils import text

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 20)


def campaign(cpts, coordinator, *, start=datetime.date(2026, 10, 15), days=60, **extra):
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time(8), tzinfo=tz)
    return Action.objects.create(
        cpts=cpts, kind="vaccination", theme=Theme.objects.get(cpts=None,
                                                               code="vaccination-grippe"),
        title="Campagne grippe 2026", start=begin, end=begin + datetime.timedelta(days=days),
        vaccines=["grippe", "covid"], created_by=coordinator, **extra)  # fmt: skip


def _report(action, actor, **changes):
    args = {"action": action, "actor": actor, "site_label": "Pharmacie du Centre",
            "day": TODAY, "vaccine": "grippe", "age_band": "65+", "doses": 12} | changes
    return vaccination.report(**args)


def test_report_records_the_doses_and_audits(home_cpts, coordinator, pharmacist):
    action = campaign(home_cpts, coordinator)
    row = _report(action, pharmacist)
    assert (row.doses, row.vaccine, row.age_band, row.cpts) == (12, "grippe", "65+", home_cpts)
    assert AuditEvent.objects.filter(action="prevention.doses_report",
                                     object_id=row.public_id).count() == 1  # fmt: skip


def test_second_report_of_the_same_key_replaces_the_first(home_cpts, coordinator, pharmacist):
    action = campaign(home_cpts, coordinator)
    first = _report(action, pharmacist, doses=12)
    second = _report(action, pharmacist, doses=15)
    assert second.pk == first.pk
    assert DoseReport.objects.filter(action=action).count() == 1
    assert DoseReport.objects.get().doses == 15
    event = AuditEvent.objects.get(action="prevention.doses_replace")
    assert event.detail["replaced"] == 12 and event.detail["by"] == 15


def test_two_reports_of_a_new_key_at_the_same_moment_keep_one_row(home_cpts, coordinator,
                                                                    pharmacist, nurse,
                                                                    monkeypatch):
    """The second writer does not see the first's row yet (nothing to lock): its insert
    meets the unique constraint and it replaces the row instead of failing."""
    action = campaign(home_cpts, coordinator)
    _report(action, pharmacist, doses=12)
    real_first = QuerySet.first
    missed = []

    def first_misses_once(self):
        if self.model is DoseReport and not missed:
            missed.append(True)
            return None
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)
    row = _report(action, nurse, doses=14)
    assert missed and (row.doses, row.reporter) == (14, nurse)
    assert DoseReport.objects.filter(action=action).count() == 1


def test_another_age_band_is_another_report(home_cpts, coordinator, pharmacist):
    action = campaign(home_cpts, coordinator)
    _report(action, pharmacist, age_band="65+")
    _report(action, pharmacist, age_band="27-64")
    assert DoseReport.objects.filter(action=action).count() == 2


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"doses": -1}, "doses", "négatif"),
    ({"doses": 100_001}, "doses", "trop grand"),
    ({"vaccine": "hpv"}, "vaccine", "ne fait pas partie"),
    ({"age_band": "90+"}, "age_band", "inconnue"),
    ({"day": datetime.date(2026, 9, 1)}, "day", "hors de la campagne"),
    ({"site_label": "  "}, "site_label", "officine"),
])  # fmt: skip
def test_bad_input_is_refused_with_its_field(home_cpts, coordinator, pharmacist, changes,
                                             field, words):  # fmt: skip
    action = campaign(home_cpts, coordinator)
    with pytest.raises(ValidationError) as exc:
        _report(action, pharmacist, **changes)
    assert words in " ".join(exc.value.message_dict[field])
    assert not DoseReport.objects.exists()


def test_only_a_vaccination_campaign_takes_doses(home_cpts, coordinator, pharmacist):
    action = campaign(home_cpts, coordinator)
    Action.objects.filter(pk=action.pk).update(kind="screening")
    action.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _report(action, pharmacist)
    assert "campagne de vaccination" in exc.value.message_dict["action"][0]


def test_a_weekly_report_is_dated_by_its_monday(home_cpts, coordinator, pharmacist):
    action = campaign(home_cpts, coordinator, start=datetime.date(2026, 10, 15))
    row = _report(action, pharmacist, period="week", day=datetime.date(2026, 10, 12))
    assert row.period == "week"


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(doses=st.integers(min_value=-10**6, max_value=10**6))
def test_any_dose_count_is_stored_or_refused_never_half(home_cpts, coordinator, pharmacist,
                                                        doses):  # fmt: skip
    action = campaign(home_cpts, coordinator)
    try:
        row = _report(action, pharmacist, doses=doses)
    except ValidationError as exc:
        assert not 0 <= doses <= 100_000
        assert "doses" in exc.message_dict
        assert not DoseReport.objects.filter(action=action).exists()
    else:
        assert 0 <= doses <= 100_000 and row.doses == doses


# The page ---------------------------------------------------------------------------------


def _url(cpts):
    return reverse("prevention:doses", args=[cpts.slug])


@pytest.fixture
def live(home_cpts, coordinator):
    start = timezone.localdate() - datetime.timedelta(days=3)
    return campaign(home_cpts, coordinator, start=start)


def test_page_prefills_today_and_shows_the_grid(client_for, pharmacist, live, home_cpts):
    response = client_for(pharmacist).get(_url(home_cpts))
    assert response.status_code == 200
    body = text(response)
    assert timezone.localdate().isoformat() in body
    assert 'name="d-grippe-65+"' in body and 'name="d-covid-11-14"' in body


def test_plus_button_counts_without_saving(client_for, pharmacist, live, home_cpts):
    client = client_for(pharmacist)
    response = client.post(_url(home_cpts), {
        "campagne": live.public_id, "site": "Pharmacie du Centre",
        "jour": timezone.localdate().isoformat(), "periode": "day",
        "d-grippe-65+": "4", "pas": "d-grippe-65+:+"})  # fmt: skip
    assert response.status_code == 200
    assert 'value="5"' in text(response)
    assert not DoseReport.objects.exists()


def test_saving_reports_every_filled_count(client_for, pharmacist, live, home_cpts):
    client = client_for(pharmacist)
    response = client.post(_url(home_cpts), {
        "campagne": live.public_id, "site": "Pharmacie du Centre",
        "jour": timezone.localdate().isoformat(), "periode": "day",
        "d-grippe-65+": "5", "d-covid-65+": "0", "d-grippe-27-64": ""})  # fmt: skip
    assert response.status_code == 302
    rows = {(r.vaccine, r.age_band): r.doses for r in DoseReport.objects.all()}
    assert rows == {("grippe", "65+"): 5, ("covid", "65+"): 0}
    # The site is remembered for the next report.
    assert "Pharmacie du Centre" in text(client.get(_url(home_cpts)))


def test_negative_count_answers_400_and_writes_nothing(client_for, pharmacist, live,
                                                       home_cpts):  # fmt: skip
    response = client_for(pharmacist).post(_url(home_cpts), {
        "campagne": live.public_id, "site": "Pharmacie du Centre",
        "jour": timezone.localdate().isoformat(), "periode": "day",
        "d-grippe-65+": "5", "d-covid-65+": "-2"})  # fmt: skip
    assert response.status_code == 400
    assert "ne peut pas être négatif" in text(response)
    assert not DoseReport.objects.exists()


def test_day_outside_the_campaign_answers_400_and_writes_nothing(client_for, pharmacist,
                                                                 live, home_cpts):  # fmt: skip
    response = client_for(pharmacist).post(_url(home_cpts), {
        "campagne": live.public_id, "site": "Pharmacie du Centre", "jour": "2001-01-01",
        "periode": "day", "d-grippe-65+": "5", "d-covid-65+": "1"})  # fmt: skip
    assert response.status_code == 400
    assert "hors de la campagne" in text(response)
    assert not DoseReport.objects.exists()


def test_my_reports_list_with_edit_link(client_for, pharmacist, live, home_cpts):
    _report(live, pharmacist, day=timezone.localdate(), doses=7)
    response = client_for(pharmacist).get(_url(home_cpts))
    assert "Mes déclarations" in text(response) and "Modifier" in text(response)
    edit = client_for(pharmacist).get(_url(home_cpts), {
        "campagne": live.public_id, "site": "Pharmacie du Centre",
        "jour": timezone.localdate().isoformat(), "periode": "day"})  # fmt: skip
    assert 'value="7"' in text(edit)


def test_board_member_cannot_report(client_for, board_member, live, home_cpts):
    assert client_for(board_member).get(_url(home_cpts)).status_code == 404


def test_other_cpts_campaign_is_404(client_for, pharmacist, home_cpts, other_cpts, coordinator):
    foreign = campaign(other_cpts, coordinator)
    response = client_for(pharmacist).get(_url(home_cpts), {"campagne": foreign.public_id})
    assert response.status_code == 404
