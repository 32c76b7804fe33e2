"""The end of an activation and its RETEX: ended once, the log closed, the RETEX's
conclusions in the plan's draft and on the activation page; the home cards."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core import home
from maillage.core.models import AuditEvent, Membership
from maillage.crisis import activations, plan
from maillage.crisis.models import Retex
from tests.conftest import HOME
from tests.crisis.activation_fixtures import crisis, exercise

pytestmark = pytest.mark.django_db


def _url(name, activation):
    return reverse(f"crisis:{name}", args=[HOME, activation.public_id])


def test_ending_opens_the_retex_and_closes_the_log(client_for, coordinator, home_cpts):
    activation = crisis(home_cpts, coordinator)
    client = client_for(coordinator)
    response = client.post(_url("end", activation))
    assert response.status_code == 302 and response["Location"] == _url("retex", activation)
    activation.refresh_from_db()
    assert activation.ended_at is not None and activation.ended_by == coordinator
    assert Retex.objects.filter(activation=activation, completed_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        activations.add_entry(activation=activation, actor=coordinator, text="Trop tard")
    assert client.post(_url("log_entry", activation), {"text": "x"}).status_code == 400


def test_ending_twice_changes_nothing(client_for, coordinator, board_member, home_cpts):
    activation = crisis(home_cpts, coordinator)
    activations.end(activation=activation, actor=coordinator)
    activation.refresh_from_db()
    first = activation.ended_at
    client_for(coordinator).post(_url("end", activation))
    activation.refresh_from_db()
    assert activation.ended_at == first and activation.ended_by == coordinator
    assert AuditEvent.objects.filter(action="crisis.end").count() == 1
    assert Retex.objects.filter(activation=activation).count() == 1


def test_the_retex_conclusions_enter_the_plans_draft_and_show_on_the_activation(
    client_for, coordinator, home_cpts
):
    activation = crisis(home_cpts, coordinator, title="Canicule 2026")
    activations.end(activation=activation, actor=coordinator)
    client = client_for(coordinator)
    assert client.get(_url("retex", activation)).status_code == 200
    response = client.post(_url("retex", activation), {
        "what_worked": "L'arbre d'alerte", "what_failed": "Les SMS tardifs",
        "conclusions": "Ajouter un second fournisseur de SMS."})  # fmt: skip
    assert response.status_code == 302
    retex = Retex.objects.get(activation=activation)
    assert retex.completed_by == coordinator
    section = plan.draft(home_cpts)["exercises"]
    assert "Ajouter un second fournisseur de SMS." in section.body
    assert section.from_retex == retex
    body = html.unescape(client.get(_url("activation", activation)).content.decode())
    assert "Les SMS tardifs" in body and "Ajouter un second fournisseur" in body
    # Completing again updates the RETEX, not the draft twice.
    client.post(_url("retex", activation), {"conclusions": "Autre chose."})
    assert plan.draft(home_cpts)["exercises"].body.count("RETEX du") == 1


def test_a_retex_needs_conclusions_and_an_ended_activation(client_for, coordinator, home_cpts):
    activation = crisis(home_cpts, coordinator)
    with pytest.raises(ValidationError):
        activations.complete_retex(activation=activation, actor=coordinator, what_worked="",
                                   what_failed="", conclusions="x")  # fmt: skip
    activations.end(activation=activation, actor=coordinator)
    response = client_for(coordinator).post(_url("retex", activation), {"conclusions": " "})
    assert response.status_code == 400
    assert "Écrivez les conclusions" in html.unescape(response.content.decode())
    assert "exercises" not in plan.draft(home_cpts)


def _cards(user, cpts):
    membership = Membership.objects.get(user=user, cpts=cpts)
    return {c.name: c for c in home.cards_for(membership)}


def test_home_shows_a_live_crisis_to_every_member_with_their_own_link(
    coordinator, gp, partner, board_member, home_cpts
):
    activation = crisis(home_cpts, coordinator)
    board = reverse("crisis:board", args=[HOME, activation.public_id])
    assert _cards(coordinator, home_cpts)["crisis.live"].items[0].url == board
    assert _cards(gp, home_cpts)["crisis.live"].items[0].url == _url("activation", activation)
    assert _cards(board_member, home_cpts)["crisis.live"].items[0].url == board
    assert _cards(partner, home_cpts)["crisis.live"].items[0].url == reverse(
        "crisis:index", args=[HOME])


def test_home_shows_no_banner_for_an_exercise_and_a_retex_to_complete_after_the_end(
    coordinator, gp, home_cpts
):
    activation = exercise(home_cpts, coordinator)
    assert "crisis.live" not in _cards(gp, home_cpts)
    activations.end(activation=activation, actor=coordinator)
    card = _cards(coordinator, home_cpts)["crisis.retex"]
    assert card.count == 1 and card.items[0].url == _url("retex", activation)
    assert "crisis.retex" not in _cards(gp, home_cpts)
