"""Importing outside contacts from a CSV: the export's columns, all or nothing, every
error named with its line; an exported file comes back unchanged (members' lines skipped,
formulas' quotes removed); a contact of the same category and name is updated."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.crisis import contacts
from maillage.crisis.models import Contact
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("crisis:contacts_import", args=["pays-berjalliens"])


@pytest.fixture(autouse=True)
def _empty_tree(db):
    Contact.objects.all().delete()


def _import(cpts, actor, body: str):
    return contacts.import_contacts(cpts=cpts, actor=actor, content=body.encode("utf-8"))


HEADER = "Catégorie;Nom;Structure;Mobile;E-mail;Commune;Compétences;Cellule de crise\n"


def test_valid_lines_are_all_created(home_cpts, coordinator):
    result = _import(home_cpts, coordinator, HEADER
                     + "Mairie / CCAS;Mairie de Four;Mairie;06 12 34 56 78;;Four;Logistique;oui\n"
                     + "ars;Délégation ARS;ARS;;ars@ex.fr;;;non\n")  # fmt: skip
    assert result.created == 2
    four = Contact.objects.get(cpts=home_cpts, name="Mairie de Four")
    assert four.category == "town_hall" and four.mobile == "+33612345678" and four.in_cell
    assert four.commune.name == "Four"
    assert list(four.skills.values_list("code", flat=True)) == ["logistics"]


def test_one_bad_line_imports_nothing_and_every_error_names_its_line(home_cpts, coordinator):
    body = (HEADER + "hospital;CH;;06 12 34 56 78;;;;\n"
            + "Volcan;X;;06 12 34 56 78;;;;\n"
            + "ehpad;EHPAD;;123;pas-une-adresse;Atlantide;Jonglage;\n"
            + "fire;SDIS;;;;;;\n")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        _import(home_cpts, coordinator, body)
    messages = caught.value.messages
    assert any(m.startswith("Ligne 3 : catégorie inconnue") for m in messages)
    assert any(m.startswith("Ligne 4 : numéro de téléphone invalide") for m in messages)
    assert any(m.startswith("Ligne 4 : adresse e-mail invalide") for m in messages)
    assert any(m.startswith("Ligne 4 : commune") for m in messages)
    assert any(m.startswith("Ligne 4 : compétence inconnue « Jonglage »") for m in messages)
    assert any(m.startswith("Ligne 5 : ni mobile ni e-mail") for m in messages)
    assert not any(m.startswith("Ligne 2") for m in messages)
    assert not Contact.objects.filter(cpts=home_cpts).exists()


def test_an_exported_file_comes_back_without_duplicates(home_cpts, coordinator, client_for):
    _import(home_cpts, coordinator, HEADER + 'fire;=SDIS "38";;04 65 71 01 18;;;Formé au '
                                             "risque NRBC;oui\n")  # fmt: skip
    contacts.sync_members(cpts=home_cpts, actor=coordinator)
    before = Contact.objects.filter(cpts=home_cpts).count()
    exported = client_for(coordinator).get(
        reverse("crisis:contacts_csv", args=["pays-berjalliens"])).content  # fmt: skip
    result = contacts.import_contacts(cpts=home_cpts, actor=coordinator, content=exported)
    assert result.created == 0 and result.updated == 1 and result.skipped_members > 0
    assert Contact.objects.filter(cpts=home_cpts).count() == before
    sdis = Contact.objects.get(cpts=home_cpts, category="fire")
    assert sdis.name == '=SDIS "38"' and sdis.mobile == "+33465710118"


@pytest.mark.parametrize("content, message", [
    (b"", "Fichier vide"),
    (b"Nom;Mobile\nX;0612345678\n", "Colonnes attendues"),
    (b"\xff\xfe\x00garbage", "Colonnes attendues"),
    (b"a" * 1_000_001, "Fichier trop gros"),
])  # fmt: skip
def test_unusable_files_are_refused_with_a_message(home_cpts, coordinator, content, message):
    with pytest.raises(ValidationError) as caught:
        contacts.import_contacts(cpts=home_cpts, actor=coordinator, content=content)
    assert message in caught.value.messages[0]


def test_the_page_imports_and_shows_line_numbered_errors(client_for, coordinator, home_cpts,
                                                         nurse, board_member):  # fmt: skip
    client = client_for(coordinator)
    assert client.get(URL).status_code == 200
    bad = SimpleUploadedFile("c.csv", (HEADER + "fire;SDIS;;<b>0</b>;;;;\n").encode())
    response = client.post(URL, {"file": bad})
    assert response.status_code == 400
    assert "Ligne 2 : numéro de téléphone invalide" in text(response)
    assert "<b>0</b>" not in response.content.decode()
    good = SimpleUploadedFile("c.csv", (HEADER + "fire;SDIS;;04 65 71 01 18;;;;\n").encode())
    response = client.post(URL, {"file": good}, follow=True)
    assert "Import terminé : 1 contact ajouté" in text(response)
    for person in (nurse, board_member):
        assert client_for(person).get(URL).status_code == 404
