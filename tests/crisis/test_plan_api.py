"""GET /api/v1/crisis/plan: the plan in force (the newest approved version)."""

import pytest

from maillage.core.services import api_token_create
from maillage.crisis import plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/crisis/plan"


def _get(client, user, **params):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    return client.get(URL, params, **auth)


def _approved(cpts, coordinator, board_member, text="Dr Martin"):
    plan.save_section(cpts=cpts, section="referent", body=text, author=coordinator)
    version = plan.create_version(cpts=cpts, actor=coordinator)
    plan.approve_version(version=version, actor=board_member)
    return version


def test_the_api_answers_the_newest_approved_version(
    client, home_cpts, coordinator, board_member, nurse
):
    approved = _approved(home_cpts, coordinator, board_member)
    plan.save_section(cpts=home_cpts, section="referent", body="Brouillon", author=coordinator)
    plan.create_version(cpts=home_cpts, actor=coordinator)  # waits for the board
    response = _get(client, nurse)
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == approved.number == 1
    assert data["approved_by"] == board_member.get_full_name()
    assert data["frame_version"] == "2022-12" and data["delivered_on"] is None
    assert data["approved_at"]
    codes = [s["code"] for s in data["sections"]]
    assert codes == [s.code for s in plan.frame.sections()]
    referent = next(s for s in data["sections"] if s["code"] == "referent")
    assert referent == {"code": "referent", "title": "Référent SSE et suppléant",
                        "body": "Dr Martin"}  # fmt: skip


def test_no_approved_version_is_a_404_in_french(client, home_cpts, coordinator):
    plan.save_section(cpts=home_cpts, section="referent", body="Dr", author=coordinator)
    plan.create_version(cpts=home_cpts, actor=coordinator)
    response = _get(client, coordinator)
    assert response.status_code == 404
    assert response.json()["detail"] == ("Aucune version du plan de crise n'est encore "
                                         "approuvée par le bureau.")  # fmt: skip


def test_an_outsider_gets_404_and_never_the_plan_of_another_cpts(
    client, home_cpts, coordinator, board_member, outsider
):
    _approved(home_cpts, coordinator, board_member, text="Secret des Pays Berjalliens")
    named = _get(client, outsider, cpts="pays-berjalliens")
    assert named.status_code == 404
    own = _get(client, outsider)
    assert own.status_code == 404 and "Secret" not in own.content.decode()
