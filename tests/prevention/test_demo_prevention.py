"""The demo's prevention mission (`make run`): built once, through the real services."""

import datetime

import pytest
from django.utils import timezone

from maillage.prevention import demo
from maillage.prevention.demo import build_demo_prevention
from maillage.prevention.indicators import action_figures
from maillage.prevention.models import (
    Action,
    ActionKind,
    ActionStatus,
    ContractRate,
    DoseReport,
    FollowUp,
    Participant,
    Programme,
    Registration,
    RegistrationStatus,
)

pytestmark = pytest.mark.django_db


def _counts():
    return (Programme.objects.count(), Action.objects.count(), Participant.objects.count(),
            FollowUp.objects.count(), Registration.objects.count(),
            DoseReport.objects.count(), ContractRate.objects.count())  # fmt: skip


def test_the_programme_of_the_year_has_its_four_themes_and_targets(home_cpts):
    build_demo_prevention()
    programme = Programme.objects.for_cpts(home_cpts).get(year=timezone.localdate().year)
    themes = {entry.theme.code: entry for entry in programme.themes.select_related("theme")}
    assert set(themes) == {"diabete", "vaccination-grippe", "depistage-cancer-colorectal",
                           "chutes"}  # fmt: skip
    assert themes["diabete"].age_min == 35
    assert themes["vaccination-grippe"].age_min == 65
    assert themes["vaccination-grippe"].objective_rate == 75


def test_the_past_screening_day_has_thirty_participants_and_followed_positives(home_cpts):
    build_demo_prevention()
    action = Action.objects.for_cpts(home_cpts).get(title=demo.SCREENING_TITLE)
    assert action.kind == ActionKind.SCREENING and action.status == ActionStatus.DONE
    assert action.end < timezone.now()
    people = Participant.objects.filter(action=action)
    assert people.count() == demo.PARTICIPANTS
    assert people.filter(positive=True).exists()
    # Every positive has its follow-up, and the demo shows several of their states.
    positives = people.filter(positive=True).count()
    follow_ups = FollowUp.objects.filter(participant__action=action)
    assert follow_ups.count() == positives
    assert len(set(follow_ups.values_list("status", flat=True))) >= 3
    figures = action_figures(action)
    assert figures["screened"] == demo.PARTICIPANTS
    assert figures["seen"] >= 1 and figures["referred"] >= figures["seen"]
    # A positive came through a capillary glucose measure.
    assert any(m["kind"] == "glucose" for p in people.filter(positive=True) for m in p.measures)


def test_the_demo_gp_has_a_screened_patient_to_confirm_on_their_home(home_cpts, gp,
                                                                      client_for):
    build_demo_prevention()
    [waiting] = FollowUp.objects.for_cpts(home_cpts).filter(status="referred")
    assert waiting.gp == gp and waiting.participant.patient is not None
    body = client_for(gp).get(f"/c/{home_cpts.slug}/aujourdhui/").content.decode()
    assert 'data-card="prevention.followups_to_confirm"' in body


def test_the_public_event_is_full_with_one_person_waiting(home_cpts):
    build_demo_prevention()
    action = Action.objects.for_cpts(home_cpts).get(title=demo.EVENT_TITLE)
    assert action.public and action.capacity == 20 and action.start > timezone.now()
    registrations = Registration.objects.filter(action=action)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 20
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == 1


def test_the_flu_campaign_has_dose_reports_from_two_pharmacies(home_cpts):
    build_demo_prevention()
    action = Action.objects.for_cpts(home_cpts).get(title__startswith=demo.FLU_TITLE)
    assert action.kind == ActionKind.VACCINATION and action.vaccines == ["grippe"]
    reports = DoseReport.objects.filter(action=action)
    assert reports.values("site_label").distinct().count() == 2
    assert sum(reports.values_list("doses", flat=True)) > 0
    assert all(r.day <= timezone.localdate() for r in reports)


def test_the_contract_rates_are_the_real_table_with_a_dated_cpam_source(home_cpts):
    build_demo_prevention()
    rates = {r.theme.code: r for r in ContractRate.objects.for_cpts(home_cpts)
             .select_related("theme")}  # fmt: skip
    colorectal = rates["depistage-cancer-colorectal"]
    assert (str(colorectal.baseline), str(colorectal.socle), str(colorectal.intermediate),
            str(colorectal.objective)) == ("23.50", "25.00", "26.10", "27.00")  # fmt: skip
    assert str(rates["depistage-cancer-sein"].objective) == "75.00"
    assert (colorectal.amount_socle, colorectal.amount_intermediate,
            colorectal.amount_objective) == (1000, 2500, 3500)  # fmt: skip
    assert all(r.rate is not None and "CPAM" in r.rate_source and r.rate_date
               for r in rates.values())  # fmt: skip


def test_building_the_demo_again_adds_nothing(home_cpts):
    build_demo_prevention()
    counts = _counts()
    assert build_demo_prevention() == {"programme": 0, "programme_themes": 0,
                                       "contract_rates": 0}  # fmt: skip
    assert _counts() == counts


def _screened():
    people = Participant.objects.filter(action__title=demo.SCREENING_TITLE)
    return list(people.order_by("entered_at").values_list("sex", "age", "score", "positive"))


def test_the_demo_is_the_same_from_one_build_to_the_next(home_cpts):
    build_demo_prevention()
    first = _screened()
    Action.objects.filter(cpts=home_cpts).delete()
    build_demo_prevention()
    assert _screened() == first


def test_the_demo_stays_out_of_the_other_cpts(other_cpts):
    build_demo_prevention(today=timezone.localdate() + datetime.timedelta(days=1))
    assert not Action.objects.for_cpts(other_cpts).exists()
    assert not Participant.objects.for_cpts(other_cpts).exists()
