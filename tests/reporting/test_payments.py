"""Payments received: entered with date, amount and reference, matched to the schedule line
of that exact amount (or the one chosen), each line then paid, partly paid, due or
overdue; a payment that matches nothing is refused with the nearest expected lines."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership, Role, User
from maillage.reporting import payments
from maillage.reporting.models import OPERATING, Payment
from tests.reporting.test_schedule import year5_contract
from tests.utils import text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# Signed 400 days ago: year 1 has ended (its balance is due), year 2 runs.
SIGNED = TODAY - datetime.timedelta(days=400)
PAGE = reverse("reporting:payments", args=["pays-berjalliens"])
ADD = reverse("reporting:payment_add", args=["pays-berjalliens"])


@pytest.fixture
def contract(home_cpts):
    return year5_contract(home_cpts, signed_on=SIGNED, started={"acces": SIGNED},
                          indicators=False)  # fmt: skip


def record(contract, coordinator, **kwargs):
    data = {"received_on": SIGNED + datetime.timedelta(days=20), "amount": D("67500.00"),
            "reference": "VIR-2025-001"}  # fmt: skip
    return payments.record_payment(contract=contract, actor=coordinator, **{**data, **kwargs})


def test_a_payment_of_the_exact_amount_matches_the_open_line_nearest_its_date(
    contract, coordinator
):
    # The operating grant's advance and the access mission's are both 67 500 on the
    # signature day; a second one of the same amount goes to the other line still open.
    first = record(contract, coordinator)
    second = record(contract, coordinator, reference="VIR-2025-002")
    assert {first.line, second.line} == {OPERATING, "acces"}
    assert first.due_on == second.due_on == SIGNED and first.kind == "advance"
    state = {(s.line.line, s.line.year, s.line.kind): s.status
             for s in payments.statuses(contract)}  # fmt: skip
    assert state[("acces", 1, "advance")] == payments.PAID
    assert state[(OPERATING, 1, "advance")] == payments.PAID
    assert state[("acces", 1, "balance")] == payments.OVERDUE  # due at the anniversary, past
    assert state[("acces", 2, "balance")] == payments.DUE


def test_a_payment_that_matches_nothing_is_refused_with_the_nearest_lines(contract, coordinator):
    with pytest.raises(ValidationError) as caught:
        record(contract, coordinator, amount=D("12345.67"))
    message = " ".join(caught.value.message_dict["amount"])
    assert "ne correspond à aucune échéance" in message
    assert f"{SIGNED:%d/%m/%Y} · Accès aux soins" in message and "67 500 EUR" in message
    assert not Payment.objects.exists()


def test_a_payment_given_its_line_is_matched_to_it_even_when_the_amount_differs(
    contract, coordinator
):
    anniversary = SIGNED.replace(year=SIGNED.year + 1)
    payment = record(contract, coordinator, amount=D("20000.00"), line="acces",
                     due_on=anniversary, kind="balance")  # fmt: skip
    assert (payment.line, payment.due_on, payment.kind) == ("acces", anniversary, "balance")
    row = next(s for s in payments.statuses(contract) if s.line.key == payment_key(payment))
    assert row.status == payments.PARTLY_PAID and row.remaining == D("2500.00")
    # The rest, 2 500, now matches that partly paid line by its remainder.
    rest = record(contract, coordinator, amount=D("2500.00"), reference="VIR-SOLDE-2")
    assert payment_key(rest) == payment_key(payment)


def payment_key(payment):
    return (payment.due_on, payment.line, payment.kind)


def test_a_line_that_is_not_in_the_schedule_is_refused(contract, coordinator):
    with pytest.raises(ValidationError) as caught:
        record(contract, coordinator, line="parcours", due_on=SIGNED, kind="advance")
    assert "n'existe pas dans l'échéancier" in caught.value.message_dict["line"][0]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("amount", D("0"), "montant positif"),
    ("amount", D("-67500"), "montant positif"),
    ("amount", "douze", "Indiquez un montant"),
    ("amount", D("1.234"), "Deux décimales"),
    ("received_on", TODAY + datetime.timedelta(days=1), "dans le futur"),
    ("reference", "  ", "référence"),
])  # fmt: skip
def test_bad_input_is_refused_with_a_french_message_and_nothing_written(
    contract, coordinator, field, value, message
):
    with pytest.raises(ValidationError) as caught:
        record(contract, coordinator, **{field: value})
    assert message in " ".join(caught.value.message_dict[field])
    assert not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action="reporting.payment_recorded").exists()


def test_a_reference_already_recorded_is_refused(contract, coordinator):
    record(contract, coordinator)
    with pytest.raises(ValidationError) as caught:
        record(contract, coordinator, reference="vir-2025-001")
    assert "déjà enregistré" in caught.value.message_dict["reference"][0]
    assert Payment.objects.count() == 1


def test_recording_and_deleting_a_payment_are_audited(contract, coordinator, home_cpts):
    payment = record(contract, coordinator)
    event = AuditEvent.objects.get(action="reporting.payment_recorded", cpts=home_cpts)
    assert event.actor == coordinator and event.detail["amount"] == "67500.00"
    payments.delete_payment(payment=payment, actor=coordinator)
    assert not Payment.objects.exists()
    assert AuditEvent.objects.filter(action="reporting.payment_deleted",
                                     detail__reference="VIR-2025-001").exists()  # fmt: skip


# -- the pages --------------------------------------------------------------------------


def test_the_schedule_page_shows_lines_statuses_totals_and_payments(
    client_for, coordinator, contract
):
    record(contract, coordinator)
    body = text(client_for(coordinator).get(PAGE))
    assert "Année 1 du contrat" in body and "Année 5 du contrat" in body
    assert "67\u00a0500,00 €" in body
    assert "Payée" in body and "En retard" in body and "À venir" in body
    assert "VIR-2025-001" in body
    assert "Enregistrer un versement reçu" in body


def test_the_schedule_exports_as_csv(client_for, coordinator, contract):
    response = client_for(coordinator).get(PAGE, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("date;année du contrat;ligne de financement")
    assert f"{SIGNED:%d/%m/%Y};1;Accès aux soins" in rows[1] + rows[2]


def test_the_add_form_records_a_payment_and_goes_back_to_the_schedule(
    client_for, coordinator, contract
):
    response = client_for(coordinator).post(ADD, {
        "received_on": (SIGNED + datetime.timedelta(days=3)).isoformat(),
        "amount": "67 500,00", "reference": "VIR-A"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Payment.objects.get(reference="VIR-A").amount == D("67500.00")


def test_the_add_form_says_400_with_the_message_when_the_payment_matches_nothing(
    client_for, coordinator, contract
):
    response = client_for(coordinator).post(ADD, {
        "received_on": TODAY.isoformat(), "amount": "999,99", "reference": "VIR-B"})  # fmt: skip
    assert response.status_code == 400
    body = text(response)
    assert "ne correspond à aucune échéance attendue" in body
    assert "Rien n'est enregistré" in body
    assert not Payment.objects.exists()


def test_the_add_form_pays_the_line_chosen(client_for, coordinator, contract):
    anniversary = SIGNED.replace(year=SIGNED.year + 1)
    response = client_for(coordinator).post(ADD, {
        "received_on": TODAY.isoformat(), "amount": "22000", "reference": "VIR-C",
        "schedule_line": f"{anniversary.isoformat()}|acces|balance"})  # fmt: skip
    assert response.status_code == 302
    assert Payment.objects.get(reference="VIR-C").due_on == anniversary


def test_a_payment_entered_by_mistake_is_deleted_from_the_page(client_for, coordinator,
                                                                contract):  # fmt: skip
    payment = record(contract, coordinator)
    response = client_for(coordinator).post(ADD, {"delete": str(payment.public_id)})
    assert response.status_code == 302 and not Payment.objects.exists()


def test_a_board_member_sees_the_schedule_but_cannot_add(client_for, board_member, contract):
    assert client_for(board_member).get(PAGE).status_code == 200
    assert "Enregistrer un versement reçu" not in text(client_for(board_member).get(PAGE))
    assert client_for(board_member).get(ADD).status_code == 404


def test_without_a_contract_the_page_says_so_and_links_to_it(client_for, coordinator):
    body = text(client_for(coordinator).get(PAGE))
    assert "Aucun contrat ACI" in body
    assert reverse("reporting:contract", args=["pays-berjalliens"]) in body


def test_an_outsider_gets_404(client_for, outsider, contract):
    assert client_for(outsider).get(PAGE).status_code == 404
    assert client_for(outsider).post(ADD, {"amount": "1"}).status_code == 404


def funder_of(cpts):
    user = User.objects.create_user(email="financeur@cpam.example.fr", password="x" * 16)
    Membership.objects.create(user=user, cpts=cpts, role=Role.FUNDER)
    return user


def test_a_funders_read_of_the_schedule_is_audited(client_for, home_cpts, contract):
    funder = funder_of(home_cpts)
    assert client_for(funder).get(PAGE).status_code == 200
    event = AuditEvent.objects.get(action="reporting.funder_read", actor=funder)
    assert event.detail == {"where": "reporting.payments"}
    assert client_for(funder).get(ADD).status_code == 404
