"""The answer to a crisis alert: one tap from the message, without logging in, once; a
reused, expired, tampered or foreign link shows a clear page and changes nothing; the
answer stops that person's escalation and is in the audit trail."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.crisis.alerts import send_alert
from maillage.crisis.models import AlertRecipient
from maillage.notifications import answers
from maillage.notifications.models import Notification
from maillage.notifications.services import notify
from tests.crisis import alerts_fixtures as make
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(home_cpts, coordinator, gp, nurse):
    activation = make.activation(home_cpts, coordinator)
    make.tree(home_cpts, gp, nurse)
    return send_alert(cpts=home_cpts, actor=coordinator, activation=activation,
                      groups=["profession:10"], channels=["sms", "inapp"],
                      message="Renfort au gymnase.")  # fmt: skip


@pytest.fixture
def mine(alert, gp):
    return Notification.objects.get(ref=f"crisis.alert:{alert.public_id}", recipient=gp)


def _path(notification):
    return answers.answer_url(notification).removeprefix("http://127.0.0.1:8000")


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)


def _post(client, path, data):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_the_link_is_the_crisis_page_and_get_records_nothing(mine):
    path = _path(mine)
    assert path.startswith("/crise/reponse/")
    page = _browser().get(path)
    body = text(page)
    assert page.status_code == 200
    assert "EXERCICE" in body and "Disponible maintenant" in body and "Indisponible" in body
    assert "Vaccinateur" in body  # the skills, as ticks
    mine.refresh_from_db()
    assert mine.answered_at is None


def test_one_tap_records_available_now_stops_escalation_and_is_audited(mine, alert):
    response = _post(_browser(), _path(mine), {"answer": "available_now"})
    assert response.status_code == 200
    assert "votre réponse est transmise à la cellule de crise" in text(response)
    mine.refresh_from_db()
    assert mine.answer == "available_now"
    row = AlertRecipient.objects.get(notification=mine)
    assert row.next_escalation_at is None
    event = AuditEvent.objects.get(action="crisis.alert_answer")
    assert event.detail["answer"] == "available_now" and event.actor is None


def test_available_from_a_time_with_skills_keeps_their_labels(mine):
    response = _post(_browser(), _path(mine), {"answer": "available_from",
                                               "available_from": "18:30",
                                               "skills": ["vaccinator", "triage"]})  # fmt: skip
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.answer_skills == "Vaccinateur; Tri et régulation"
    assert timezone.localtime(mine.answer_available_from).strftime("%H:%M") == "18:30"


def test_available_from_without_a_time_is_refused_and_nothing_is_recorded(mine):
    response = _post(_browser(), _path(mine), {"answer": "available_from"})
    assert response.status_code == 400
    assert "Indiquez à partir de quelle heure" in text(response)
    mine.refresh_from_db()
    assert mine.answered_at is None
    assert AlertRecipient.objects.get(notification=mine).next_escalation_at is not None


def test_an_unknown_skill_is_refused(mine):
    response = _post(_browser(), _path(mine), {"answer": "available_now", "skills": ["x<b>"]})
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.answered_at is None


def test_a_second_post_changes_nothing(mine):
    client = _browser()
    _post(client, _path(mine), {"answer": "unavailable"})
    mine.refresh_from_db()
    first = mine.answered_at
    again = _post(client, _path(mine), {"answer": "available_now"})
    assert again.status_code == 200 and "Réponse déjà enregistrée" in text(again)
    mine.refresh_from_db()
    assert mine.answer == "unavailable" and mine.answered_at == first
    assert AuditEvent.objects.filter(action="crisis.alert_answer").count() == 1


def test_an_expired_link_shows_a_crisis_page_410_and_changes_nothing(mine):
    Notification.objects.filter(pk=mine.pk).update(
        answer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = _browser()
    page = client.get(_path(mine))
    assert page.status_code == 410
    assert "Lien de réponse à l'alerte expiré" in text(page)
    assert client.post(_path(mine), {"answer": "available_now"}).status_code in (403, 410)
    mine.refresh_from_db()
    assert mine.answered_at is None


def test_a_tampered_token_shows_a_crisis_page_404(mine):
    path = _path(mine)
    page = _browser().get(path[:-3] + ("aaa" if not path.endswith("aaa/") else "bbb") + "/")
    assert page.status_code == 404
    assert "Lien de réponse à l'alerte invalide" in text(page)


def test_a_token_of_the_general_answer_page_is_refused_here_and_back(mine, home_cpts, gp):
    general = answers.make_token(mine)  # the notifications app's namespace
    assert Client().get(f"/crise/reponse/{general}/").status_code == 404
    crisis_token = answers.make_token(mine, "maillage.crisis.answer")
    assert Client().get(f"/reponse/{crisis_token}/").status_code == 404
    [other] = notify(cpts=home_cpts, recipients=[gp], kind="notifications.test", subject="?",
                     body="?", answer="ack")  # fmt: skip
    assert Client().get(f"/crise/reponse/{answers.make_token(other)}/").status_code == 404


def test_a_logged_in_recipient_answers_from_their_inbox_link(mine, gp, client_for):
    inbox = text(client_for(gp).get("/notifications/"))
    assert "EXERCICE" in inbox
    client = client_for(gp)
    page = client.get("/notifications/")
    assert _path(mine) in page.content.decode()
    response = client.post(_path(mine), {"answer": "available_now"})
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.answer == "available_now"
