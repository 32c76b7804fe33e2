"""POST /api/v1/patients and GET /api/v1/patients/{id}."""

import pytest

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.core.validators import nir_key

pytestmark = pytest.mark.django_db
BODY = "1520738053042"


def headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def payload(**extra):
    base = {
        "birth_name": "Faure",
        "first_names": "Henri",
        "birth_date": "1952-07-01",
        "sex": "M",
        "commune": "38053",
        "phone": "0612345678",
        "nir": BODY + nir_key(BODY),
    }
    base.update(extra)
    return base


def test_create_then_read_and_each_read_is_audited(client, coordinator):
    auth = headers(coordinator)
    response = client.post("/api/v1/patients", payload(), content_type="application/json", **auth)
    assert response.status_code == 201
    patient_id = response.json()["id"]
    read = client.get(f"/api/v1/patients/{patient_id}", **auth)
    assert read.status_code == 200 and read.json()["birth_name"] == "Faure"
    client.get(f"/api/v1/patients/{patient_id}", **auth)
    assert AuditEvent.objects.filter(action="patient.read", object_id=patient_id).count() == 2


def test_invalid_nir_key_is_rejected_on_nir(client, coordinator):
    response = client.post(
        "/api/v1/patients",
        payload(nir=BODY + "00"),
        content_type="application/json",
        **headers(coordinator),
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "nir" and "clé" in error["message"]


def test_malformed_json_fields_are_422_naming_the_field(client, coordinator):
    response = client.post(
        "/api/v1/patients",
        payload(birth_date="14/05/1985"),
        content_type="application/json",
        **headers(coordinator),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "birth_date"


def test_outsider_and_unrelated_professional_get_404(client, coordinator, outsider, nurse):
    created = client.post(
        "/api/v1/patients", payload(), content_type="application/json", **headers(coordinator)
    ).json()["id"]
    assert client.get(f"/api/v1/patients/{created}", **headers(outsider)).status_code == 404
    assert client.get(f"/api/v1/patients/{created}", **headers(nurse)).status_code == 404
    assert client.get("/api/v1/patients/pas-un-uuid", **headers(coordinator)).status_code == 404


def test_duplicate_is_409_until_confirmed(client, coordinator):
    auth = headers(coordinator)
    client.post("/api/v1/patients", payload(nir=""), content_type="application/json", **auth)
    again = client.post(
        "/api/v1/patients", payload(nir=""), content_type="application/json", **auth
    )
    assert again.status_code == 409
    confirmed = client.post(
        "/api/v1/patients",
        payload(nir="", confirm_not_duplicate=True),
        content_type="application/json",
        **auth,
    )
    assert confirmed.status_code == 201


def test_board_cannot_create_patients(client, board_member):
    response = client.post(
        "/api/v1/patients", payload(), content_type="application/json", **headers(board_member)
    )
    assert response.status_code == 404
