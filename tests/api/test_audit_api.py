"""GET /api/v1/audit: the coordination's audit trail over the API, by patient or actor."""

import pytest

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.patients.access import get_patient, grant_access
from maillage.patients.services import patient_create

pytestmark = pytest.mark.django_db


def headers(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                          data={"birth_name": "Marchand", "first_names": "Iris",
                                "birth_date": "1977-08-15", "sex": "F"})  # fmt: skip


def test_a_patients_trail_answers_who_accessed_it(client, coordinator, gp, patient, home_cpts):
    grant_access(patient=patient, user=gp, reason="test")
    get_patient(gp.memberships.get(cpts=home_cpts), patient.public_id)
    response = client.get("/api/v1/audit", {"patient": str(patient.public_id)},
                          **headers(coordinator))  # fmt: skip
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(data["results"]) == AuditEvent.objects.filter(
        patient=patient.public_id).count()  # fmt: skip
    first = data["results"][0]
    assert set(first) >= {"at", "actor", "action", "ip"}
    assert first["action"] == "audit.api_read" and first["actor"] == coordinator.email
    assert {(r["actor"], r["action"]) for r in data["results"]} >= {
        (gp.email, "patient.read"), (coordinator.email, "patient.create")}
    assert next(r for r in data["results"] if r["action"] == "patient.read")[
        "action_label"] == "Lecture de la fiche"  # fmt: skip


def test_filter_by_actor(client, coordinator, gp, patient, home_cpts):
    grant_access(patient=patient, user=gp, reason="test")
    get_patient(gp.memberships.get(cpts=home_cpts), patient.public_id)
    data = client.get("/api/v1/audit", {"actor": gp.email.upper()}, **headers(coordinator)).json()
    assert data["count"] >= 1
    assert {r["actor"] for r in data["results"]} == {gp.email}


@pytest.mark.parametrize("persona", ["gp", "nurse", "regulator", "partner", "board_member"])
def test_coordinators_only(client, persona, request, patient):
    response = client.get("/api/v1/audit", {"patient": str(patient.public_id)},
                          **headers(request.getfixturevalue(persona)))  # fmt: skip
    assert response.status_code == 404


def test_outsider_cannot_read_another_cpts_patient(client, outsider, patient):
    response = client.get("/api/v1/audit", {"patient": str(patient.public_id)},
                          **headers(outsider))  # fmt: skip
    assert response.status_code == 404


def test_a_malformed_patient_id_names_the_field(client, coordinator):
    response = client.get("/api/v1/audit", {"patient": "pas-un-uuid"}, **headers(coordinator))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "patient"


def test_a_page_past_the_end_is_empty(client, coordinator):
    response = client.get("/api/v1/audit", {"page": "99999999999"}, **headers(coordinator))
    assert response.status_code == 200 and response.json()["results"] == []
