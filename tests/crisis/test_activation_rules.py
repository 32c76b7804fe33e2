"""Activation rules: a crisis only on the decision of the ARS, the préfet or the minister
(with its reference), otherwise a vigilance or an exercise; one live crisis per CPTS;
convening the cell in the same action; the API's 201 and 422 naming `trigger`."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.crisis import activations
from maillage.crisis.models import Activation, Alert, AlertRecipient
from tests.crisis.activation_fixtures import cell_member, crisis, exercise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("authority", ["ars", "prefet", "ministre"])
def test_a_crisis_is_activated_on_each_authorised_decision(home_cpts, coordinator, authority):
    activation = crisis(home_cpts, coordinator, trigger_authority=authority)
    assert activation.kind == "crisis" and activation.trigger_authority == authority
    assert AuditEvent.objects.filter(action="crisis.activate",
                                     object_id=activation.public_id).exists()


@pytest.mark.parametrize("authority,reference", [
    ("", "Arrêté 12"), ("prefet", ""), ("prefet", "   "), ("maire", "Arrêté 12"),
    ("", ""),
])  # fmt: skip
def test_a_crisis_without_an_authorised_decision_is_refused_and_offers_vigilance_or_exercise(
    home_cpts, coordinator, authority, reference
):
    with pytest.raises(ValidationError) as caught:
        crisis(home_cpts, coordinator, trigger_authority=authority, trigger_reference=reference)
    assert list(caught.value.message_dict) == ["trigger"]
    message = caught.value.message_dict["trigger"][0]
    assert "DG de l'ARS, du préfet ou du ministre" in message
    assert "vigilance ou un exercice" in message
    assert not Activation.objects.filter(cpts=home_cpts).exists()


@pytest.mark.parametrize("kind", ["vigilance", "exercise"])
def test_a_vigilance_or_an_exercise_needs_no_trigger(home_cpts, coordinator, kind):
    activation = activations.activate(cpts=home_cpts, actor=coordinator, kind=kind,
                                      crisis_type="afflux-malades", title="")
    assert activation.kind == kind and activation.trigger_authority == ""
    assert activation.title  # a default title from the kind and type


def test_unknown_kind_or_crisis_type_names_the_field(home_cpts, coordinator):
    with pytest.raises(ValidationError) as caught:
        activations.activate(cpts=home_cpts, actor=coordinator, kind="alerte",
                             crisis_type="nrbc", title="x")
    assert list(caught.value.message_dict) == ["kind"]
    with pytest.raises(ValidationError) as caught:
        activations.activate(cpts=home_cpts, actor=coordinator, kind="vigilance",
                             crisis_type="meteorite", title="x")
    assert list(caught.value.message_dict) == ["crisis_type"]


def test_one_live_crisis_at_a_time_but_exercises_and_vigilances_run_beside(
    home_cpts, other_cpts, coordinator, outsider
):
    first = crisis(home_cpts, coordinator)
    with pytest.raises(ValidationError) as caught:
        crisis(home_cpts, coordinator, title="Deuxième")
    assert "déjà en cours" in caught.value.message_dict["kind"][0]
    exercise(home_cpts, coordinator)
    activations.activate(cpts=home_cpts, actor=coordinator, kind="vigilance",
                         crisis_type="afflux-malades", title="Canicule")
    crisis(other_cpts, outsider)  # another CPTS has its own
    activations.end(activation=first, actor=coordinator)
    assert crisis(home_cpts, coordinator, title="Après la fin").kind == "crisis"


def test_convening_the_cell_alerts_its_members_in_the_same_action(
    home_cpts, coordinator, gp, nurse
):
    member = cell_member(home_cpts, gp)
    cell_member(home_cpts, nurse, in_cell=False)
    activation = crisis(home_cpts, coordinator, convene_cell=True, cell_channels=["inapp"])
    alert = Alert.objects.get(activation=activation)
    assert alert.groups == ["cell"]
    assert list(AlertRecipient.objects.filter(alert=alert).values_list("contact", flat=True)) \
        == [member.pk]
    assert activation.convened == alert and activation.convene_error == ""


def test_an_exercise_convocation_starts_with_exercice(home_cpts, coordinator, gp):
    cell_member(home_cpts, gp)
    activation = exercise(home_cpts, coordinator, convene_cell=True)
    assert Alert.objects.get(activation=activation).message.startswith("EXERCICE")


def test_without_a_cell_member_the_activation_happens_and_says_nobody_was_convened(
    home_cpts, coordinator
):
    activation = crisis(home_cpts, coordinator, convene_cell=True)
    assert Activation.objects.filter(pk=activation.pk).exists()
    assert activation.convened is None
    assert "Aucun contact" in activation.convene_error
    assert not Alert.objects.filter(activation=activation).exists()


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_clean_text_never_keeps_nul_and_respects_its_limit(value):
    try:
        cleaned = activations.clean_text(value, field="text", max_length=120, required=True)
    except ValidationError as exc:
        assert list(exc.message_dict) == ["text"]
        stripped = value.replace("\x00", "").strip()
        assert not stripped or len(stripped) > 120
    else:
        assert "\x00" not in cleaned and 0 < len(cleaned) <= 120
        assert cleaned == cleaned.strip()


# The API --------------------------------------------------------------------------------


def _post(client, user, body):
    return client.post("/api/v1/crisis/activations", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")  # fmt: skip


def test_api_activates_a_crisis_with_its_trigger(client, coordinator, home_cpts):
    response = _post(client, coordinator, {
        "kind": "crisis", "crisis_type": "risque-infectieux", "title": "Vaccination",
        "trigger": {"authority": "ars", "reference": "DGARS-2026-7", "on": "2026-01-05"}})
    assert response.status_code == 201, response.content
    activation = Activation.objects.get(public_id=response.json()["id"])
    assert (activation.cpts, activation.trigger_authority, activation.trigger_reference) == (
        home_cpts, "ars", "DGARS-2026-7")


@pytest.mark.parametrize("body", [
    {"kind": "crisis", "crisis_type": "nrbc"},
    {"kind": "crisis", "crisis_type": "nrbc", "trigger": None},
    {"kind": "crisis", "crisis_type": "nrbc", "trigger": {"authority": "ars", "reference": " "}},
])  # fmt: skip
def test_api_refuses_a_crisis_without_trigger_with_422_naming_trigger(client, coordinator, body):
    response = _post(client, coordinator, body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == "trigger"
    assert "vigilance ou un exercice" in errors[0]["message"]
    assert not Activation.objects.exists()


def test_api_unknown_authority_is_a_422_naming_trigger_authority(client, coordinator):
    response = _post(client, coordinator, {"kind": "crisis", "crisis_type": "nrbc",
                                           "trigger": {"authority": "maire", "reference": "1"}})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["trigger.authority"]


def test_api_second_live_crisis_is_a_422_naming_kind(client, coordinator):
    body = {"kind": "crisis", "crisis_type": "nrbc",
            "trigger": {"authority": "prefet", "reference": "A-1"}}
    assert _post(client, coordinator, body).status_code == 201
    response = _post(client, coordinator, body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "kind"


def test_api_exercise_without_trigger_is_created(client, coordinator):
    response = _post(client, coordinator, {"kind": "exercise", "crisis_type": "offre-de-soins"})
    assert response.status_code == 201
    assert Activation.objects.get(public_id=response.json()["id"]).is_exercise


@pytest.mark.parametrize("role", ["gp", "partner", "board_member"])
def test_api_activation_is_refused_to_whoever_does_not_manage_crises(client, request, role):
    user = request.getfixturevalue(role)
    response = _post(client, user, {"kind": "exercise", "crisis_type": "nrbc"})
    assert response.status_code == 404
    assert not Activation.objects.exists()


def test_api_lists_the_callers_cpts_only(client, coordinator, outsider, home_cpts, other_cpts):
    mine = exercise(home_cpts, coordinator)
    exercise(other_cpts, outsider, title="Ailleurs")
    response = client.get("/api/v1/crisis/activations",
                          HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=coordinator)}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(mine.public_id)]


def test_api_an_outsider_cannot_activate_in_another_cpts(client, outsider, home_cpts):
    response = _post(client, outsider, {"kind": "exercise", "crisis_type": "nrbc",
                                        "cpts": home_cpts.slug})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "cpts"
    assert not Activation.objects.filter(cpts=home_cpts).exists()
