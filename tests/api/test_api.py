"""The JSON API: OpenAPI schema, bearer tokens and session auth, /me and /territory."""

import pytest

from maillage.core.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(coordinator):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me" in paths and "/api/v1/territory" in paths


def test_me_with_bearer_token(client, bearer):
    response = client.get("/api/v1/me", **bearer)
    assert response.status_code == 200
    assert response.json() == {
        "email": "coordination@pays-berjalliens.maillage.test",
        "cpts": "pays-berjalliens",
        "role": "coordinator",
    }


def test_territory_of_the_callers_cpts(client, bearer, home_cpts):
    data = client.get("/api/v1/territory", **bearer).json()
    assert data["cpts"] == "pays-berjalliens"
    assert len(data["communes"]) == 22
    assert data["population"] == sum(c["population"] for c in data["communes"])
    assert data["size_class"] == 3
    assert {"code": "38053", "name": "Bourgoin-Jallieu"}.items() <= next(
        c for c in data["communes"] if c["code"] == "38053"
    ).items()


def test_outsider_token_sees_only_its_own_territory(client, outsider):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=outsider)}"}
    data = client.get("/api/v1/territory", **headers).json()
    assert data["cpts"] == "vals-du-dauphine"
    assert "38053" not in {c["code"] for c in data["communes"]}
    assert client.get("/api/v1/territory?cpts=pays-berjalliens", **headers).status_code == 404


def test_missing_or_wrong_token_is_401_json(client):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer mlg_faux"}):
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert "Authorization" in response.json()["detail"]


def test_verified_browser_session_works(client_for, gp):
    response = client_for(gp).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "professional"


def test_password_only_session_is_refused_for_patient_data_roles(client, gp):
    client.force_login(gp)
    assert client.get("/api/v1/me").status_code == 401


def test_member_of_two_cpts_must_name_one(client, coordinator, other_cpts):
    from maillage.core.models import Membership, Role

    Membership.objects.create(user=coordinator, cpts=other_cpts, role=Role.PARTNER)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    response = client.get("/api/v1/me", **headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cpts"
    assert client.get("/api/v1/me?cpts=vals-du-dauphine", **headers).json()["role"] == "partner"


def test_unknown_api_path_is_json_404(client, bearer):
    response = client.get("/api/v1/nothing-here", **bearer)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
