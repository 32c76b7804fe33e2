"""Responses that carry patient data are `Cache-Control: no-store`: nothing kept by a
proxy, a shared cache or the browser's disk and back-forward cache."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from maillage.core.models import Membership
from maillage.core.services import api_token_create
from maillage.gp_access.models import GpRequest
from maillage.pathways.models import Enrolment
from maillage.patients.access import patients_visible_to

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def assert_no_store(response):
    header = response.get("Cache-Control", "")
    assert "no-store" in header, header
    assert "public" not in header and not re.search(r"max-age=[1-9]", header), header


def test_a_patient_page_is_not_stored(client_for, coordinator, home_cpts):
    gp_request = GpRequest.objects.filter(cpts=home_cpts).first()
    response = client_for(coordinator).get(
        f"/c/{HOME}/medecin-traitant/demande/{gp_request.public_id}/"
    )
    assert response.status_code == 200
    assert gp_request.patient.birth_name in response.content.decode()
    assert_no_store(response)
    assert response["Pragma"] == "no-cache"


def test_the_care_plan_keeps_its_own_no_store_header(client_for, coordinator, home_cpts):
    enrolment = Enrolment.objects.filter(cpts=home_cpts).select_related("patient").first()
    response = client_for(coordinator).get(
        f"/c/{HOME}/parcours/patient/{enrolment.patient.public_id}/pps/"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_an_api_patient_read_is_not_stored(client, coordinator, home_cpts):
    membership = Membership.objects.get(user=coordinator, cpts=home_cpts)
    patient = patients_visible_to(membership).first()
    token = api_token_create(user=coordinator)
    response = client.get(f"/api/v1/patients/{patient.public_id}",
                          HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 200
    assert_no_store(response)


def test_a_fhir_search_is_not_stored(client, regulator):
    token = api_token_create(user=regulator)
    now = timezone.localtime()
    query = urlencode([
        ("start", "ge" + now.isoformat(timespec="seconds")),
        ("start", "le" + (now + datetime.timedelta(hours=24)).isoformat(timespec="seconds")),
        ("schedule.actor:Practitioner.identifier", "urn:oid:1.2.250.1.71.4.2.1|810000000001"),
        ("status", "free"),
    ])  # fmt: skip
    response = client.get(f"/fhir/Slot?{query}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["resourceType"] == "Bundle"
    assert_no_store(response)


def test_a_csv_export_is_not_stored(client_for, coordinator):
    response = client_for(coordinator).get(f"/c/{HOME}/annuaire/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_no_store(response)


def test_the_admin_and_the_errors_under_private_paths_are_not_stored(client, client_for,
                                                                     outsider):  # fmt: skip
    assert_no_store(client.get("/admin/"))
    # An outsider's 404 and an anonymous redirect to the login: no-store all the same.
    assert_no_store(client_for(outsider).get(f"/c/{HOME}/medecin-traitant/"))
    assert_no_store(client.get(f"/c/{HOME}/"))


def test_public_pages_may_be_cached(client):
    assert "Cache-Control" not in client.get(f"/annuaire/{HOME}/")
