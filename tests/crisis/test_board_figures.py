"""The crisis board: reached, answered, available now or later, unavailable, pending, per
alert and in total, by commune and by skill with the names of available people, the calls
of the register; live (the page polls its fragment); who may see it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.crisis import board
from maillage.crisis.alerts import send_alert, skills_text
from maillage.crisis.models import Call, CallCampaign, VulnerablePerson
from maillage.notifications.models import Notification
from maillage.notifications.services import record_answer
from tests.crisis import alerts_fixtures as make
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home_cpts, coordinator, gp, nurse, run_jobs):
    activation = make.activation(home_cpts, coordinator)
    people = make.tree(home_cpts, gp, nurse)
    first = send_alert(cpts=home_cpts, actor=coordinator, activation=activation,
                       groups=["all"], channels=["sms"], message="Tous.")  # fmt: skip
    run_jobs()  # the SMS go out: three of the four have a mobile
    second = send_alert(cpts=home_cpts, actor=coordinator, activation=activation,
                        groups=["profession:60"], channels=["email"], message="Infirmiers.")
    note = {key: Notification.objects.get(ref=f"crisis.alert:{first.public_id}",
                                          phone=c.mobile, email=c.email)
            for key, c in people.items()}  # fmt: skip
    record_answer(notification=note["gp"], answer="available_now",
                  skills=skills_text(["triage"]))
    record_answer(notification=note["gp2"], answer="available_from",
                  available_from=timezone.now() + datetime.timedelta(hours=2))
    record_answer(notification=note["nurse"], answer="unavailable")
    return activation, first, second, people


def test_figures_of_one_alert(world):
    _, first, _, _ = world
    assert board.alert_figures(first) == {
        "recipients": 4, "reached": 3, "answered": 3, "available_now": 1, "available_from": 1,
        "available": 2, "unavailable": 1, "pending": 1}  # fmt: skip


def test_the_activation_board_per_alert_in_total_by_commune_and_skill(world):
    activation, first, second, _ = world
    data = board.activation_board(activation)
    assert [row["alert"] for row in data["alerts"]] == [second, first]
    assert data["alerts"][0]["figures"]["recipients"] == 1
    assert data["alerts"][0]["figures"]["reached"] == 0  # its e-mail is still queued
    assert data["total"]["recipients"] == 5 and data["total"]["pending"] == 2
    communes = {row["name"]: row for row in data["communes"]}
    bourgoin = communes["Bourgoin-Jallieu"]
    assert bourgoin["available"] == 1 and [p["name"] for p in bourgoin["people"]] == [
        "Dr Alice Martin"]
    skills = {row["code"]: row for row in data["skills"]}
    # Her skill in the tree (vaccinator) and the one she ticked in her answer (triage).
    assert skills["vaccinator"]["available"] == 1 and skills["triage"]["available"] == 1
    assert "home-visits" not in skills  # the nurse is unavailable
    assert data["calls"] == []


def test_the_calls_of_the_register_are_counted_when_there_are_some(world, home_cpts, gp):
    from maillage.patients.models import Patient

    activation = world[0]
    campaign = CallCampaign.objects.create(cpts=home_cpts, activation=activation, title="Appels")
    assert board.activation_board(activation)["calls"] == []
    patients = list(Patient.objects.filter(cpts=home_cpts)[:2])
    assert len(patients) == 2, "the demo has patients"
    for patient, outcome in zip(patients, ("fine", "not_reached"), strict=True):
        person = VulnerablePerson.objects.create(
            cpts=home_cpts, patient=patient, referent=gp, commune_id=make.contact(
                home_cpts, f"x{patient.pk}").commune_id,
            consent_on=timezone.localdate(), consent_by="person")  # fmt: skip
        Call.objects.create(cpts=home_cpts, campaign=campaign, person=person, outcome=outcome)
    counts = {row["outcome"]: row["count"] for row in board.activation_board(activation)["calls"]}
    assert counts == {"pending": 0, "fine": 1, "needs_help": 0, "not_reached": 1, "mayor": 0}


def test_the_page_shows_the_figures_names_with_tel_links_and_polls(world, client_for,
                                                                     coordinator):  # fmt: skip
    activation = world[0]
    url = reverse("crisis:board", args=["pays-berjalliens", activation.public_id])
    page = client_for(coordinator).get(url)
    body = text(page)
    assert page.status_code == 200
    assert 'href="tel:+33611111111">Dr Alice Martin</a>' in body
    assert 'hx-trigger="every 5s"' in body and "data-pause-hidden" in body
    assert "EXERCICE" in body
    assert reverse("crisis:alert_new", args=["pays-berjalliens", activation.public_id]) in body
    fragment = client_for(coordinator).get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert 'id="board-live"' in fragment.content.decode()


def test_the_board_follows_an_answer_without_anything_else(world, client_for, coordinator):
    activation, first, _, people = world
    url = reverse("crisis:board", args=["pays-berjalliens", activation.public_id])
    client = client_for(coordinator)
    assert "Mairie de Bourgoin" not in text(client.get(url, HTTP_HX_REQUEST="true"))
    note = Notification.objects.get(ref=f"crisis.alert:{first.public_id}",
                                    email=people["mayor"].email)  # fmt: skip
    record_answer(notification=note, answer="available_now")
    assert "Mairie de Bourgoin" in text(client.get(url, HTTP_HX_REQUEST="true"))


def test_the_board_is_for_the_coordination_and_the_board_members(
        world, client_for, gp, board_member, outsider):  # fmt: skip
    activation = world[0]
    url = reverse("crisis:board", args=["pays-berjalliens", activation.public_id])
    assert client_for(gp).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    page = client_for(board_member).get(url)
    assert page.status_code == 200
    # No link to what a board member may not open.
    assert "alerter/" not in page.content.decode()


def test_the_alert_page_lists_who_answered_and_who_did_not(world, client_for, board_member):
    _, first, _, _ = world
    url = reverse("crisis:alert", args=["pays-berjalliens", first.public_id])
    body = text(client_for(board_member).get(url))
    assert "Sans réponse (1)" in body and "Ont répondu (3)" in body
    assert body.index("Mairie de Bourgoin") < body.index("Ont répondu")
