"""Proofs for the contract: the plan delivered and updated, per real activation the
professionals mobilised, the actions carried out and the people reached; exercises count
nowhere; the indicators and attendance registries; the PDF and the CSV."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import attendance, indicators
from maillage.crisis import activations, proofs
from maillage.crisis.models import Alert, PlanVersion
from tests.conftest import HOME
from tests.crisis.activation_fixtures import (
    answer_available,
    cell_member,
    crisis,
    exercise,
    plan_actions,
    reached_call,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_cpts, coordinator, gp, nurse, pharmacist):
    """A real crisis and an exercise run the same way: three cell members alerted, two
    answer available (one twice), one plan action, two other entries and a correction,
    one person reached and one not."""
    actions = plan_actions(home_cpts, coordinator)
    contacts = [cell_member(home_cpts, u) for u in (gp, nurse, pharmacist)]
    made = {}
    for key, start in (("real", crisis), ("exercise", exercise)):
        activation = start(home_cpts, coordinator, convene_cell=True, cell_channels=["inapp"])
        alert = activation.convened
        answer_available(alert, contacts[0])
        answer_available(alert, contacts[1], answer="available_from")
        # A second alert to the same person: still one professional.
        again = activations.alerts.send_alert(
            cpts=home_cpts, actor=coordinator, activation=activation, groups=["cell"],
            channels=["inapp"], message="Point de situation")  # fmt: skip
        answer_available(again, contacts[0])
        activations.action_done(activation=activation, actor=coordinator, code=actions[0][0])
        entry = activations.add_entry(activation=activation, actor=gp, text="Cabinet ouvert")
        activations.add_entry(activation=activation, actor=nurse, text="Tournée faite")
        activations.correct_entry(entry=entry, actor=gp, text="Cabinet ouvert jusqu'à 20 h")
        reached_call(home_cpts, activation, coordinator, outcome="fine", name=f"Ondine{key}")
        reached_call(home_cpts, activation, coordinator, outcome="not_reached",
                     name=f"Zelie{key}")  # fmt: skip
        made[key] = activation
    return made


def _year():
    return timezone.localdate().year


def _period():
    return (datetime.date(_year(), 1, 1), datetime.date(_year(), 12, 31))


def test_per_activation_figures_count_the_real_crisis_only(world, home_cpts):
    result = proofs.year_proofs(home_cpts, _year())
    assert [r.activation for r in result.activations] == [world["real"]]
    row = result.activations[0]
    assert (row.professionals, row.plan_actions, row.other_entries, row.reached) == (2, 1, 2, 1)
    assert result.professionals == 2


def test_indicators_are_registered_and_exclude_exercises(world, home_cpts):
    codes = {i.code for i in indicators.for_mission("crisis")}
    assert codes >= {"crisis.activations", "crisis.professionals_mobilised",
                     "crisis.actions_carried_out", "crisis.vulnerable_reached"}
    period = _period()
    assert indicators.compute("crisis.activations", home_cpts, period).value == 1
    assert indicators.compute("crisis.professionals_mobilised", home_cpts, period).value == 2
    actions = indicators.compute("crisis.actions_carried_out", home_cpts, period)
    assert actions.value == 3 and "dont 1 action" in actions.note
    assert indicators.compute("crisis.vulnerable_reached", home_cpts, period).value == 1
    last_year = (datetime.date(_year() - 1, 1, 1), datetime.date(_year() - 1, 12, 31))
    assert indicators.compute("crisis.activations", home_cpts, last_year).value == 0


def test_attendance_has_one_half_day_per_professional_available_in_a_real_crisis(
    world, home_cpts, gp, nurse
):
    assert "crisis" in attendance.REGISTRY
    rows = [r for r in attendance.records(home_cpts, _period()) if r.activity == "crisis"]
    assert sorted(r.user_id for r in rows) == sorted([gp.pk, nurse.pk])
    assert {r.minutes for r in rows} == {proofs.ATTENDANCE_MINUTES}
    assert all(str(world["real"].public_id) in r.ref for r in rows)
    assert all("disponible" in r.proof for r in rows)


def test_the_plan_delivered_and_the_yearly_update(home_cpts, coordinator, board_member):
    now = timezone.now()
    PlanVersion.objects.create(cpts=home_cpts, number=1, frame_version="2022-12",
                               approved_at=now - datetime.timedelta(days=400),
                               approved_by=board_member,
                               delivered_on=(now - datetime.timedelta(days=390)).date())
    PlanVersion.objects.create(cpts=home_cpts, number=2, frame_version="2022-12",
                               approved_at=now, approved_by=board_member,
                               note="Mise à jour annuelle")
    PlanVersion.objects.create(cpts=home_cpts, number=3, frame_version="2022-12")  # draft
    result = proofs.year_proofs(home_cpts, now.year)
    assert result.first_delivered.number == 1
    assert [v.number for v in result.versions] == [2]


@pytest.mark.parametrize("role", ["coordinator", "gp", "partner", "board_member"])
def test_every_member_reads_the_proofs_page(world, client_for, request, role):
    response = client_for(request.getfixturevalue(role)).get(
        reverse("crisis:proofs", args=[HOME]))
    assert response.status_code == 200
    body = response.content.decode()
    assert world["real"].title in body and "Exercice NRBC" not in body


def test_the_csv_has_one_row_per_real_activation_and_neutralises_formulas(
    world, client_for, coordinator, home_cpts
):
    world["real"].title = "=HYPERLINK(\"http://x\")"
    world["real"].save(update_fields=["title"])
    response = client_for(coordinator).get(
        reverse("crisis:proofs_export", args=[HOME, "csv"]) + f"?annee={_year()}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    cells = lines[1].split(";")
    assert "'=HYPERLINK" in lines[1]
    assert cells[-4:] == ["2", "1", "2", "1"]


def test_the_pdf_is_a_pdf(world, client_for, coordinator):
    response = client_for(coordinator).get(reverse("crisis:proofs_export", args=[HOME, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_an_unknown_export_format_or_year_is_handled(client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(reverse("crisis:proofs_export", args=[HOME, "xls"])).status_code == 404
    page = client.get(reverse("crisis:proofs", args=[HOME]) + "?annee=99999999999999")
    assert page.status_code == 200 and str(_year()) in page.content.decode()


def test_an_alert_without_activation_counts_nowhere(home_cpts, coordinator, gp):
    contact = cell_member(home_cpts, gp)
    alert = activations.alerts.send_alert(cpts=home_cpts, actor=coordinator, activation=None,
                                          groups=["cell"], channels=["inapp"],
                                          message="Test annuel", is_test=True)  # fmt: skip
    answer_available(alert, contact)
    assert Alert.objects.filter(is_test=True).exists()
    assert indicators.compute("crisis.professionals_mobilised", home_cpts, _period()).value == 0
    assert [r for r in attendance.records(home_cpts, _period()) if r.activity == "crisis"] == []
