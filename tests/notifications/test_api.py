"""GET /api/v1/notifications and POST /api/v1/notifications/{id}/read, for the caller."""

import uuid

import pytest

from maillage.core.services import api_token_create
from maillage.notifications.services import notify

pytestmark = pytest.mark.django_db


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def _message(home_cpts, user, subject):
    return notify(cpts=home_cpts, recipients=[user], kind="notifications.test",
                  subject=subject, body="Corps.")[0]  # fmt: skip


def test_the_caller_gets_their_messages_and_the_unread_count(client, home_cpts, gp, nurse):
    _message(home_cpts, gp, "Premier")
    _message(home_cpts, gp, "Second")
    _message(home_cpts, nurse, "Pas pour vous")
    response = client.get("/api/v1/notifications", **_auth(gp))
    assert response.status_code == 200
    data = response.json()
    assert data["unread"] == 2 and data["count"] == 2
    assert [r["subject"] for r in data["results"]] == ["Second", "Premier"]
    assert data["results"][0]["cpts"] == "pays-berjalliens"
    assert data["results"][0]["kind"] == "notifications.test"


def test_read_marks_one_message_and_returns_the_new_count(client, home_cpts, gp):
    first = _message(home_cpts, gp, "Premier")
    _message(home_cpts, gp, "Second")
    response = client.post(f"/api/v1/notifications/{first.public_id}/read", **_auth(gp))
    assert response.status_code == 200
    assert response.json()["unread"] == 1 and response.json()["id"] == str(first.public_id)
    first.refresh_from_db()
    assert first.read_at is not None


def test_someone_elses_or_unknown_message_is_404(client, home_cpts, gp, nurse):
    theirs = _message(home_cpts, nurse, "À l'infirmière")
    for target in (theirs.public_id, uuid.uuid4()):
        response = client.post(f"/api/v1/notifications/{target}/read", **_auth(gp))
        assert response.status_code == 404
        assert response.json()["detail"] == "Introuvable."
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_without_a_token_it_is_401(client):
    assert client.get("/api/v1/notifications").status_code == 401


def test_a_page_past_the_end_is_empty(client, home_cpts, gp):
    _message(home_cpts, gp, "Seul")
    data = client.get("/api/v1/notifications?page=99999999999999999999", **_auth(gp)).json()
    assert data["results"] == [] and data["unread"] == 1
