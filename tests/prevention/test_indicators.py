"""Prevention indicators: an action's figures (informed, screened, positive, referred,
seen, lost), a campaign's doses and coverage against its target, the year by theme, the
registry values, the pages (charts with their tables, no script), the CSV export and the
API GET /api/v1/prevention/actions/{id}/indicators."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import indicators as registry
from maillage.core.services import api_token_create
from maillage.prevention import indicators, vaccination
from maillage.prevention.models import Action, FollowUp, Participant, Theme
from tests.utils import text

pytestmark = pytest.mark.django_db
YEAR = 2026
PERIOD = (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))


def _at(day):
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_current_timezone())


def screening_day(cpts, actor, *, positives=3, negatives=5, statuses=("referred", "seen",
                                                                      "lost")):  # fmt: skip
    start = _at(datetime.date(YEAR, 3, 12))
    action = Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=6),
        questionnaire="findrisc", informed_count=120, paper_screened=2, paper_referred=1,
        created_by=actor)  # fmt: skip
    people = [Participant.objects.create(
        cpts=cpts, action=action, sex="F", age=50 + i, questionnaire="findrisc", answers={},
        positive=i < positives, fingerprint=f"p{i}", entered_by=actor)
        for i in range(positives + negatives)]  # fmt: skip
    for person, status in zip(people[:positives], statuses, strict=False):
        FollowUp.objects.create(cpts=cpts, participant=person, reason="FINDRISC", status=status)
    return action


def flu_campaign(cpts, actor, *, target=1000, objective="75"):
    start = _at(datetime.date(YEAR, 10, 13))
    return Action.objects.create(
        cpts=cpts, kind="vaccination", theme=Theme.objects.get(cpts=None,
                                                               code="vaccination-grippe"),
        title="Grippe 2026", start=start, end=start + datetime.timedelta(days=90),
        vaccines=["grippe", "covid"], target_size=target, objective_rate=Decimal(objective),
        created_by=actor)  # fmt: skip


def _dose(action, actor, day, vaccine, band, n, site="Pharmacie du Centre"):
    return vaccination.report(action=action, actor=actor, site_label=site, day=day,
                              vaccine=vaccine, age_band=band, doses=n)  # fmt: skip


def test_action_figures(home_cpts, coordinator):
    action = screening_day(home_cpts, coordinator)
    assert indicators.action_figures(action) == {
        "informed": 120, "screened": 8 + 2, "positive": 3, "referred": 3 + 1, "seen": 1,
        "lost": 1}  # fmt: skip


def test_campaign_doses_and_coverage(home_cpts, coordinator, pharmacist):
    action = flu_campaign(home_cpts, coordinator, target=1000, objective="75")
    _dose(action, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 300)
    _dose(action, pharmacist, datetime.date(YEAR, 10, 21), "grippe", "27-64", 100)
    _dose(action, pharmacist, datetime.date(YEAR, 10, 21), "covid", "65+", 50, site="Cabinet B")
    figures = vaccination.campaign_figures(action)
    assert figures["doses"] == 450
    assert figures["coverage"] == Decimal("45.0")
    assert figures["objective_reached"] is False
    assert dict(figures["by_vaccine"]) == {"Grippe": 400, "COVID-19": 50}
    assert figures["by_age_band"] == [("27-64 ans", 100), ("65 ans et plus", 350)]
    assert figures["by_week"] == [(datetime.date(YEAR, 10, 12), 300),
                                  (datetime.date(YEAR, 10, 19), 150)]
    assert figures["by_site"] == [("Pharmacie du Centre", 400), ("Cabinet B", 50)]


def test_coverage_is_unknown_without_a_target(home_cpts, coordinator, pharmacist):
    action = flu_campaign(home_cpts, coordinator, target=None)
    _dose(action, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 10)
    assert vaccination.campaign_figures(action)["coverage"] is None


def test_objective_reached(home_cpts, coordinator, pharmacist):
    action = flu_campaign(home_cpts, coordinator, target=100, objective="75")
    _dose(action, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 80)
    assert vaccination.campaign_figures(action)["objective_reached"] is True


def test_figures_of_an_action_take_a_fixed_number_of_queries(home_cpts, coordinator,
                                                             django_assert_max_num_queries):
    action = screening_day(home_cpts, coordinator, positives=20, negatives=40)
    with django_assert_max_num_queries(2):
        indicators.action_figures(action)


def test_registry_values(home_cpts, coordinator, pharmacist):
    screening_day(home_cpts, coordinator)
    campaign = flu_campaign(home_cpts, coordinator)
    _dose(campaign, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 42)
    values = {code: registry.compute(code, home_cpts, PERIOD).value for code in (
        "prevention.actions", "prevention.screened", "prevention.positive",
        "prevention.referred", "prevention.seen", "prevention.doses")}
    assert values == {"prevention.actions": 2, "prevention.screened": 10,
                      "prevention.positive": 3, "prevention.referred": 4, "prevention.seen": 1,
                      "prevention.doses": 42}  # fmt: skip
    declared = registry.REGISTRY["prevention.doses"]
    assert declared.mission == "prevention" and declared.unit == "doses"
    assert "pas des personnes" in declared.definition


def test_registry_counts_only_the_cpts_and_the_period(home_cpts, other_cpts, coordinator,
                                                      outsider):  # fmt: skip
    screening_day(other_cpts, outsider)
    screening_day(home_cpts, coordinator)
    assert registry.compute("prevention.screened", home_cpts, PERIOD).value == 10
    before = (datetime.date(YEAR - 1, 1, 1), datetime.date(YEAR - 1, 12, 31))
    assert registry.compute("prevention.screened", home_cpts, before).value == 0


def test_theme_figures(home_cpts, coordinator, pharmacist):
    screening_day(home_cpts, coordinator)
    campaign = flu_campaign(home_cpts, coordinator)
    _dose(campaign, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 42)
    rows = {r["theme"].code: r for r in indicators.theme_figures(home_cpts, YEAR)}
    assert rows["diabete"]["screened"] == 10 and rows["diabete"]["referred"] == 4
    assert rows["vaccination-grippe"]["doses"] == 42


# Pages ------------------------------------------------------------------------------------


def test_index_page_has_charts_with_tables_and_no_script(client_for, coordinator, home_cpts):
    screening_day(home_cpts, coordinator)
    response = client_for(coordinator).get(reverse("prevention:indicators",
                                                   args=[home_cpts.slug]), {"annee": YEAR})
    assert response.status_code == 200
    body = text(response)
    assert "data:image/svg+xml;base64," in body and "<caption>Du dépistage au soin" in body
    assert "Diabète" in body or "diabète" in body


def test_campaign_page_shows_coverage_and_says_doses(client_for, board_member, coordinator,
                                                     pharmacist, home_cpts):  # fmt: skip
    campaign = flu_campaign(home_cpts, coordinator, target=1000)
    _dose(campaign, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 300)
    response = client_for(board_member).get(reverse(
        "prevention:action_indicators", args=[home_cpts.slug, campaign.public_id]))
    body = text(response)
    assert response.status_code == 200
    assert "30.0 %" in body or "30,0 %" in body
    assert "pas des personnes" in body and "Doses par vaccin" in body


def test_charts_carry_no_script():
    from maillage.prevention import charts

    chart = charts.bars("Test", [("a", 1), ("b", 2)])
    import base64

    svg = base64.b64decode(chart.data_uri.split(",", 1)[1]).decode()
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org", "")


def test_professional_cannot_see_indicators(client_for, gp, home_cpts):
    url = reverse("prevention:indicators", args=[home_cpts.slug])
    assert client_for(gp).get(url).status_code == 404


def test_other_cpts_action_is_404(client_for, outsider, coordinator, home_cpts, other_cpts):
    action = screening_day(home_cpts, coordinator)
    response = client_for(outsider).get(reverse("prevention:action_indicators",
                                                args=[other_cpts.slug, action.public_id]))
    assert response.status_code == 404


def test_csv_export_lists_the_actions(client_for, coordinator, pharmacist, home_cpts):
    screening_day(home_cpts, coordinator)
    campaign = flu_campaign(home_cpts, coordinator)
    _dose(campaign, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 300)
    response = client_for(coordinator).get(reverse("prevention:indicators_csv",
                                                   args=[home_cpts.slug]), {"annee": YEAR})
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "Journée diabète" in body and "Grippe 2026" in body
    assert "300" in body


# API --------------------------------------------------------------------------------------


def _get(client, user, action_id):
    return client.get(f"/api/v1/prevention/actions/{action_id}/indicators",
                      HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")


def test_api_gives_the_figures(client, coordinator, home_cpts):
    action = screening_day(home_cpts, coordinator)
    response = _get(client, coordinator, action.public_id)
    assert response.status_code == 200
    data = response.json()
    assert (data["screened"], data["positive"], data["referred"], data["seen"],
            data["lost"], data["campaign"]) == (10, 3, 4, 1, 1, None)  # fmt: skip


def test_api_gives_doses_and_coverage_of_a_campaign(client, coordinator, pharmacist,
                                                    home_cpts):  # fmt: skip
    campaign = flu_campaign(home_cpts, coordinator, target=1000)
    _dose(campaign, pharmacist, datetime.date(YEAR, 10, 14), "grippe", "65+", 300)
    data = _get(client, coordinator, campaign.public_id).json()["campaign"]
    assert data["doses"] == 300 and data["coverage"] == 30.0 and data["target_size"] == 1000
    assert data["by_vaccine"] == [{"label": "Grippe", "doses": 300}]
    assert data["by_week"] == [{"week": "2026-10-12", "doses": 300}]


def test_api_other_cpts_is_404(client, coordinator, outsider, home_cpts):
    action = screening_day(home_cpts, coordinator)
    assert _get(client, outsider, action.public_id).status_code == 404


def test_api_needs_the_indicators_permission(client, coordinator, gp, home_cpts):
    action = screening_day(home_cpts, coordinator)
    assert _get(client, gp, action.public_id).status_code == 404


def test_api_malformed_id_is_404(client, coordinator):
    assert _get(client, coordinator, "pas-un-uuid").status_code == 404
