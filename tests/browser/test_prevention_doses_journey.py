"""Journey: the pharmacist, on a phone (390 px), reports today's flu doses of the live
campaign in under 10 taps: « Déclarer des doses » from the menu, + on the counts, and
« Enregistrer »; the report is listed under « Mes déclarations ». The coordinator then
sees the doses on the campaign's indicators. No page scrolls sideways; axe-core finds
nothing serious."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from maillage.prevention.models import Action, DoseReport, Theme
from tests.browser.conftest import (
    assert_accessible,
    horizontal_overflow,
    screenshot,
)
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


@pytest.fixture
def flu(demo_server):
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=demo_email("coordination", SLUG))
    start = timezone.now() - datetime.timedelta(days=5)
    return Action.objects.create(
        cpts=cpts, kind="vaccination", theme=Theme.objects.get(cpts=None,
                                                               code="vaccination-grippe"),
        title="Campagne grippe", start=start, end=start + datetime.timedelta(days=90),
        vaccines=["grippe"], target_size=2000, created_by=coordinator)  # fmt: skip


class Taps:
    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()


def test_the_pharmacist_reports_flu_doses_in_under_ten_taps(demo_server, flu, phone_390,
                                                            page):  # fmt: skip
    phone = phone_390
    _log_in(phone, demo_server.url, email=demo_email("pharmacien", SLUG))
    taps = Taps()
    nav = phone.get_by_role("navigation", name="Navigation principale")
    taps.click(phone.get_by_role("button", name="Menu"))
    group = nav.locator('li[data-nav-group="Prévention"]')
    toggle = group.get_by_role("button", name="Prévention", exact=True)
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        taps.click(toggle)
    taps.click(group.get_by_role("link", name="Déclarer des doses", exact=True))
    expect(phone.get_by_role("heading", name="Déclarer des doses")).to_be_visible()
    day = phone.get_by_role("textbox", name="Jour")
    assert day.input_value() == timezone.localdate().isoformat()
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    site = phone.get_by_label("Officine ou cabinet")
    if not site.input_value():
        site.fill("Pharmacie des Remparts")  # typed once; remembered for the next report
    for _ in range(3):
        taps.click(phone.get_by_role("button", name="Une dose de plus : Grippe, 65 ans et plus"))
    taps.click(phone.get_by_role("button", name="Une dose de plus : Grippe, 27-64 ans"))
    expect(phone.get_by_label("65 ans et plus", exact=True)).to_have_value("3")
    taps.click(phone.get_by_role("button", name="Enregistrer").last)
    expect(phone.get_by_text("4 doses enregistrées")).to_be_visible()
    assert taps.count < 10, f"{taps.count} taps"
    rows = {(r.age_band, r.doses) for r in DoseReport.objects.filter(action=flu)}
    assert rows == {("65+", 3), ("27-64", 1)}
    mine = phone.get_by_role("region", name="Tableau de mes déclarations")
    expect(mine).to_contain_text("Grippe")
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    screenshot(phone, "doses", env_var="DOSES_SHOTS")

    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}/c/{SLUG}/prevention/indicateurs/action/{flu.public_id}/")
    expect(page.get_by_role("heading", name="Campagne grippe")).to_be_visible()
    expect(page.locator("figure.chart").first).to_contain_text("Grippe")
    assert_accessible(page)
