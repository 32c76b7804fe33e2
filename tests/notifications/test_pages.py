"""The bell, the list with mark as read, the preferences page, and the sender's view of
delivery status."""

import pytest
from django.urls import reverse

from maillage.notifications.models import Delivery, Notification, Preference
from maillage.notifications.services import notify
from tests.conftest import HOME
from tests.utils import text

pytestmark = pytest.mark.django_db


def _message(home_cpts, user, subject="Trois tâches en retard", sender=None, **extra):
    [message] = notify(cpts=home_cpts, recipients=[user], kind="notifications.test",
                       subject=subject, body="Voir vos parcours.", link="/parcours/",
                       sender=sender, **extra)  # fmt: skip
    return message


def test_the_bell_shows_the_unread_count_on_every_page(home_cpts, gp, client_for):
    client = client_for(gp)
    _message(home_cpts, gp)
    _message(home_cpts, gp, subject="Une proposition")
    page = text(client.get(reverse("directory:directory", args=[HOME])))
    assert 'id="notification-bell"' in page
    assert "Notifications : 2 non lues" in page


def test_the_list_shows_only_my_messages_and_marks_one_read_with_htmx(home_cpts, gp, nurse,
                                                                       client_for):  # fmt: skip
    mine = _message(home_cpts, gp)
    _message(home_cpts, nurse, subject="Pour l'infirmière")
    client = client_for(gp)
    page = text(client.get(reverse("notifications:inbox")))
    assert "Trois tâches en retard" in page and "Pour l'infirmière" not in page
    response = client.post(reverse("notifications:mark_read", args=[mine.public_id]),
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200
    fragment = text(response)
    assert "Non lue" not in fragment and 'hx-swap-oob="true"' in fragment
    assert "aucune non lue" in fragment
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_nobody_marks_read_the_message_of_someone_else(home_cpts, gp, nurse, client_for):
    theirs = _message(home_cpts, nurse)
    response = client_for(gp).post(reverse("notifications:mark_read", args=[theirs.public_id]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(home_cpts, gp, client_for):
    for i in range(3):
        _message(home_cpts, gp, subject=f"Message {i}")
    client = client_for(gp)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.in_app_for(gp).unread().exists()
    assert "3 notification(s) marquée(s) comme lue(s)." in text(client.get(response["Location"]))


def test_the_list_needs_a_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_preferences_mute_a_channel_and_mandatory_kinds_stay_on(gp, client_for, alert_kind):
    client = client_for(gp)
    page = text(client.get(reverse("notifications:preferences")))
    assert "Alerte de crise : toujours envoyée." in page
    assert 'value="tests.alert:email" id="pref-testsalertemail" checked disabled' in page
    # Everything unticked, and a forged "off" for the mandatory kind.
    response = client.post(reverse("notifications:preferences"),
                           {"on": ["notifications.test:in_app"]})
    assert response.status_code == 302
    prefs = dict(Preference.objects.filter(user=gp, kind="notifications.test")
                 .values_list("channel", "enabled"))  # fmt: skip
    assert prefs == {"in_app": True, "email": False}
    assert not Preference.objects.filter(user=gp, kind="tests.alert").exists()
    page = text(client.get(reverse("notifications:preferences")))
    assert 'value="notifications.test:email" id="pref-notificationstestemail">' in page


def test_the_sender_sees_delivery_status_and_the_coordinator_sees_all(
    home_cpts, gp, nurse, coordinator, client_for
):
    mine = _message(home_cpts, nurse, subject="Du médecin", sender=gp)
    _message(home_cpts, nurse, subject="De la coordination", sender=coordinator)
    page = text(client_for(gp).get(reverse("notifications:sent", args=[HOME])))
    assert "Du médecin" in page and "De la coordination" not in page
    assert "E-mail : <span class=\"status\">En attente</span>" in page
    everything = text(client_for(coordinator).get(reverse("notifications:sent", args=[HOME])))
    assert "Du médecin" in everything and "De la coordination" in everything
    Delivery.objects.filter(notification=mine, channel="email").update(status="sending")
    everything = text(client_for(coordinator).get(reverse("notifications:sent", args=[HOME])))
    assert "En cours d'envoi" in everything and "Relancer" in everything


def test_only_the_coordinator_retries_a_stuck_delivery(home_cpts, gp, nurse, coordinator,
                                                       client_for, run_jobs):  # fmt: skip
    message = _message(home_cpts, nurse, sender=gp)
    stuck = message.deliveries.get(channel="email")
    Delivery.objects.filter(pk=stuck.pk).update(status="sending")
    url = reverse("notifications:retry", args=[HOME, stuck.public_id])
    assert client_for(gp).post(url).status_code == 404
    assert client_for(coordinator).post(url).status_code == 302
    run_jobs()
    stuck.refresh_from_db()
    assert stuck.status == "sent"


def test_an_outsider_sees_nothing_of_the_cpts(home_cpts, gp, outsider, client_for):
    message = _message(home_cpts, gp, sender=gp)
    stuck = message.deliveries.get(channel="email")
    assert client_for(outsider).get(reverse("notifications:sent", args=[HOME])).status_code == 404
    url = reverse("notifications:retry", args=["vals-du-dauphine", stuck.public_id])
    assert client_for(outsider).post(url).status_code == 404
