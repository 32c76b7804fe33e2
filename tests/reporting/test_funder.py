"""A funder (a CPAM or ARS contact, role "financeur") reads the contract's report and
downloads it, each read audited; nothing else of the CPTS (patients, directory,
territory), and cannot comment, generate or send."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent, Membership, User
from maillage.core.roles import Role
from maillage.core.services import api_token_create
from maillage.reporting import report
from tests.conftest import HOME
from tests.reporting.report_world import YEAR, build_contract
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def funder(home_cpts):
    user = User.objects.create_user(email="financeur@cpam-isere.test", password="x" * 16,
                                    first_name="Lucie", last_name="Financeur")  # fmt: skip
    Membership.objects.create(user=user, cpts=home_cpts, role=Role.FUNDER, title="CPAM de l'Isère")
    return user


@pytest.fixture
def contract(home_cpts):
    return build_contract(home_cpts)


def _url(name, *args):
    return reverse(name, args=[HOME, *args])


def _reads(user):
    return list(AuditEvent.objects.filter(action="reporting.funder_read", actor=user)
                .order_by("pk").values_list("detail", flat=True))  # fmt: skip


def test_funder_sees_the_reports_and_each_read_is_audited(client_for, funder, contract,
                                                        coordinator):  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    client = client_for(funder)
    index = client.get(_url("reporting:reports"))
    assert index.status_code == 200 and _url(
        "reporting:report_version", version.public_id, "pdf"
    ) in text(index)
    year = client.get(_url("reporting:report_year", YEAR))
    assert year.status_code == 200
    body = text(year)
    assert "Patients en ALD sans médecin traitant" in body
    assert "Générer une nouvelle version" not in body and 'name="acces-text"' not in body
    assert [d["where"] for d in _reads(funder)] == ["reporting.reports", "reporting.report_year"]


def test_funder_downloads_a_version_audited(client_for, funder, contract, coordinator):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    response = client_for(funder).get(_url("reporting:report_version", version.public_id, "pdf"))
    assert response.status_code == 200 and response.content == bytes(version.pdf)
    assert AuditEvent.objects.filter(action="reporting.report_downloaded", actor=funder,
                                     object_id=version.public_id).exists()  # fmt: skip
    assert _reads(funder)[-1] == {"where": "reporting.report_download", "format": "pdf"}


def test_funder_reads_the_report_through_the_api_audited(client, funder, contract):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=funder)}"}
    response = client.get("/api/v1/aci/report", {"year": YEAR}, **auth)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert _reads(funder)[-1]["where"] == "reporting.report_api"


def test_funder_cannot_comment_generate_or_send(client_for, funder, contract, coordinator):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    client = client_for(funder)
    assert client.post(_url("reporting:report_generate", YEAR)).status_code == 404
    assert client.post(_url("reporting:report_comment", YEAR, "acces"),
                       {"acces-text": "x"}).status_code == 404  # fmt: skip
    assert client.post(_url("reporting:report_send", version.public_id),
                       {f"{version.public_id}-confirm": "on"}).status_code == 404  # fmt: skip
    version.refresh_from_db()
    assert not version.frozen


def test_funder_gets_404_on_patients_directory_and_territory(client_for, funder, home_cpts,
                                                             coordinator):  # fmt: skip
    from maillage.patients.services import patient_create

    patient = patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                             allow_duplicate=True,
                             data={"birth_name": "Financée", "first_names": "Léa",
                                   "birth_date": "1950-01-02", "sex": "F", "commune": "38053",
                                   "phone": "0611223344"})  # fmt: skip
    client = client_for(funder)
    for url in (_url("territory:territory"), _url("directory:directory"),
                _url("gp_access:queue"), _url("patients:reviews"),
                _url("pathways:pps", patient.public_id),
                _url("core:patient_access", patient.public_id)):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(actor=funder, patient=patient.public_id).exists()


def test_outsider_gets_404_on_the_report(client_for, outsider, contract, coordinator):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    client = client_for(outsider)
    assert client.get(_url("reporting:reports")).status_code == 404
    assert client.get(_url("reporting:report_year", YEAR)).status_code == 404
    assert client.get(_url("reporting:report_version", version.public_id, "pdf")).status_code == 404
