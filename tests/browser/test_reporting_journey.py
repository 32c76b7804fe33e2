"""Journey: the coordinator opens the forecast of the ACI contract, records a payment
received (a wrong amount first, refused with its message), generates the year's activity
report and downloads its PDF; at 390 px and at 1280 px, the pages fit the screen and
axe-core finds nothing serious."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from maillage.reporting import contract as contracts
from maillage.reporting import funding
from maillage.reporting.models import ContractMission, MissionStatus, Payment, Report
from maillage.territory.aci import add_months
from tests.browser.conftest import assert_accessible, horizontal_overflow
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


def _contract(cpts, coordinator):
    """The year-5 example signed 16 months ago (today is in year 2), every mission started
    at the signature: the first year's lines are due, its balance among them."""
    today = timezone.localdate()
    signed_on = add_months(today, -16)
    contract = contracts.apply_template(cpts=cpts, template="exemple-annee-5",
                                        signed_on=signed_on, actor=coordinator)  # fmt: skip
    ContractMission.objects.filter(contract=contract, included=True).update(
        status=MissionStatus.STARTED, started_on=signed_on)  # fmt: skip
    contract.refresh_from_db()
    return contract, today


def _url(name, **kwargs):
    return reverse(f"reporting:{name}", kwargs={"cpts_slug": SLUG, **kwargs})


def _fits(page):
    assert horizontal_overflow(page) == 0
    assert_accessible(page)


@pytest.mark.parametrize("viewport", ["phone_390", "page"])
def test_the_coordinator_follows_the_money_and_writes_the_report(
    demo_server, request, viewport, tmp_path
):
    page = request.getfixturevalue(viewport)
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=demo_email("coordination", SLUG))
    contract, today = _contract(cpts, coordinator)
    # The first advance of the access mission: the line the coordinator records.
    due = next(line for line in funding.schedule(contract, today=today)
               if line.line == "acces" and line.kind == "advance" and line.year == 1)  # fmt: skip
    base = demo_server.url
    _log_in(page, base, email=coordinator.email)

    # The forecast of the current year (year 2): nothing received yet.
    page.goto(base + _url("forecast"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prévisions")
    expect(page.get_by_role("heading", name=re.compile("^Et si"))).to_be_visible()
    _fits(page)

    # A payment: a negative amount is refused with its message, the form kept.
    page.goto(base + _url("payments"))
    _fits(page)
    page.get_by_role("link", name="Enregistrer un versement reçu").click()
    page.wait_for_url(f"**{_url('payment_add')}")
    page.get_by_label("Reçu le").fill((due.date + datetime.timedelta(days=12)).isoformat())
    page.get_by_label("Montant (EUR)").fill("-10")
    page.get_by_label("Référence du virement").fill("VIR-CPAM-2026-0042")
    page.get_by_label("Échéance payée (facultatif)").select_option(
        f"{due.date.isoformat()}|acces|advance"
    )
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(re.compile("montant", re.IGNORECASE))
    expect(page.get_by_label("Référence du virement")).to_have_value("VIR-CPAM-2026-0042")
    _fits(page)
    assert not Payment.objects.filter(contract=contract).exists()

    amount = f"{due.amount:.2f}".replace(".", ",")
    page.get_by_label("Montant (EUR)").fill(amount)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**{_url('payments')}")
    expect(page.locator("main")).to_contain_text("VIR-CPAM-2026-0042")
    payment = Payment.objects.get(contract=contract)
    assert (payment.amount, payment.reference) == (due.amount, "VIR-CPAM-2026-0042")
    assert (payment.line, payment.kind, payment.due_on) == ("acces", "advance", due.date)
    _fits(page)

    # The report of year 1: generated, listed as version 1, its PDF downloaded.
    page.goto(base + _url("report_year", year=1))
    _fits(page)
    page.get_by_role("button", name="Générer une nouvelle version").click()
    pdf_link = page.get_by_role("link", name="PDF de la version 1")
    expect(pdf_link).to_be_visible()
    report = Report.objects.get(contract=contract, year=1)
    assert report.version == 1 and not report.frozen
    _fits(page)
    with page.expect_download() as download:
        pdf_link.click()
    pdf_file = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf_file)
    data = pdf_file.read_bytes()
    assert pdf_file.suffix == ".pdf" and data.startswith(b"%PDF")
    assert data == bytes(report.pdf)

    from pypdf import PdfReader

    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert "Prévention" in text and "Parcours" in text
