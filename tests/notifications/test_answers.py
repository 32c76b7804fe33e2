"""Answers by a signed, single-use, expiring link that works without logging in."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from maillage.notifications import answers
from maillage.notifications.services import notify
from tests.utils import text

pytestmark = pytest.mark.django_db


def _ask(home_cpts, gp, answer="availability", **extra):
    [message] = notify(cpts=home_cpts, recipients=[gp], kind="notifications.test",
                       subject="Renfort ce soir ?", body="Êtes-vous disponible ?",
                       answer=answer, **extra)  # fmt: skip
    return message


def _path(message):
    return answers.answer_url(message).removeprefix("http://127.0.0.1:8000")


def _browser() -> Client:
    """A browser without a session, that keeps its CSRF cookie."""
    return Client(enforce_csrf_checks=True)


def _post(client, path, data):
    page = client.get(path)
    token = client.cookies["csrftoken"].value
    assert page.status_code == 200
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def test_get_shows_the_question_and_records_nothing(home_cpts, gp):
    message = _ask(home_cpts, gp)
    page = _browser().get(_path(message))
    assert page.status_code == 200
    body = text(page)
    assert "Êtes-vous disponible ?" in body
    assert "Disponible maintenant" in body and "Indisponible" in body
    message.refresh_from_db()
    assert message.answered_at is None
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_post_records_the_answer_without_login_and_with_csrf(home_cpts, gp):
    message = _ask(home_cpts, gp, answer_skills=True)
    response = _post(_browser(), _path(message),
                     {"answer": "available_from", "available_from": "18:30",
                      "skills": "pédiatrie, sutures"})  # fmt: skip
    assert response.status_code == 200
    assert "Merci, votre réponse est enregistrée" in text(response)
    message.refresh_from_db()
    assert message.answer == "available_from" and message.answer_skills == "pédiatrie, sutures"
    assert timezone.localtime(message.answer_available_from).strftime("%H:%M") == "18:30"
    assert message.read_at is not None


def test_a_post_without_the_csrf_token_is_refused(home_cpts, gp):
    message = _ask(home_cpts, gp, answer="ack")
    response = _browser().post(_path(message), {"answer": "ack"})
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.answered_at is None


def test_a_reused_link_changes_nothing_and_shows_the_recorded_answer(home_cpts, gp):
    message = _ask(home_cpts, gp, answer="yes_no")
    client = _browser()
    _post(client, _path(message), {"answer": "yes"})
    again = _post(client, _path(message), {"answer": "no"})
    assert again.status_code == 200
    assert "Réponse déjà enregistrée" in text(again) and "Oui" in text(again)
    message.refresh_from_db()
    assert message.answer == "yes"


def test_a_tampered_link_is_a_french_404(home_cpts, gp):
    message = _ask(home_cpts, gp)
    token = answers.make_token(message)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = _browser().get(f"/reponse/{tampered}/")
    assert response.status_code == 404
    assert "Lien de réponse invalide" in text(response)
    assert _browser().get("/reponse/n-importe-quoi/").status_code == 404


def test_a_token_of_another_page_is_refused(home_cpts, gp):
    message = _ask(home_cpts, gp)
    token = answers.make_token(message, namespace="maillage.crisis.answer")
    assert _browser().get(f"/reponse/{token}/").status_code == 404


def test_an_expired_link_is_a_french_410(home_cpts, gp):
    message = _ask(home_cpts, gp,
                   answer_expires_at=timezone.now() - datetime.timedelta(minutes=1))  # fmt: skip
    response = _browser().get(_path(message))
    assert response.status_code == 410
    assert "Lien de réponse expiré" in text(response)
    client = _browser()
    client.get("/connexion/")
    assert client.post(_path(message), {"answer": "unavailable"}).status_code in (403, 410)
    message.refresh_from_db()
    assert message.answered_at is None


def test_an_answer_that_does_not_fit_the_question_is_refused_in_french(home_cpts, gp):
    message = _ask(home_cpts, gp, answer="ack")
    response = _post(_browser(), _path(message), {"answer": "yes"})
    assert response.status_code == 400
    assert "Réponse inconnue pour ce message." in text(response)
    missing_time = _ask(home_cpts, gp)
    response = _post(_browser(), _path(missing_time), {"answer": "available_from"})
    assert response.status_code == 400
    assert "Indiquez à partir de quelle heure." in text(response)
    message.refresh_from_db()
    assert message.answered_at is None


def test_guessing_tokens_from_one_address_is_stopped_but_valid_links_still_work(home_cpts, gp):
    from django.core.cache import cache

    cache.clear()
    message = _ask(home_cpts, gp, answer="ack")
    guesser = Client(REMOTE_ADDR="192.0.2.99")
    statuses = [guesser.get(f"/reponse/faux{i}:abc/").status_code for i in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert guesser.get(_path(message)).status_code == 200


def test_the_email_and_sms_carry_the_answer_link(home_cpts, gp, run_jobs):
    from django.core import mail

    from maillage.notifications.services import Recipient
    from maillage.notifications.sms import MemorySms

    message = _ask(home_cpts, gp, answer="ack")
    [by_sms] = notify(cpts=home_cpts, recipients=[Recipient(phone="+33611223344")],
                      kind="notifications.test", channels=["sms"], subject="Alerte",
                      body="Accusez réception.", answer="ack")  # fmt: skip
    run_jobs()
    assert answers.answer_url(message) in mail.outbox[-1].body
    assert answers.answer_url(by_sms) in MemorySms.outbox[-1][1]
