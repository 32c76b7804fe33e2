"""CPAM CSV lists: column mapping, preview with every problem by line, all-or-nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.gp_access.cpam_import import guess_mapping, parse_row, read_csv
from maillage.gp_access.models import CsvUpload, GpRequest
from maillage.patients.models import Patient
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
UPLOAD = reverse("gp_access:cpam_upload", args=[HOME])

GOOD = (
    "Nom de naissance;Prénom;Date de naissance;Sexe;Code INSEE;ALD;C2S;Téléphone\n"
    "DUPONT;Marie;12/03/1945;F;38053;oui;non;0611111111\n"
    "MOREL;Jean;01/01/1990;M;38193;non;oui;0622222222\n"
)


def upload(client, content, name="cpam.csv", encoding="utf-8"):
    return client.post(
        UPLOAD,
        {"file": SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")},
    )


def test_upload_guess_preview_and_import(client_for, coordinator, run_jobs):
    client = client_for(coordinator)
    response = upload(client, GOOD)
    stored = CsvUpload.objects.get()
    page = text(client.get(response["Location"]))
    assert "DUPONT" in page and "prête" in page
    mapping_url = reverse("gp_access:cpam_mapping", args=[HOME, stored.public_id])
    mapping = {
        f"col_{k}": "" if v is None else str(v)
        for k, v in guess_mapping(read_csv(GOOD.encode()).header).items()
    }
    response = client.post(mapping_url, {**mapping, "action": "import"})
    assert "import-cpam/suivi/" in response["Location"]
    run_jobs()
    response = client.get(response["Location"])
    assert "2 ligne(s) importée(s) : 2 demande(s) créée(s)" in text(response)
    dupont = GpRequest.objects.get(patient__birth_name="DUPONT")
    assert dupont.origin == "cpam" and dupont.priority_reasons.startswith("ALD")
    assert not dupont.patient.consents.exists()  # recorded at the first contact
    assert not CsvUpload.objects.exists()  # patient data not kept in the upload


def test_one_bad_line_blocks_the_whole_import(client_for, coordinator):
    client = client_for(coordinator)
    bad = GOOD + "DURAND;Luc;31/02/1980;X;38999;peut-être;non;12\n"
    response = upload(client, bad)
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    body = text(page)
    assert "1 ligne(s) à corriger" in body
    assert "Ligne 4" in body and "date de naissance illisible" in body
    guessed = guess_mapping(read_csv(bad.encode()).header)
    post = {f"col_{k}": "" if v is None else str(v) for k, v in guessed.items()}
    response = client.post(mapping_url, {**post, "action": "import"})
    assert response.status_code == 400
    assert not Patient.objects.filter(birth_name="DUPONT").exists()


def test_missing_required_column_is_named(client_for, coordinator):
    client = client_for(coordinator)
    response = upload(client, "Nom;Prénom\nA;B\n")
    body = text(client.get(response["Location"]))
    assert "Choisissez la colonne « Date de naissance »" in body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "en-tête"),
        ("Nom;Prénom\n", "au moins une ligne"),
        ("\x00\x01binaire", "contenu binaire"),
    ],
)
def test_unreadable_files_are_refused(client_for, coordinator, content, message):
    response = upload(client_for(coordinator), content)
    assert response.status_code == 400 and message in text(response)


def test_windows_1252_file_and_known_patient(client_for, coordinator, make_request, run_jobs):
    existing = make_request(birth_name="DUPONT", first_names="Marie", birth_date="1945-03-12")
    client = client_for(coordinator)
    response = upload(
        client, GOOD.replace("Marie", "Marie").replace("Prénom", "Prénom"), encoding="cp1252"
    )
    guessed = guess_mapping(read_csv(GOOD.encode("cp1252")).header)
    post = {f"col_{k}": "" if v is None else str(v) for k, v in guessed.items()}
    response = client.post(response["Location"], {**post, "action": "import"})
    run_jobs()
    response = client.get(response["Location"])
    assert "1 patient(s) avaient déjà une demande en cours" in text(response)
    assert Patient.objects.filter(birth_name="DUPONT").count() == 1
    assert existing.patient.gp_requests.count() == 1


def test_other_roles_cannot_import(client_for, gp, outsider):
    assert client_for(gp).get(UPLOAD).status_code == 404
    assert client_for(outsider).get(UPLOAD).status_code == 404


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=15), min_size=13, max_size=13))
def test_any_row_is_parsed_or_explained(cells):
    mapping = dict(
        zip(
            [
                "birth_name",
                "used_name",
                "first_names",
                "birth_date",
                "sex",
                "nir",
                "phone",
                "email",
                "address",
                "commune",
                "ald",
                "c2s",
                "ame",
            ],
            range(13),
            strict=True,
        )
    )
    result = parse_row(2, cells, mapping)
    assert isinstance(result.errors, list)
    if not result.errors:
        assert result.data["birth_name"] and result.data["birth_date"]


# A field over the csv module's limit ---------------------------------------------------


@pytest.fixture(params=["csv default", "csv unlimited"])
def csv_limit(request):
    """The csv module's limit is process-wide, and the geography loader lifts it: the
    import must say the same under either."""
    import csv
    import sys

    previous = csv.field_size_limit()
    csv.field_size_limit(131_072 if request.param == "csv default" else sys.maxsize)
    yield
    csv.field_size_limit(previous)


def _with_long_field(line: int, length: int, quoted: bool = False) -> str:
    rows = GOOD.splitlines()
    rows += ["PETIT;Anne;02/02/1950;F;38053;non;non;0633333333"] * max(0, line - len(rows))
    cells = rows[line - 1].split(";")
    cells[2] = ('"' + "x" * length + '"') if quoted else "x" * length
    rows[line - 1] = ";".join(cells)
    return "\n".join(rows) + "\n"


def test_a_field_over_the_csv_limit_is_refused_with_its_line_and_nothing_is_stored(
    client_for, coordinator, csv_limit
):
    before = Patient.objects.count(), GpRequest.objects.count()
    response = upload(client_for(coordinator), _with_long_field(3, 131_073))
    assert response.status_code == 400
    assert "Ligne 3 : un champ dépasse 131\u202f072 caractères." in text(response)
    assert not CsvUpload.objects.exists()
    assert (Patient.objects.count(), GpRequest.objects.count()) == before


@settings(max_examples=25, deadline=None)
@given(line=st.integers(min_value=2, max_value=8), extra=st.integers(min_value=0, max_value=3),
       quoted=st.booleans())  # fmt: skip
def test_any_over_long_field_names_its_line_and_the_limit_itself_passes(line, extra, quoted):
    from maillage.gp_access.cpam_import import CsvFileError

    with pytest.raises(CsvFileError, match=f"^Ligne {line} : un champ dépasse 131\u202f072 "):
        read_csv(_with_long_field(line, 131_073 + extra, quoted).encode())
    parsed = read_csv(_with_long_field(line, 131_072, quoted).encode())
    assert len(parsed.rows[line - 2][2]) == 131_072


def test_a_cell_longer_than_the_patient_field_blocks_the_import(client_for, coordinator):
    client = client_for(coordinator)
    long_name = GOOD.replace("DUPONT", "D" * 101)
    mapping_url = upload(client, long_name)["Location"]
    body = text(client.get(mapping_url))
    assert "Ligne 2" in body and "Nom de naissance : 100 caractères au plus (101" in body
    guessed = guess_mapping(read_csv(long_name.encode()).header)
    post = {f"col_{k}": "" if v is None else str(v) for k, v in guessed.items()}
    assert client.post(mapping_url, {**post, "action": "import"}).status_code == 400
    assert not Patient.objects.filter(birth_name="MOREL").exists()
