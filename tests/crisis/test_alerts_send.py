"""Sending an alert: the form and the service refuse bad input with a message next to the
field and write nothing; an exercise's messages start with "EXERCICE"; nobody can mute a
crisis alert."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.crisis.alerts import send_alert
from maillage.crisis.models import Alert, AlertRecipient
from maillage.notifications.models import Delivery, Notification, Preference
from tests.crisis import alerts_fixtures as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(home_cpts, coordinator, gp, nurse):
    return make.activation(home_cpts, coordinator), make.tree(home_cpts, gp, nurse)


def _send(cpts, user, activation, **kwargs):
    values = {"groups": ["profession:10"], "channels": ["sms", "email"],
              "message": "Renfort demandé au gymnase."} | kwargs  # fmt: skip
    return send_alert(cpts=cpts, actor=user, activation=activation, **values)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"groups": []}, "groups"),
    ({"groups": ["profession:abc"]}, "groups"),
    ({"channels": []}, "channels"),
    ({"channels": ["pigeon"]}, "channels"),
    ({"message": "  \x00 "}, "message"),
    ({"message": "x" * 601}, "message"),
    ({"groups": ["profession:50"]}, "groups"),  # nobody in it
    ({"escalate_after_minutes": 0}, "escalate_after_minutes"),
    ({"escalate_after_minutes": 1441}, "escalate_after_minutes"),
])  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(setup, home_cpts, coordinator, kwargs,
                                                        field):  # fmt: skip
    activation, _ = setup
    with pytest.raises(ValidationError) as caught:
        _send(home_cpts, coordinator, activation, **kwargs)
    assert field in caught.value.message_dict
    assert not Alert.objects.exists() and not Notification.objects.filter(
        kind="crisis.alert").exists()


def test_an_ended_activation_is_refused(setup, home_cpts, coordinator):
    activation, _ = setup
    activation.ended_at = timezone.now()
    activation.save()
    with pytest.raises(ValidationError) as caught:
        _send(home_cpts, coordinator, activation)
    assert "activation" in caught.value.message_dict
    assert not Alert.objects.exists()


def test_an_exercise_message_starts_with_exercice_on_every_channel(
        setup, home_cpts, coordinator, run_jobs, mailoutbox):  # fmt: skip
    activation, tree = setup
    alert = _send(home_cpts, coordinator, activation)
    assert alert.message.startswith("EXERCICE")
    assert AlertRecipient.objects.filter(alert=alert).count() == 2  # the two GPs
    notes = Notification.objects.filter(ref=f"crisis.alert:{alert.public_id}")
    assert all(n.subject.startswith("EXERCICE") and n.body.startswith("EXERCICE") for n in notes)
    run_jobs()
    assert {m.subject for m in mailoutbox} == {"EXERCICE – Exercice canicule"}
    assert all("/crise/reponse/" in m.body for m in mailoutbox)
    assert AuditEvent.objects.filter(action="crisis.alert_send").count() == 1


def test_a_real_crisis_message_has_no_prefix(home_cpts, coordinator, gp, nurse):
    activation = make.activation(home_cpts, coordinator, kind="vigilance", title="Canicule")
    make.tree(home_cpts, gp, nurse)
    alert = _send(home_cpts, coordinator, activation)
    assert alert.message == "Renfort demandé au gymnase."


def test_a_muted_preference_does_not_stop_a_crisis_alert(setup, home_cpts, coordinator, gp):
    activation, _ = setup
    for channel in ("email", "sms", "in_app"):
        Preference.objects.create(user=gp, kind="crisis.alert", channel=channel, enabled=False)
    _send(home_cpts, coordinator, activation, channels=["email", "inapp"])
    note = Notification.objects.get(kind="crisis.alert", recipient=gp)
    assert note.in_app
    assert set(Delivery.objects.filter(notification=note).values_list("channel", "status")) == {
        ("email", "pending"), ("in_app", "sent")}


def test_a_contact_in_two_groups_is_alerted_once(setup, home_cpts, coordinator):
    activation, _ = setup
    alert = _send(home_cpts, coordinator, activation,
                  groups=["profession:10", "skill:vaccinator", "commune:38053", "all"])
    assert alert.recipients.count() == 4


# The form ---------------------------------------------------------------------------------


def _url(name, activation, slug="pays-berjalliens"):
    return reverse(name, args=[slug, activation.public_id])


def test_the_form_sends_and_lands_on_the_board(setup, client_for, coordinator):
    activation, _ = setup
    response = client_for(coordinator).post(_url("crisis:alert_new", activation), {
        "professions": ["10"], "channels": ["sms", "email"], "message": "Venez",
        "escalate_after_minutes": "10"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == _url("crisis:board", activation)
    alert = Alert.objects.get()
    assert alert.groups == ["profession:10"] and alert.escalate_after_minutes == 10
    assert alert.channels == ["email", "sms"]


@pytest.mark.parametrize(("data", "message"), [
    ({"channels": ["sms"], "message": "Venez"}, "Choisissez au moins un groupe"),
    ({"everyone": "on", "message": "Venez"}, "Choisissez au moins un canal"),
    ({"everyone": "on", "channels": ["sms"]}, "Écrivez le message"),
    ({"skills": ["nrbc"], "channels": ["sms"], "message": "Venez"}, "Aucun contact dans ces"),
    ({"everyone": "on", "channels": ["sms"], "message": "x" * 700}, "600 caractères au plus"),
])  # fmt: skip
def test_the_form_refuses_bad_input_with_a_clear_message(setup, client_for, coordinator, data,
                                                         message):  # fmt: skip
    activation, _ = setup
    data = {"escalate_after_minutes": "15"} | data
    response = client_for(coordinator).post(_url("crisis:alert_new", activation), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Alert.objects.exists()


def test_the_form_of_an_ended_activation_refuses_to_send(setup, client_for, coordinator):
    activation, _ = setup
    activation.ended_at = timezone.now()
    activation.save()
    client = client_for(coordinator)
    assert "est terminée" in client.get(_url("crisis:alert_new", activation)).content.decode()
    response = client.post(_url("crisis:alert_new", activation), {
        "everyone": "on", "channels": ["sms"], "message": "Venez", "escalate_after_minutes": "5"})
    assert response.status_code == 400 and not Alert.objects.exists()


def test_the_form_offers_the_professions_present_with_their_names(setup, client_for, coordinator):
    activation, _ = setup
    page = client_for(coordinator).get(_url("crisis:alert_new", activation)).content.decode()
    assert "Médecin" in page and "Infirmier" in page and "Sage-femme" not in page


def test_the_live_count_says_how_many_would_be_alerted(setup, client_for, coordinator):
    activation, _ = setup
    client = client_for(coordinator)
    url = _url("crisis:alert_count", activation)
    gps = client.post(url, {"professions": ["10"]}).content.decode()
    assert "<strong>2</strong> contacts" in gps
    both = client.post(url, {"professions": ["10"], "cell": "on"}).content.decode()
    assert "<strong>3</strong>" in both
    assert "Cochez au moins un groupe" in client.post(url, {}).content.decode()
    assert not Alert.objects.exists()


def test_only_the_coordination_sends_alerts(setup, client_for, gp, board_member, outsider):
    activation, _ = setup
    for user in (gp, board_member, outsider):
        response = client_for(user).post(_url("crisis:alert_new", activation), {
            "everyone": "on", "channels": ["sms"], "message": "x", "escalate_after_minutes": "5"})
        assert response.status_code == 404
    assert not Alert.objects.exists()
