"""Every form of the directory and the diagnostic answers invalid input with 400, the
French message next to the field in cause, and stores nothing."""

import re

import pytest
from django.urls import reverse

from maillage.directory.models import (
    DensityReference,
    DirectoryEntry,
    LocalFigure,
    Professional,
    Structure,
    StructureEntry,
)
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


@pytest.fixture
def beatrice(db):
    return Professional.objects.get(first_name="Béatrice", last_name="BÉNARD")


@pytest.fixture
def hospital(db):
    return Structure.objects.get(category_code="355", commune_code="38053")


def stored():
    """What a refused post must leave as it was."""
    return (
        Professional.objects.count(), Structure.objects.count(),
        list(DirectoryEntry.objects.values_list("pk", "membership_status", "phone", "email",
                                                "languages", "skills")),
        list(StructureEntry.objects.values_list("pk", "membership_status", "phone")),
        list(DensityReference.objects.values_list("pk", "profession_code", "density")),
        list(LocalFigure.objects.values_list("pk", "count", "note")),
    )  # fmt: skip


def error_next_to(body: str, field: str) -> str:
    """The message _field.html shows under the field `field` (whatever the form's id
    prefix), or fails."""
    found = re.search(rf'<p class="error" id="[\w-]*?{field}_error" role="alert">([^<]+)</p>',
                      body)  # fmt: skip
    assert found, f"no error next to {field}"
    return found.group(1)


LOCAL_PROFESSIONAL = {"last_name": "Vidal", "first_name": "Anne", "profession": "10-MG",
                      "commune": "38053", "address": "", "phone": "", "email": ""}  # fmt: skip
LOCAL_STRUCTURE = {"name": "SSIAD du Nord-Isère", "category": "SSIAD", "commune": "38053",
                   "address": "", "phone": ""}  # fmt: skip
ENTRY = {"membership_status": "adherent", "languages": "", "skills": "", "phone": "",
         "email": "", "notes": ""}  # fmt: skip
STRUCTURE_ENTRY = {"membership_status": "adherent", "phone": "", "notes": ""}
REFERENCE = {"profession_code": "21", "density": "8,5"}
FIGURE = {"profession_code": "10-MG", "commune": "38053", "count": "4", "note": "Départ"}

CASES = [
    # (URL name, valid payload, field, bad value, part of the message)
    ("add", LOCAL_PROFESSIONAL, "profession", "99", "choix valide"),
    ("add", LOCAL_PROFESSIONAL, "last_name", "", "Indiquez le nom"),
    ("add", LOCAL_PROFESSIONAL, "last_name", "x" * 121, "120 caractères"),
    ("add", LOCAL_PROFESSIONAL, "commune", "38999", "Aucune commune avec le code 38999"),
    ("add", LOCAL_PROFESSIONAL, "phone", "12", "Numéro de téléphone invalide"),
    ("add", LOCAL_PROFESSIONAL, "email", "pas-une-adresse", "adresse de courriel valide"),
    ("add_structure", LOCAL_STRUCTURE, "name", "", "Indiquez le nom de la structure"),
    ("add_structure", LOCAL_STRUCTURE, "commune", "abc", "Aucune commune nommée « abc »"),
    ("add_structure", LOCAL_STRUCTURE, "category", "x" * 201, "200 caractères"),
    ("professional", ENTRY, "membership_status", "roi", "choix valide"),
    ("professional", ENTRY, "email", "pas-une-adresse", "adresse de courriel valide"),
    ("professional", ENTRY, "skills", "x" * 301, "300 caractères"),
    ("structure", STRUCTURE_ENTRY, "membership_status", "roi", "choix valide"),
    ("structure", STRUCTURE_ENTRY, "phone", "12", "Numéro de téléphone invalide"),
    ("reference", REFERENCE, "profession_code", "99", "choix valide"),
    ("reference", REFERENCE, "density", "beaucoup", "Saisissez un nombre"),
    ("reference", REFERENCE, "density", "-1", "supérieure ou égale à 0"),
    ("local_figure", FIGURE, "profession_code", "99", "choix valide"),
    ("local_figure", FIGURE, "count", "-3", "supérieure ou égale à 0"),
    ("local_figure", FIGURE, "note", "", "Justifiez la correction"),
    ("local_figure", FIGURE, "commune", "38185", "n'est pas dans le territoire"),
]


@pytest.mark.parametrize(("name", "payload", "field", "value", "message"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3][:10]}" for c in CASES])  # fmt: skip
def test_a_bad_value_is_a_400_with_its_message_next_to_the_field_and_nothing_stored(
    client_for, coordinator, beatrice, hospital, name, payload, field, value, message
):
    args = {"professional": [beatrice.public_id], "structure": [hospital.public_id]}
    url = reverse(f"directory:{name}", args=[HOME, *args.get(name, [])])
    client = client_for(coordinator)
    before = stored()
    response = client.post(url, {**payload, field: value})
    assert response.status_code == 400
    assert message in error_next_to(text(response), field)
    assert stored() == before
    # The valid payload goes through: the case above failed on its field alone.
    assert client.post(url, payload).status_code == 302


def test_the_diagnostic_forms_keep_distinct_ids(client_for, coordinator):
    body = text(client_for(coordinator).get(reverse("directory:diagnostic", args=[HOME])))
    ids = re.findall(r' id="([^"]+)"', body)
    assert len(ids) == len(set(ids))


GARBAGE = ["", "x" * 20000, "-5", "abc", "1e400", "NaN", "-Infinity", "12\x00", "\x00",
           "99999999999999999999", "0", "2026-02-30", "<script>", "38 053", "10-MG"]  # fmt: skip
PAYLOADS = {"add": LOCAL_PROFESSIONAL, "add_structure": LOCAL_STRUCTURE, "professional": ENTRY,
            "structure": STRUCTURE_ENTRY, "reference": REFERENCE, "local_figure": FIGURE}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_no_value_in_any_field_of_a_directory_form_gives_a_500(name, client_for, coordinator,
                                                               beatrice, hospital):  # fmt: skip
    from django.db import transaction

    args = {"professional": [beatrice.public_id], "structure": [hospital.public_id]}
    url = reverse(f"directory:{name}", args=[HOME, *args.get(name, [])])
    client = client_for(coordinator)
    client.raise_request_exception = False
    failures = []
    for field in PAYLOADS[name]:
        for value in GARBAGE:
            with transaction.atomic():
                response = client.post(url, {**PAYLOADS[name], field: value})
                transaction.set_rollback(True)
            if response.status_code not in (302, 400):
                failures.append((field, value[:12], response.status_code))
    assert failures == []
