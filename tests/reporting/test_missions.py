"""The mission dashboard: deadlines from the signature, the state set by the
coordinator, the data's suggestion of a start, warnings when late or started before the
signature; the territory page links to it."""

import datetime

import pytest
from django.urls import reverse

from maillage.core import indicators
from maillage.core.models import AuditEvent
from maillage.reporting import contract as services
from maillage.reporting import status
from maillage.reporting.models import MissionStatus

pytestmark = pytest.mark.django_db
SIGNED = datetime.date(2022, 6, 30)


@pytest.fixture
def contract(home_cpts, coordinator):
    return services.apply_template(cpts=home_cpts, template="standard", signed_on=SIGNED,
                                   actor=coordinator)  # fmt: skip


@pytest.fixture
def first_prevention_action(monkeypatch):
    monkeypatch.setitem(
        indicators.STARTS,
        "prevention",
        ("première action de prévention", lambda cpts: datetime.date(2026, 3, 12)),
    )


def _url(name, cpts, *args):
    return reverse(f"reporting:{name}", args=[cpts.slug, *args])


def test_the_data_suggests_a_start(contract, first_prevention_action):
    mission = contract.missions.get(code="prevention")
    day, text = status.suggested_start(mission)
    assert day == datetime.date(2026, 3, 12)
    assert text == "Prévention : première action de prévention le 12/03/2026"


def test_the_earliest_feeding_mission_is_suggested_for_access(contract, monkeypatch):
    monkeypatch.setitem(
        indicators.STARTS,
        "gp_access",
        ("première demande de médecin traitant", lambda c: datetime.date(2023, 5, 2)),
    )
    monkeypatch.setitem(
        indicators.STARTS,
        "same_day_care",
        ("premier créneau publié", lambda c: datetime.date(2022, 11, 7)),
    )
    day, text = status.suggested_start(contract.missions.get(code="acces"))
    assert day == datetime.date(2022, 11, 7) and "premier créneau publié" in text


def test_no_suggestion_once_the_mission_is_started(contract, coordinator, first_prevention_action):
    mission = contract.missions.get(code="prevention")
    status.set_status(mission=mission, status=MissionStatus.STARTED,
                      started_on=datetime.date(2023, 4, 3), actor=coordinator)  # fmt: skip
    mission.refresh_from_db()
    assert status.suggested_start(mission) is None


def test_a_late_mission_and_a_start_before_signature_are_warned(contract, coordinator):
    acces = contract.missions.get(code="acces")
    status.set_status(mission=acces, status=MissionStatus.STARTED,
                      started_on=datetime.date(2022, 5, 1), actor=coordinator)  # fmt: skip
    found = status.warnings(contract, today=datetime.date(2023, 1, 15))
    assert any("Accès aux soins" in w and "avant la signature" in w for w in found)
    # The crisis mission had to start by 30/12/2022.
    assert any(
        w.startswith("Crises sanitaires graves : en retard") and "30/12/2022" in w for w in found
    )
    assert not any(w.startswith("Prévention") for w in found)  # due 30/06/2023


def test_a_start_after_its_deadline_is_warned(contract, coordinator):
    crise = contract.missions.get(code="crise")
    status.set_status(mission=crise, status=MissionStatus.STARTED,
                      started_on=datetime.date(2023, 2, 1), actor=coordinator)  # fmt: skip
    assert any("après l'échéance du 30/12/2022" in w for w in status.warnings(contract))


def test_deployed_before_started_is_refused(contract, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        status.set_status(mission=contract.missions.get(code="crise"), status="deployed",
                          started_on=datetime.date(2023, 2, 1),
                          deployed_on=datetime.date(2023, 1, 1), actor=coordinator)  # fmt: skip
    assert "deployed_on" in caught.value.message_dict


def test_the_dashboard_shows_deadlines_suggestion_and_warnings(
    client_for, coordinator, contract, home_cpts, first_prevention_action
):
    page = client_for(coordinator).get(_url("missions", home_cpts)).content.decode()
    assert "30/12/2022" in page and "30/06/2024" in page  # crisis start, prevention deployment
    assert "Prévention : première action de prévention le 12/03/2026" in page
    assert "marquer démarrée ?" in page
    assert "en retard" in page


def test_the_coordinator_sets_a_state(client_for, coordinator, contract, home_cpts):
    response = client_for(coordinator).post(_url("mission_status", home_cpts, "parcours"), {
        "status": "deployed", "started_on": "2023-03-13", "deployed_on": "2024-05-21",
        "status_note": "Parcours diabète"})  # fmt: skip
    assert response.status_code == 302
    mission = contract.missions.get(code="parcours")
    assert (mission.status, mission.started_on, mission.deployed_on) == (
        "deployed",
        datetime.date(2023, 3, 13),
        datetime.date(2024, 5, 21),
    )
    assert AuditEvent.objects.filter(action="reporting.mission_status",
                                     detail__mission="parcours").exists()  # fmt: skip


def test_the_suggestion_prefills_the_form(client_for, coordinator, contract, home_cpts,
                                          first_prevention_action):  # fmt: skip
    page = (
        client_for(coordinator)
        .get(_url("mission_status", home_cpts, "prevention") + "?suggestion=1")
        .content.decode()
    )
    assert 'value="2026-03-12"' in page


@pytest.mark.parametrize("data", [
    {"status": "started", "started_on": "32/13/2023"},
    {"status": "started", "started_on": ""},
    {"status": "fini"},
    {"status": "started", "started_on": "2023-01-01", "status_note": "x" * 400},
])  # fmt: skip
def test_bad_state_input_is_a_400_with_the_form(client_for, coordinator, contract, home_cpts,
                                                data):  # fmt: skip
    response = client_for(coordinator).post(_url("mission_status", home_cpts, "crise"), data)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert contract.missions.get(code="crise").status == "not_started"


def test_an_unknown_mission_or_no_contract_is_404(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    assert client.get(_url("mission_status", home_cpts, "crise")).status_code == 404
    services.apply_template(cpts=home_cpts, template="standard", signed_on=SIGNED,
                            actor=coordinator)  # fmt: skip
    assert client.get(_url("mission_status", home_cpts, "<script>")).status_code == 404


def test_the_board_sees_the_dashboard_but_cannot_set_a_state(client_for, board_member, contract,
                                                              home_cpts):  # fmt: skip
    client = client_for(board_member)
    assert client.get(_url("missions", home_cpts)).status_code == 200
    assert client.get(_url("mission_status", home_cpts, "crise")).status_code == 404


def test_the_territory_page_links_to_the_dashboard(client_for, coordinator, home_cpts, gp):
    link = _url("missions", home_cpts)
    page = client_for(coordinator).get(reverse("territory:territory", args=[home_cpts.slug]))
    assert link in page.content.decode()
    page = client_for(gp).get(reverse("territory:territory", args=[home_cpts.slug]))
    assert link not in page.content.decode()
