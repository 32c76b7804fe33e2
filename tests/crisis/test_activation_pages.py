"""The crisis hub and the activation form: who opens them, the refusal of a crisis without
a decision with the one-click switch to a vigilance or an exercise, the cell convened,
the landing on the board, another CPTS's activation out of reach."""

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from maillage.crisis.models import Activation, Alert
from tests.conftest import HOME, OTHER
from tests.crisis.activation_fixtures import cell_member, crisis, exercise

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("crisis:activate", args=[HOME])


def _form(**extra):
    data = {"kind": "crisis", "crisis_type": "afflux-malades", "title": "Canicule d'août",
            "trigger_authority": "", "trigger_reference": "", "trigger_on": "",
            "public_notice": "", "convene_cell": "on", "cell_channels": ["inapp", "email"]}
    data.update(extra)
    return data


def test_the_hub_lists_live_activations_first_and_offers_activation_to_the_coordination(
    client_for, coordinator, gp, home_cpts
):
    live = crisis(home_cpts, coordinator, title="Crise vivante")
    page = client_for(coordinator).get(reverse("crisis:index", args=[HOME]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Crise vivante" in body and ACTIVATE in body
    assert reverse("crisis:board", args=[HOME, live.public_id]) in body
    gp_page = client_for(gp).get(reverse("crisis:index", args=[HOME])).content.decode()
    assert ACTIVATE not in gp_page
    assert reverse("crisis:activation", args=[HOME, live.public_id]) in gp_page


def test_a_crisis_without_decision_is_refused_with_the_switch_and_nothing_is_written(
    client_for, coordinator, home_cpts
):
    response = client_for(coordinator).post(ACTIVATE, _form())
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "Une crise n'est activée que sur décision du DG de l'ARS" in body
    assert 'name="switch_kind" value="vigilance"' in body
    assert 'name="switch_kind" value="exercise"' in body
    assert "Canicule d'août" in body  # what was typed is kept
    assert not Activation.objects.filter(cpts=home_cpts).exists()


def test_switching_to_an_exercise_keeps_what_was_typed_and_lands_on_the_board(
    client_for, coordinator, gp, home_cpts
):
    cell_member(home_cpts, gp)
    response = client_for(coordinator).post(ACTIVATE, _form(switch_kind="exercise"))
    activation = Activation.objects.get(cpts=home_cpts)
    assert activation.kind == "exercise" and activation.title == "Canicule d'août"
    assert response.status_code == 302
    assert response["Location"] == reverse("crisis:board", args=[HOME, activation.public_id])
    alert = Alert.objects.get(activation=activation)
    assert alert.message.startswith("EXERCICE") and alert.groups == ["cell"]


def test_a_crisis_with_its_decision_is_activated_and_convenes_the_cell(
    client_for, coordinator, gp, home_cpts
):
    cell_member(home_cpts, gp)
    client = client_for(coordinator)
    response = client.post(ACTIVATE, _form(trigger_authority="ars",
                                           trigger_reference="DGARS 2026-31",
                                           trigger_on="2026-07-30"))  # fmt: skip
    activation = Activation.objects.get(cpts=home_cpts)
    assert activation.kind == "crisis" and activation.trigger_on.isoformat() == "2026-07-30"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("cellule convoquée : 1 membre(s)" in m for m in said), said


def test_without_a_cell_member_the_page_says_nobody_was_convened(
    client_for, coordinator, home_cpts
):
    response = client_for(coordinator).post(
        ACTIVATE, _form(kind="vigilance"))
    assert Activation.objects.filter(cpts=home_cpts, kind="vigilance").exists()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("personne n'a été convoqué" in m for m in said), said


def test_convening_without_a_channel_is_refused_next_to_the_channels(
    client_for, coordinator, home_cpts
):
    data = _form(kind="exercise")
    data.pop("cell_channels")
    response = client_for(coordinator).post(ACTIVATE, data)
    assert response.status_code == 400
    assert "au moins un canal" in html.unescape(response.content.decode())
    assert not Activation.objects.filter(cpts=home_cpts).exists()


@pytest.mark.parametrize("role", ["gp", "partner", "board_member", "regulator"])
def test_only_the_coordination_opens_the_activation_form(client_for, request, role):
    user = request.getfixturevalue(role)
    assert client_for(user).get(ACTIVATE).status_code == 404
    assert client_for(user).post(ACTIVATE, _form(kind="exercise")).status_code == 404
    assert not Activation.objects.exists()


def test_another_cpts_activation_is_a_404_on_every_page(
    client_for, coordinator, outsider, other_cpts
):
    theirs = exercise(other_cpts, outsider)
    client = client_for(coordinator)
    for name in ("activation", "retex"):
        assert client.get(reverse(f"crisis:{name}", args=[HOME, theirs.public_id])
                          ).status_code == 404  # fmt: skip
    for name in ("log_entry", "end", "notice", "action_done"):
        assert client.post(reverse(f"crisis:{name}", args=[HOME, theirs.public_id]),
                           {"text": "x"}).status_code == 404  # fmt: skip
    # Nor through their own CPTS's URL.
    assert client.get(reverse("crisis:activation", args=[OTHER, theirs.public_id])
                      ).status_code == 404  # fmt: skip
    theirs.refresh_from_db()
    assert theirs.ended_at is None and not theirs.log.exists()


def test_a_malformed_activation_id_is_a_404(client_for, coordinator):
    assert client_for(coordinator).get(
        reverse("crisis:activation", args=[HOME, "pas-un-uuid"])).status_code == 404
