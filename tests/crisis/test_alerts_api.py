"""The alerts API: POST /api/v1/crisis/alerts (201 with the number of recipients; 400/422
naming the field; another CPTS's activation is 404) and GET /api/v1/crisis/alerts/{id}
(the board's figures); manage_crisis to send, see_crisis_board to read."""

import pytest

from maillage.core.services import api_token_create
from maillage.crisis.models import Alert
from maillage.notifications.models import Notification
from maillage.notifications.services import record_answer
from tests.crisis import alerts_fixtures as make

pytestmark = pytest.mark.django_db


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def activation(home_cpts, coordinator, gp, nurse):
    make.tree(home_cpts, gp, nurse)
    return make.activation(home_cpts, coordinator)


def _post(client, user, body):
    return client.post("/api/v1/crisis/alerts", body, content_type="application/json",
                       **_bearer(user))  # fmt: skip


def _body(activation, **changes):
    return {"activation": str(activation.public_id), "groups": ["profession:10"],
            "message": "Renfort.", "channels": ["sms", "email"]} | changes  # fmt: skip


def test_post_sends_and_answers_201_with_the_recipients(client, activation, coordinator):
    response = _post(client, coordinator, _body(activation))
    assert response.status_code == 201
    data = response.json()
    alert = Alert.objects.get(public_id=data["id"])
    assert data["recipients"] == 2 and alert.message.startswith("EXERCICE")


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"groups": []}, 400, "groups"),
    ({"groups": ["profession:50"]}, 400, "groups"),
    ({"groups": ["everybody"]}, 400, "groups"),
    ({"channels": []}, 400, "channels"),
    ({"channels": ["fax"]}, 422, "channels.0"),
    ({"message": ""}, 400, "message"),
    ({"message": "x" * 601}, 422, "message"),
    ({"escalate_after_minutes": 0}, 422, "escalate_after_minutes"),
])  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(client, activation, coordinator, changes,
                                                       status, field):  # fmt: skip
    response = _post(client, coordinator, _body(activation, **changes))
    assert response.status_code == status, response.json()
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Alert.objects.exists()


def test_an_activation_of_another_cpts_is_404(client, other_cpts, outsider, activation,
                                              coordinator):  # fmt: skip
    theirs = make.activation(other_cpts, outsider)
    assert _post(client, coordinator, _body(theirs)).status_code == 404
    assert _post(client, outsider, _body(activation)).status_code == 404
    assert not Alert.objects.exists()


def test_only_the_coordination_sends(client, activation, gp, board_member):
    for user in (gp, board_member):
        assert _post(client, user, _body(activation)).status_code == 404
    assert not Alert.objects.exists()


def test_get_gives_the_figures_to_the_coordination_and_the_board(client, activation,
                                                                 coordinator, board_member, gp,
                                                                 outsider, run_jobs):  # fmt: skip
    created = _post(client, coordinator, _body(activation)).json()
    run_jobs()
    note = Notification.objects.get(ref=f"crisis.alert:{created['id']}", recipient=gp)
    record_answer(notification=note, answer="available_now")
    url = f"/api/v1/crisis/alerts/{created['id']}"
    for user in (coordinator, board_member):
        response = client.get(url, **_bearer(user))
        assert response.status_code == 200
        assert response.json() == {"id": created["id"], "recipients": 2, "sent": 2,
                                   "answered": 1, "available": 1, "unavailable": 0,
                                   "pending": 1}  # fmt: skip
    assert client.get(url, **_bearer(gp)).status_code == 404
    assert client.get(url, **_bearer(outsider)).status_code == 404
    assert client.get("/api/v1/crisis/alerts/not-a-uuid", **_bearer(coordinator)).status_code == 404
