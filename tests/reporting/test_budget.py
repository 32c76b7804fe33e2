"""Budget per mission: the board and the coordinator enter spending on a funding line,
and see it per contract year against the payments received; amounts and dates as
accounting writes them; hostile text stays text."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.reporting import budget
from maillage.reporting.models import ContractMission, Payment, Spending
from tests.conftest import HOME, verified_client
from tests.reporting.test_proofs import funder_of, make_contract
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("reporting:budget", args=[HOME])
ADD = reverse("reporting:budget_add", args=[HOME])


def _french(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return "\u202f".join(groups) + "," + cents


@given(st.decimals(min_value=Decimal("0.01"), max_value=budget.MAX_AMOUNT, places=2))
def test_amounts_written_the_french_way_read_back_exactly(amount):
    assert budget.parse_amount(_french(amount)) == amount
    assert budget.parse_amount(_french(amount).replace("\u202f", " ")) == amount
    assert budget.parse_amount(f"{amount:.2f}") == amount
    assert budget.parse_amount(_french(amount).replace("\u202f", ".") + " €") == amount


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_clear_refusal(raw):
    try:
        value = budget.parse_amount(raw)
    except ValidationError as exc:
        assert exc.messages and all(m for m in exc.messages)
    else:
        assert Decimal("0.01") <= value <= budget.MAX_AMOUNT


@pytest.mark.parametrize(
    "raw", ["0", "0,00", "-12,50", "(12,50)", "12,345", "1e3", "NaN", "abc", "", "99999999999"]
)
def test_zero_negative_fractions_of_a_cent_and_nonsense_are_refused(raw):
    with pytest.raises(ValidationError):
        budget.parse_amount(raw)


@given(st.dates(min_value=budget.EARLIEST, max_value=budget.LATEST))
def test_dates_written_the_french_way_read_back(day):
    assert budget.parse_date(day.strftime("%d/%m/%Y")) == day
    assert budget.parse_date(day.isoformat()) == day


@given(st.text(max_size=20))
def test_any_text_is_a_date_or_a_clear_refusal(raw):
    try:
        budget.parse_date(raw)
    except ValidationError as exc:
        assert exc.messages


@pytest.mark.parametrize("raw,code", [("parcours", "parcours"), ("Prévention", "prevention"),
                                      ("PREVENTION", "prevention"), ("Crise", "crise"),
                                      ("Accès aux soins", "acces"),
                                      ("Parcours pluriprofessionnels", "parcours"),
                                      ("Fonctionnement", "fonctionnement"),
                                      ("qualité", "qualite")])  # fmt: skip
def test_a_mission_is_named_by_its_code_or_its_name(raw, code):
    assert budget.parse_line(raw) == code


def test_record_spending_validates_every_field_and_writes_nothing_on_error(home_cpts, board_member):
    with pytest.raises(ValidationError) as exc:
        budget.record_spending(cpts=home_cpts, spent_on="32/13/2027", line="inconnue",
                               label="  ", amount="-5", actor=board_member)  # fmt: skip
    assert set(exc.value.message_dict) == {"spent_on", "line", "label", "amount"}
    with pytest.raises(ValidationError) as exc:
        budget.record_spending(cpts=home_cpts, spent_on="01/02/2027", line="parcours",
                               label="x" * 301, amount="10", actor=board_member)  # fmt: skip
    assert "300 caractères" in exc.value.message_dict["label"][0]
    assert not Spending.objects.exists()


def test_hostile_labels_are_stored_as_text_without_control_characters(home_cpts,
                                                                      board_member):  # fmt: skip
    row = budget.record_spending(cpts=home_cpts, spent_on="01/02/2027", line="parcours",
                                 label="  <script>alert(1)</script>\x00 =cmd|'/C calc'!A0 ",
                                 amount="10,50", actor=board_member)  # fmt: skip
    assert row.label == "<script>alert(1)</script> =cmd|'/C calc'!A0"
    assert row.amount == Decimal("10.50")
    event = AuditEvent.objects.get(action="reporting.spending_add", actor=board_member)
    assert event.detail["where"] == "reporting.budget"


def test_the_page_sets_spending_against_payments_received_per_line(client_for, board_member,
                                                                   home_cpts):  # fmt: skip
    contract = make_contract(home_cpts, signed_on=datetime.date(2026, 1, 1))
    ContractMission.objects.create(contract=contract, code="prevention")
    ContractMission.objects.create(contract=contract, code="qualite", included=False)
    for day, amount in (
        (datetime.date(2026, 3, 1), "13125.00"),
        (datetime.date(2027, 3, 1), "999.00"),
    ):  # the next contract year
        Payment.objects.create(contract=contract, received_on=day, amount=Decimal(amount),
                               reference="VIR", line="prevention", kind="advance",
                               due_on=day)  # fmt: skip
    budget.record_spending(cpts=home_cpts, spent_on="15/03/2026", line="prevention",
                           label="Affiches <b>dépistage</b>", amount="1 234,56",
                           actor=board_member)  # fmt: skip
    budget.record_spending(cpts=home_cpts, spent_on="15/03/2026", line="fonctionnement",
                           label="Loyer", amount="500", actor=board_member)  # fmt: skip
    response = client_for(board_member).get(URL, {"annee": "1"})
    assert response.status_code == 200
    lines = {line.line: line for line in response.context["lines"]}
    assert list(lines) == ["prevention", "fonctionnement"]  # qualite is not in the contract
    assert lines["prevention"].received == Decimal("13125.00")
    assert lines["prevention"].spent == Decimal("1234.56")
    assert lines["prevention"].balance == Decimal("11890.44")
    assert lines["fonctionnement"].balance == Decimal("-500.00")
    body = response.content.decode()
    assert "data:image/svg+xml;base64," in body and "<caption>Dépenses et financements" in body
    assert "&lt;b&gt;dépistage&lt;/b&gt;" in body and "<b>dépistage</b>" not in body


def test_without_a_contract_the_page_follows_calendar_years(client_for, coordinator, home_cpts):
    budget.record_spending(cpts=home_cpts, spent_on="15/03/2025", line="parcours",
                           label="Soirée", amount="80", actor=coordinator)  # fmt: skip
    response = client_for(coordinator).get(URL, {"annee": "2025"})
    assert response.status_code == 200
    assert [(line.line, line.spent) for line in response.context["lines"]] == [
        ("parcours", Decimal("80.00"))
    ]
    assert client_for(coordinator).get(URL, {"annee": "abc"}).status_code == 400


def test_the_form_records_an_entry_or_says_what_is_wrong(client_for, board_member):
    client = client_for(board_member)
    response = client.post(ADD, {"spent_on": "31/02/2027", "line": "parcours",
                                 "label": "Soirée", "amount": "12"})  # fmt: skip
    assert response.status_code == 400
    assert "Date illisible" in text(response) and not Spending.objects.exists()
    response = client.post(ADD, {"spent_on": "28/02/2027", "line": "parcours",
                                 "label": "Soirée", "amount": "1 200,00"})  # fmt: skip
    assert response.status_code == 302
    assert Spending.objects.get().amount == Decimal("1200.00")


def test_the_csv_export_neutralises_formulas(client_for, coordinator, home_cpts):
    budget.record_spending(cpts=home_cpts, spent_on="15/03/2025", line="parcours",
                           label="=HYPERLINK(\"http://x\")", amount="80",
                           actor=coordinator)  # fmt: skip
    response = client_for(coordinator).get(URL, {"annee": "2025", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body.replace(";=", "\n=")
    assert "15/03/2025" in body and "Parcours pluriprofessionnels" in body


@pytest.mark.parametrize("persona", ["gp", "nurse", "regulator", "partner"])
def test_members_without_the_budget_right_get_404(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.post(ADD, {}).status_code == 404


def test_the_funder_gets_404_on_the_budget(home_cpts):
    make_contract(home_cpts)
    client = verified_client(funder_of(home_cpts))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reporting:budget_import", args=[HOME])).status_code == 404


def test_an_outsider_gets_404(client_for, outsider):
    assert client_for(outsider).get(URL).status_code == 404
    assert client_for(outsider).post(ADD, {}).status_code == 404
