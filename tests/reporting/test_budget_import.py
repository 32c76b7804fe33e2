"""Importing the accounting's CSV: semicolons or commas, UTF-8 (with or without BOM) or
Windows-1252, French amounts and dates, missions by name; a preview first, then all the
rows or none, each bad line named."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.reporting import budget
from maillage.reporting.models import Spending
from tests.conftest import HOME
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("reporting:budget_import", args=[HOME])
GOOD = ("date;libellé;mission;montant\n"
        "15/01/2027;Affiches dépistage;Prévention;1 234,56\n"
        "16/01/2027;Loyer janvier;fonctionnement;800\n")  # fmt: skip


def _upload(content: bytes, name="compta.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_semicolon_file_in_windows_1252_is_read_with_french_amounts():
    rows = budget.parse_csv(budget.decode(GOOD.encode("cp1252")))
    assert [(r.number, r.spent_on, r.line, r.label, r.amount) for r in rows] == [
        (2, datetime.date(2027, 1, 15), "prevention", "Affiches dépistage", Decimal("1234.56")),
        (3, datetime.date(2027, 1, 16), "fonctionnement", "Loyer janvier", Decimal("800.00")),
    ]


def test_a_comma_file_in_utf8_with_bom_and_quoted_amounts_is_read():
    content = ("\ufeffDate,Libellé,Mission,Montant\r\n"
               '2027-02-01,"Soirée, diabète",Parcours pluriprofessionnels,"1 000,00"\r\n'
               ).encode("utf-8")  # fmt: skip
    [row] = budget.parse_csv(budget.decode(content))
    assert (row.label, row.line, row.amount) == ("Soirée, diabète", "parcours", Decimal("1000"))


def test_one_bad_line_writes_nothing_and_names_the_line(home_cpts, board_member):
    content = GOOD + "17/01/2027;Traiteur;Inconnue;120\n18/01/2027;Salle;crise;-5\n"
    with pytest.raises(ValidationError) as exc:
        budget.import_spending(cpts=home_cpts, text=content, file_name="c.csv",
                               actor=board_member)  # fmt: skip
    errors = exc.value.message_dict["file"]
    assert errors[0].startswith("Ligne 4 : mission : Mission inconnue")
    assert errors[1].startswith("Ligne 5 : montant")
    assert not Spending.objects.exists()


def test_missing_columns_are_named():
    with pytest.raises(ValidationError) as exc:
        budget.parse_csv("date;libellé;montant\n01/01/2027;x;3\n")
    assert "manque : mission" in exc.value.message_dict["file"][0]


def test_too_many_lines_or_bytes_are_refused():
    many = "date;libellé;mission;montant\n" + "01/01/2027;x;parcours;1\n" * (budget.MAX_LINES
                                                                          + 1)  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        budget.parse_csv(many)
    assert "5000 au plus" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        budget.decode(b"x" * (budget.MAX_BYTES + 1))


def test_binary_content_is_refused():
    with pytest.raises(ValidationError) as exc:
        budget.decode(b"date;libell\x00;mission;montant\n")
    assert "binaire" in exc.value.message_dict["file"][0]


def test_hostile_cells_stay_text(home_cpts, board_member):
    content = ("date;libellé;mission;montant\n"
               "01/03/2027;=cmd|' /C calc'!A0;parcours;10\n"
               "02/03/2027;<img src=x onerror=alert(1)>;parcours;10\n")  # fmt: skip
    budget.import_spending(cpts=home_cpts, text=content, file_name="<b>x</b>.csv",
                           actor=board_member)  # fmt: skip
    labels = sorted(Spending.objects.values_list("label", flat=True))
    assert labels == ["<img src=x onerror=alert(1)>", "=cmd|' /C calc'!A0"]
    assert Spending.objects.first().source == "<b>x</b>.csv (ligne 2)"


def test_the_page_previews_then_imports_everything_on_confirmation(client_for, board_member):
    client = client_for(board_member)
    preview = client.post(URL, {"file": _upload(GOOD.encode("utf-8"))})
    assert preview.status_code == 200
    body = text(preview)
    assert "Aperçu" in body and "Affiches dépistage" in body and "1\xa0234,56" in body
    assert not Spending.objects.exists()  # nothing written by the preview
    done = client.post(URL, {"confirmer": "1"})
    assert done.status_code == 302
    assert Spending.objects.count() == 2
    event = AuditEvent.objects.get(action="reporting.spending_import", actor=board_member)
    assert event.detail["lines"] == 2
    # The preview is used once: confirming again imports nothing more.
    assert client.post(URL, {"confirmer": "1"}).status_code == 400
    assert Spending.objects.count() == 2


def test_the_page_lists_every_bad_line_with_a_400(client_for, coordinator):
    content = (GOOD + "99/99/2027;x;parcours;1\n").encode("utf-8")
    response = client_for(coordinator).post(URL, {"file": _upload(content)})
    assert response.status_code == 400
    assert "Ligne 4 : date : Date illisible" in text(response)
    assert not Spending.objects.exists()


def test_an_upload_without_file_is_a_400(client_for, coordinator):
    response = client_for(coordinator).post(URL, {})
    assert response.status_code == 400 and "Choisissez un fichier." in text(response)


@given(st.binary(max_size=400))
def test_any_bytes_are_rows_or_a_clear_refusal_never_a_crash(data):
    try:
        rows = budget.parse_csv(budget.decode(data))
    except ValidationError as exc:
        assert exc.messages
    else:
        assert rows and all(r.amount > 0 for r in rows)


def test_a_very_long_file_name_is_shortened_not_a_crash(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(URL, {"file": _upload(GOOD.encode(), "x" * 240 + ".csv")})
    assert response.status_code == 200
    assert client.post(URL, {"confirmer": "1"}).status_code == 302
    assert all(len(s) <= 200 for s in Spending.objects.values_list("source", flat=True))
