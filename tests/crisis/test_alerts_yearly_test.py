"""The yearly test of the contact tree: every active contact gets a "TEST" message without
an activation, and the test's page lists who acknowledged and who did not."""

import pytest
from django.urls import reverse

from maillage.crisis.models import Alert
from maillage.notifications.models import Notification
from maillage.notifications.services import record_answer
from tests.crisis import alerts_fixtures as make
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("crisis:test_alert", args=["pays-berjalliens"])


@pytest.fixture
def contacts(home_cpts, gp, nurse):
    return make.tree(home_cpts, gp, nurse)


def test_the_test_goes_to_every_contact_prefixed_test(contacts, client_for, coordinator,
                                                      mailoutbox, run_jobs):  # fmt: skip
    client = client_for(coordinator)
    assert "4 contacts actifs" in text(client.get(URL))
    response = client.post(URL, {"channels": ["email"], "message": "Confirmez, merci.",
                                 "escalate_after_minutes": "60"})  # fmt: skip
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crisis:alert", args=["pays-berjalliens",
                                                                 alert.public_id])  # fmt: skip
    assert alert.is_test and alert.activation is None and alert.groups == ["all"]
    assert alert.message == "TEST – Confirmez, merci."
    run_jobs()
    assert len(mailoutbox) == 4 and all(m.subject.startswith("TEST") for m in mailoutbox)


def test_the_result_lists_who_did_not_acknowledge(contacts, client_for, coordinator, gp):
    client = client_for(coordinator)
    client.post(URL, {"channels": ["email"], "message": "Confirmez.",
                      "escalate_after_minutes": "60"})  # fmt: skip
    alert = Alert.objects.get()
    record_answer(notification=Notification.objects.get(recipient=gp, kind="crisis.alert"),
                  answer="available_now")  # fmt: skip
    page = text(client.get(reverse("crisis:alert", args=["pays-berjalliens", alert.public_id])))
    waiting = page[page.index("Sans réponse (3)"):page.index("Ont répondu (1)")]
    assert "Dr Bruno Petit" in waiting and "Dr Alice Martin" not in waiting
    listing = text(client.get(URL))
    assert alert.created_at.strftime("%Y") in listing


def test_no_channel_is_refused_and_nothing_is_sent(contacts, client_for, coordinator):
    response = client_for(coordinator).post(URL, {"message": "x", "escalate_after_minutes": "5"})
    assert response.status_code == 400 and "Choisissez au moins un canal" in text(response)
    assert not Alert.objects.exists()


def test_an_empty_tree_is_refused(client_for, coordinator):
    response = client_for(coordinator).post(URL, {"channels": ["sms"], "message": "x",
                                                  "escalate_after_minutes": "5"})  # fmt: skip
    assert response.status_code == 400 and "Aucun contact" in text(response)


def test_only_the_coordination_runs_the_test(contacts, client_for, gp, board_member):
    for user in (gp, board_member):
        assert client_for(user).get(URL).status_code == 404
