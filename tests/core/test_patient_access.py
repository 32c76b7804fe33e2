"""Accès au dossier: a coordinator answers a person's access request (RGPD art. 15): who
read or changed what of their data, when, from where; exported as CSV and PDF."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.models import AuditEvent
from maillage.patients.access import get_patient, grant_access
from maillage.patients.services import patient_create, patient_merge
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                          data={"birth_name": "Delorme", "first_names": "Agathe",
                                "birth_date": "1962-04-09", "sex": "F", "commune": "38053"})


def url(patient, fmt=None):
    if fmt:
        return reverse("core:patient_access_export", args=[HOME, patient.public_id, fmt])
    return reverse("core:patient_access", args=[HOME, patient.public_id])


def _gp_reads(gp, patient, home_cpts, client_for):
    grant_access(patient=patient, user=gp, reason="test")
    membership = gp.memberships.get(cpts=home_cpts)
    get_patient(membership, patient.public_id)


def test_the_page_lists_every_read_and_write_by_whom(client_for, coordinator, gp, patient,
                                                     home_cpts):  # fmt: skip
    _gp_reads(gp, patient, home_cpts, client_for)
    response = client_for(coordinator).get(url(patient), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    body = text(response)
    assert "DELORME Agathe, née le 09/04/1962" in body
    assert "Création de la fiche" in body and "Recueil du consentement" in body
    assert "Lecture de la fiche" in body and gp.email in body
    assert "patient.read" not in body
    # Opening the report is itself in the person's trail.
    assert AuditEvent.objects.filter(action="audit.patient_access", actor=coordinator,
                                     patient=patient.public_id, ip="192.0.2.7").exists()


def test_records_merged_into_the_patient_are_part_of_the_report(client_for, coordinator,
                                                                home_cpts, patient):  # fmt: skip
    duplicate = patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                               allow_duplicate=True,
                               data={"birth_name": "Delorme", "first_names": "Agathe Louise",
                                     "birth_date": "1962-04-09", "sex": "F"})  # fmt: skip
    AuditEvent.objects.create(cpts=home_cpts, action="patient.read", actor_email="x@y.fr",
                              patient=duplicate.public_id)  # fmt: skip
    patient_merge(keep=patient, duplicate=duplicate, actor=coordinator)
    body = text(client_for(coordinator).get(url(patient)))
    assert "x@y.fr" in body and "Fusion de fiches en double" in body


def test_csv_export_has_one_line_per_event(client_for, coordinator, gp, patient, home_cpts):
    _gp_reads(gp, patient, home_cpts, client_for)
    response = client_for(coordinator).get(url(patient, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Heure", "Par", "Action", "Objet et détail", "Adresse IP"]
    actions = [r[3] for r in rows[1:]]
    expected = AuditEvent.objects.filter(patient=patient.public_id).count() - 1  # the export
    assert len(actions) == expected
    assert "Lecture de la fiche" in actions
    assert AuditEvent.objects.filter(action="audit.patient_access_export",
                                     detail__format="csv").exists()


def test_pdf_export_reads_as_the_report(client_for, coordinator, gp, patient, home_cpts):
    _gp_reads(gp, patient, home_cpts, client_for)
    response = client_for(coordinator).get(url(patient, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Accès au dossier" in content
    assert "DELORME Agathe" in content
    assert "Lecture de la fiche" in content


@pytest.mark.parametrize("persona", ["gp", "nurse", "regulator", "partner", "board_member",
                                     "outsider"])  # fmt: skip
def test_only_the_coordination_of_the_cpts_opens_the_report(client_for, persona, request,
                                                            patient):  # fmt: skip
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(patient)).status_code == 404
    assert client.get(url(patient, "csv")).status_code == 404


def test_another_cpts_patient_or_a_bad_id_is_404(client_for, coordinator, other_cpts, outsider):
    theirs = patient_create(cpts=other_cpts, actor=outsider, consent_method="oral",
                            data={"birth_name": "Voisin", "first_names": "Paul",
                                  "birth_date": "1970-01-01", "sex": "M"})  # fmt: skip
    client = client_for(coordinator)
    assert client.get(url(theirs)).status_code == 404
    assert client.get(reverse("core:patient_access", args=[HOME, "pas-un-uuid"])).status_code == 404
    assert client.get(url(theirs, "xls")).status_code == 404


def test_a_same_day_request_has_its_report_too(client_for, coordinator, regulator, home_cpts):
    from maillage.same_day_care.services import request_create
    from maillage.territory.models import Commune

    snp = request_create(cpts=home_cpts, actor=regulator, origin="regulator", data={
        "last_name": "Sauvage", "first_name": "Léon", "birth_date": datetime.date(1990, 2, 3),
        "phone": "06 11 22 33 44", "commune": Commune.objects.get(code="38053"),
        "reason": "fever", "profession_code": "10", "mode": "practice", "urgency": "same_day",
    })  # fmt: skip
    body = text(client_for(coordinator).get(url(snp)))
    assert "Demande de soins non programmés : SAUVAGE Léon" in body
    assert "Demande de soins non programmés créée" in body and regulator.email in body
