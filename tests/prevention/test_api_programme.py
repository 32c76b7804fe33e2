"""GET /api/v1/prevention/themes and POST /api/v1/prevention/actions."""

import pytest

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.prevention import programme
from maillage.prevention.models import Action

pytestmark = pytest.mark.django_db
THEMES = "/api/v1/prevention/themes"
ACTIONS = "/api/v1/prevention/actions"
BODY = {"kind": "screening", "theme": "diabete", "title": "Journée diabète",
        "start": "2027-03-14T09:00:00+01:00", "end": "2027-03-14T17:00:00+01:00",
        "commune": "38053", "public": True, "capacity": 40}


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def _post(client, user, body):
    return client.post(ACTIONS, body, content_type="application/json", **_auth(user))


def test_themes_list_the_catalogue_and_the_cptss_own(client, home_cpts, other_cpts,
                                                      coordinator, outsider, nurse):
    programme.theme_create(cpts=home_cpts, actor=coordinator, label="Sommeil des ados")
    programme.theme_create(cpts=other_cpts, actor=outsider, label="Leur thème à eux")
    response = client.get(THEMES, **_auth(nurse))
    assert response.status_code == 200
    codes = {t["code"] for t in response.json()}
    assert {"diabete", "hypertension", "depistage-cancer-sein", "depistage-cancer-colorectal",
            "depistage-cancer-col", "vaccination-grippe", "vaccination-hpv", "chutes",
            "canicule", "sommeil-des-ados"} <= codes
    assert "leur-theme-a-eux" not in codes
    assert all(set(t) == {"code", "label"} for t in response.json())


def test_the_coordinator_creates_an_action(client, home_cpts, coordinator):
    response = _post(client, coordinator, BODY)
    assert response.status_code == 201, response.content
    action = Action.objects.get(public_id=response.json()["id"])
    assert (action.cpts, action.questionnaire, action.capacity, action.commune.code) == (
        home_cpts, "findrisc", 40, "38053")
    assert AuditEvent.objects.filter(action="prevention.action_create", actor=coordinator,
                                     object_id=action.public_id).exists()  # fmt: skip


@pytest.mark.parametrize("change, field", [
    ({"theme": "inconnu"}, "theme"),
    ({"end": "2027-03-13T17:00:00+01:00"}, "end"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 10_000_000}, "capacity"),
    ({"commune": "99999"}, "commune"),
    ({"kind": "fete"}, "kind"),
    ({"title": ""}, "title"),
    ({"start": None}, "start"),
])
def test_bad_input_is_422_naming_the_field(client, home_cpts, coordinator, change, field):
    response = _post(client, coordinator, {**BODY, **change})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Action.objects.filter(cpts=home_cpts).exists()


def test_a_member_without_manage_prevention_gets_404(client, home_cpts, nurse, board_member):
    for user in (nurse, board_member):
        assert _post(client, user, BODY).status_code == 404
        assert _post(client, user, {}).status_code == 404
    assert not Action.objects.filter(cpts=home_cpts).exists()


def test_another_cptss_theme_is_unknown_here(client, other_cpts, outsider, coordinator):
    programme.theme_create(cpts=other_cpts, actor=outsider, label="Leur thème à eux")
    response = _post(client, coordinator, {**BODY, "theme": "leur-theme-a-eux"})
    assert response.status_code == 422
