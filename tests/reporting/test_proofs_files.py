"""Proof files: only documents that are what their extension says, 10 MB at most, for a
year of the contract; every upload, download and deletion audited; a year whose report
was sent to the CPAM keeps its files."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maillage.core import uploads
from maillage.core.models import AuditEvent
from maillage.reporting import proofs
from maillage.reporting.models import ProofFile, Report
from tests.conftest import HOME
from tests.reporting.test_proofs import funder_of, make_contract, requirement
from tests.utils import text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def req(home_cpts):
    return requirement(make_contract(home_cpts))


def _upload_url(req):
    return reverse("reporting:proof_upload", args=[HOME, req.public_id])


def _post(client, req, upload, year=1):
    prefix = f"p{req.pk}"
    return client.post(_upload_url(req), {f"{prefix}-annee": year, f"{prefix}-file": upload})


def test_a_pdf_is_filed_and_the_upload_audited(client_for, coordinator, req):
    response = _post(client_for(coordinator), req,
                     SimpleUploadedFile("Compte rendu.pdf", PDF))  # fmt: skip
    assert response.status_code == 302
    proof = ProofFile.objects.get(requirement=req)
    assert (proof.name, proof.year, proof.content_type, bytes(proof.content)) == (
        "Compte rendu.pdf",
        1,
        "application/pdf",
        PDF,
    )
    event = AuditEvent.objects.get(action="reporting.proof_file_add", actor=coordinator)
    assert event.object_id == proof.public_id


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(client_for, coordinator, req):
    response = _post(client_for(coordinator), req,
                     SimpleUploadedFile("faux.pdf", b"MZ\x90\x00 an executable"))  # fmt: skip
    assert response.status_code == 400
    assert uploads.NOT_WHAT_IT_SAYS in text(response)
    assert not ProofFile.objects.exists()


@pytest.mark.parametrize("name", ["script.exe", "page.html", "image.svg", "sans-extension"])
def test_other_types_are_refused(req, coordinator, name):
    with pytest.raises(ValidationError) as exc:
        proofs.file_proof(requirement=req, year=1, actor=coordinator,
                          upload=SimpleUploadedFile(name, PDF))  # fmt: skip
    assert exc.value.message_dict["file"] == [uploads.TYPE_REFUSED]


def test_more_than_10_mb_is_refused(req, coordinator):
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * uploads.MAX_BYTES)
    with pytest.raises(ValidationError) as exc:
        proofs.file_proof(requirement=req, year=1, actor=coordinator, upload=big)
    assert exc.value.message_dict["file"] == [uploads.TOO_BIG]


def test_an_empty_file_and_a_binary_csv_are_refused(req, coordinator):
    for upload, message in ((SimpleUploadedFile("vide.pdf", b""), uploads.EMPTY),
                            (SimpleUploadedFile("t.csv", b"a;b\x00;c"),
                             uploads.NOT_WHAT_IT_SAYS)):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            proofs.file_proof(requirement=req, year=1, actor=coordinator, upload=upload)
        assert exc.value.message_dict["file"] == [message]
    assert not ProofFile.objects.exists()


def test_a_year_outside_the_contract_is_refused(req, coordinator):
    with pytest.raises(ValidationError) as exc:
        proofs.file_proof(requirement=req, year=6, actor=coordinator,
                          upload=SimpleUploadedFile("a.pdf", PDF))  # fmt: skip
    assert "year" in exc.value.message_dict
    assert not ProofFile.objects.exists()


def test_images_office_documents_and_csv_are_accepted(req, coordinator):
    samples = {"photo.png": b"\x89PNG\r\n\x1a\n....", "photo.jpg": b"\xff\xd8\xff\xe0..",
               "emargement.docx": b"PK\x03\x04...", "tableau.xls": b"\xd0\xcf\x11\xe0\xa1\xb1"
               b"\x1a\xe1..", "liste.csv": "nom;présent\nDupont;oui\n".encode("cp1252"),
               "img.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 "}  # fmt: skip
    for name, content in samples.items():
        proofs.file_proof(requirement=req, year=1, actor=coordinator,
                          upload=SimpleUploadedFile(name, content))  # fmt: skip
    assert ProofFile.objects.filter(requirement=req).count() == len(samples)


@given(st.text(max_size=300))
def test_a_safe_file_name_has_no_path_control_character_or_formula(name):
    safe = uploads.safe_file_name(name)
    assert safe and len(safe) <= 200
    assert "/" not in safe and "\\" not in safe and '"' not in safe
    assert not any(ord(ch) < 32 for ch in safe)
    assert not safe.startswith(("=", "+", "-", "@", "."))


def test_hostile_names_are_cleaned(req, coordinator):
    proof = proofs.file_proof(
        requirement=req,
        year=1,
        actor=coordinator,
        upload=SimpleUploadedFile('../../=cmd|"x"\x00<b>.pdf', PDF),
    )
    assert proof.name == "cmd__x__b_.pdf"


def test_the_download_is_an_audited_attachment_never_sniffed(client_for, coordinator, req):
    proof = proofs.file_proof(requirement=req, year=1, actor=coordinator,
                              upload=SimpleUploadedFile("Réunion n°1.pdf", PDF))  # fmt: skip
    response = client_for(coordinator).get(reverse("reporting:proof_file",
                                                   args=[HOME, proof.public_id]))  # fmt: skip
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="R_union n_1.pdf"')
    assert "filename*=UTF-8''R%C3%A9union" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="reporting.proof_file_download", actor=coordinator)
    assert event.object_id == proof.public_id


def test_a_funder_download_is_audited_as_a_funder_read(client_for, home_cpts, req, coordinator):
    from tests.conftest import verified_client

    proof = proofs.file_proof(requirement=req, year=1, actor=coordinator,
                              upload=SimpleUploadedFile("a.pdf", PDF))  # fmt: skip
    funder = funder_of(home_cpts)
    response = verified_client(funder).get(reverse("reporting:proof_file",
                                                   args=[HOME, proof.public_id]))  # fmt: skip
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        actor=funder, action="reporting.funder_read", detail__where="reporting.proof_file"
    ).exists()
    assert AuditEvent.objects.filter(actor=funder, action="reporting.proof_file_download").exists()
    # Read-only: a funder cannot upload.
    assert _post(verified_client(funder), req,
                 SimpleUploadedFile("b.pdf", PDF)).status_code == 404  # fmt: skip


def test_the_coordinator_deletes_a_file_and_it_is_audited(client_for, coordinator, req):
    proof = proofs.file_proof(requirement=req, year=1, actor=coordinator,
                              upload=SimpleUploadedFile("a.pdf", PDF))  # fmt: skip
    url = reverse("reporting:proof_file_delete", args=[HOME, proof.public_id])
    assert client_for(coordinator).post(url).status_code == 302
    assert not ProofFile.objects.exists()
    assert AuditEvent.objects.filter(
        action="reporting.proof_file_delete", object_id=proof.public_id
    ).exists()


def test_a_file_of_a_year_whose_report_was_sent_cannot_be_deleted(client_for, coordinator, req,
                                                                  board_member):  # fmt: skip
    proof = proofs.file_proof(requirement=req, year=1, actor=coordinator,
                              upload=SimpleUploadedFile("a.pdf", PDF))  # fmt: skip
    Report.objects.create(contract=req.mission.contract, year=1, version=1, pdf=b"", xlsx=b"",
                          sent_at=timezone.now())  # fmt: skip
    url = reverse("reporting:proof_file_delete", args=[HOME, proof.public_id])
    response = client_for(coordinator).post(url)
    assert response.status_code == 409
    assert "figées" in text(response)
    assert ProofFile.objects.filter(pk=proof.pk).exists()
    # The board reads the contract but does not keep its proofs.
    assert client_for(board_member).post(url).status_code == 404
