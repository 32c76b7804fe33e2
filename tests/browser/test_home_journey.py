"""Journey: "Aujourd'hui". The GP, on a phone, lands on a waiting proposal and today's
same-day appointment, and opens the navigation from the menu button; the coordinator,
at a desk, lands on the cards of the coordination and opens a group of the navigation.
No page scrolls sideways; axe-core finds nothing serious. Screenshots in $HOME_SHOTS."""


import pytest
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def email(local):
    return demo_email(local, "pays-berjalliens")


@pytest.fixture
def busy(demo_server):
    from tests.core.home_world import build

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    people = {k: User.objects.get(email=email(k)) for k in
              ("coordination", "medecin", "infirmier", "regulation", "partenaire")}  # fmt: skip
    return build(cpts, coordinator=people["coordination"], gp=people["medecin"],
                 nurse=people["infirmier"], regulator=people["regulation"],
                 partner=people["partenaire"])  # fmt: skip


def test_the_gp_on_a_phone_sees_the_proposal_and_todays_appointment_first(
    demo_server, busy, phone_390
):
    page = phone_390
    patient = busy["proposal"].request.patient
    _log_in(page, demo_server.url, email=email("medecin"))
    assert page.url.endswith("/c/pays-berjalliens/aujourdhui/")
    cards = page.locator("section.home-card")
    expect(cards.nth(0)).to_contain_text("Patients proposés")
    expect(cards.nth(0)).to_contain_text(patient.display_name)
    expect(cards.nth(1)).to_contain_text("Rendez-vous SNP du jour")
    expect(cards.nth(1)).to_contain_text("TOURNESOL Agathe")
    # Both in the first screen: the navigation is folded, no map comes before them.
    assert cards.nth(1).bounding_box()["y"] < 844
    assert page.locator(".leaflet-container, #map").count() == 0
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav).to_be_hidden()
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "gp-home", env_var="HOME_SHOTS")

    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Mes propositions")).to_be_visible()
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "gp-menu", env_var="HOME_SHOTS")
    nav.get_by_role("link", name="Mes propositions").click()
    page.wait_for_url("**/medecin-traitant/mes-propositions/")
    expect(page.get_by_text(patient.display_name).first).to_be_visible()


def test_the_coordinator_at_a_desk_sees_the_cards_and_a_group_of_the_navigation(
    demo_server, busy, page
):
    _log_in(page, demo_server.url)
    assert page.url.endswith("/c/pays-berjalliens/aujourdhui/")
    for title in ("Demandes de médecin traitant", "Demandes de soins non programmés à orienter",
                  "Parcours", "Listes de la CPAM", "Doublons à vérifier"):
        expect(page.get_by_role("heading", name=title, exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name="LAVANDE Basile")).to_be_visible()
    # At desk width the menu is open and the button gone; groups are disclosures.
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Navigation principale")
    group = nav.get_by_role("button", name="Médecin traitant")
    expect(nav.get_by_role("link", name="Import CPAM")).to_be_hidden()
    group.click()
    expect(group).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Import CPAM")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "coordinator-menu", env_var="HOME_SHOTS")
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Import CPAM")).to_be_hidden()
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "coordinator-home", env_var="HOME_SHOTS")
    group.click()
    nav.get_by_role("link", name="Import CPAM").click()
    page.wait_for_url("**/medecin-traitant/import-cpam/")


def test_a_visitor_finds_the_public_pages_on_a_phone(demo_server, phone_390):
    page = phone_390
    page.goto(demo_server.url + "/")
    expect(page.get_by_role("heading", name="CPTS des Pays Berjalliens")).to_be_visible()
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "public-home", env_var="HOME_SHOTS")
    page.get_by_role("link", name="Demander un médecin traitant").first.click()
    page.wait_for_url("**/medecin-traitant/*/")
