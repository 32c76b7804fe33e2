"""Materials of an action: upload (type, size), download with its name, deletion by the
coordinator; names never read as spreadsheet formulas."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core import uploads
from maillage.core.models import AuditEvent
from maillage.prevention import actions
from maillage.prevention.models import Material, Theme
from tests.utils import text

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def action(home_cpts, coordinator):
    start = datetime.datetime(2027, 3, 14, 9, tzinfo=datetime.UTC)
    return actions.action_save(cpts=home_cpts, actor=coordinator, data={
        "kind": "screening", "theme": Theme.objects.get(cpts=None, code="diabete"),
        "title": "Journée diabète", "start": start, "end": start + datetime.timedelta(hours=4)})


def _upload(client, cpts, action, name, content, kind="sign_in"):
    url = reverse("prevention:material_upload", args=[cpts.slug, action.public_id])
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_an_emargement_is_uploaded_downloaded_and_ticks_the_checklist(
    home_cpts, action, coordinator, nurse, client_for
):
    response = _upload(client_for(coordinator), home_cpts, action, "émargement 14-03.pdf", PDF)
    assert response.status_code == 302
    material = Material.objects.get(action=action)
    assert (material.kind, material.size, material.content_type) == ("sign_in", len(PDF),
                                                                     "application/pdf")
    proofs = {p.code: p.done for p in actions.checklist(action)}
    assert proofs["sign_in"] and not proofs["calendar"]
    download = client_for(nurse).get(reverse("prevention:material",
                                             args=[home_cpts.slug, material.public_id]))
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%C3%A9margement%2014-03.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="prevention.material_download", actor=nurse).exists()


def test_a_file_too_big_is_refused_with_a_clear_message(home_cpts, action, coordinator,
                                                        client_for):
    big = PDF + b"0" * uploads.MAX_BYTES
    response = _upload(client_for(coordinator), home_cpts, action, "gros.pdf", big)
    assert response.status_code == 400 and uploads.TOO_BIG in text(response)
    assert not Material.objects.exists()


@pytest.mark.parametrize("name, content, message", [
    ("script.exe", b"MZ", uploads.TYPE_REFUSED),
    ("page.html", b"<html>", uploads.TYPE_REFUSED),
    ("sans-extension", PDF, uploads.TYPE_REFUSED),
    ("faux.pdf", b"<html>not a pdf", uploads.NOT_WHAT_IT_SAYS),
])
def test_a_wrong_type_is_refused(home_cpts, action, coordinator, client_for, name, content,
                                 message):
    response = _upload(client_for(coordinator), home_cpts, action, name, content)
    assert response.status_code == 400 and message in text(response)
    assert not Material.objects.exists()


def test_a_csv_and_an_image_are_accepted(home_cpts, action, coordinator, client_for):
    client = client_for(coordinator)
    assert _upload(client, home_cpts, action, "liste.csv", b"nom;age\n", "other").status_code == 302
    assert _upload(client, home_cpts, action, "photo.png", b"\x89PNG\r\n\x1a\n",
                   "photo").status_code == 302  # fmt: skip
    assert {p.code: p.done for p in actions.checklist(action)}["materials"]


def test_a_formula_name_is_stored_harmless(home_cpts, action, coordinator, client_for):
    _upload(client_for(coordinator), home_cpts, action, '=HYPERLINK("x")\r.pdf', PDF)
    name = Material.objects.get(action=action).file_name
    assert not name.startswith(("=", "+", "-", "@")) and '"' not in name and "\r" not in name


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_safe_file_names_are_never_formulas_nor_paths(name):
    safe = uploads.safe_file_name(name)
    assert safe and len(safe) <= 200
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r", " ", "."))
    assert "/" not in safe and "\\" not in safe and '"' not in safe
    assert all(ord(c) >= 32 for c in safe)


def test_only_the_coordinator_uploads_or_deletes(home_cpts, action, coordinator, nurse,
                                                 client_for):
    assert _upload(client_for(nurse), home_cpts, action, "a.pdf", PDF).status_code == 404
    _upload(client_for(coordinator), home_cpts, action, "a.pdf", PDF)
    material = Material.objects.get(action=action)
    delete = reverse("prevention:material_delete", args=[home_cpts.slug, material.public_id])
    assert client_for(nurse).post(delete).status_code == 404
    assert client_for(coordinator).post(delete).status_code == 302
    assert not Material.objects.exists()
    assert AuditEvent.objects.filter(action="prevention.material_delete").exists()


def test_an_outsider_gets_404_on_a_material(home_cpts, action, coordinator, outsider,
                                            client_for):
    _upload(client_for(coordinator), home_cpts, action, "a.pdf", PDF)
    material = Material.objects.get(action=action)
    for name in ("material", "material_delete"):
        url = reverse(f"prevention:{name}", args=["vals-du-dauphine", material.public_id])
        assert client_for(outsider).post(url).status_code == 404
    url = reverse("prevention:material", args=["vals-du-dauphine", material.public_id])
    assert client_for(outsider).get(url).status_code == 404
    assert Material.objects.filter(pk=material.pk).exists()
