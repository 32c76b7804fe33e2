"""Journey: the coordinator builds the contact tree and the resources. On a desktop, they
add the CPTS's members in one click, add the town hall of Four with its commune picked by
name, filter the tree by the cell, then add a site and see it on the map with its list
beside it; on a 390 px phone the pages fit without scrolling sideways. axe-core passes on
every page."""

import re

import pytest

from maillage.crisis.models import Contact, Site, Stock
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
BASE = "/c/pays-berjalliens/crise"


def test_coordinator_builds_the_contact_tree_and_sees_the_sites_map(demo_server, page):
    Contact.objects.all().delete()
    Stock.objects.all().delete()
    Site.objects.all().delete()
    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}{BASE}/contacts/")
    assert_accessible(page)
    page.get_by_role("button", name="Ajouter les membres de la CPTS").click()
    page.wait_for_selector("text=contacts ajoutés")
    assert Contact.objects.filter(category="member").count() > 5
    page.get_by_role("heading", name=re.compile("^Membre de la CPTS")).wait_for()

    page.get_by_role("link", name="Ajouter un contact extérieur").click()
    page.get_by_label("Catégorie").select_option("town_hall")
    page.get_by_label("Nom", exact=True).fill("Secrétariat de mairie")
    page.get_by_label("Téléphone mobile").fill("06 12 34 57 23")
    field = page.get_by_role("combobox", name=re.compile("^Commune"))
    field.click()
    field.press_sequentially("four", delay=60)
    option = page.get_by_role("option", name=re.compile(r"^Four \(38\)"))
    option.wait_for()
    assert_accessible(page)
    option.click()
    assert field.input_value() == "Four (38)"
    page.get_by_label("Logistique").check()
    page.get_by_label("Membre de la cellule de crise").check()
    page.get_by_label(re.compile("^Rôle dans la cellule")).fill("Mairie")
    screenshot(page, "crisis-contact-form", env_var="CRISIS_SHOTS")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Contact enregistré : Secrétariat de mairie")
    contact = Contact.objects.get(name="Secrétariat de mairie")
    assert contact.commune.name == "Four" and contact.mobile == "+33612345723"

    # Only the cell: the new contact is there, a member outside the cell is not.
    page.get_by_label(re.compile(r"^Cellule de crise \(1\)")).check()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"groupe=cell"))
    assert page.locator("strong", has_text="Secrétariat de mairie").is_visible()
    assert page.get_by_role("heading", name=re.compile("^Membre de la CPTS")).count() == 0
    assert page.get_by_role("link", name=re.compile(r"06 12 34 57 23")).get_attribute(
        "href") == "tel:+33612345723"  # fmt: skip
    assert_accessible(page)

    page.goto(f"{demo_server.url}{BASE}/lieux/nouveau/")
    page.get_by_label("Nom du lieu").fill("Gymnase du Vernay")
    field = page.get_by_role("combobox", name="Commune")
    field.click()
    field.press_sequentially("bourgoin", delay=60)
    page.get_by_role("option", name=re.compile(r"^Bourgoin-Jallieu \(38\)")).click()
    page.get_by_label(re.compile("^Capacité")).fill("250")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Lieu enregistré : Gymnase du Vernay")
    # The map drew the site's marker (at the commune's centre), the list names it.
    page.wait_for_selector("#sites-map path.leaflet-interactive")
    assert page.locator("#sites-map path.leaflet-interactive").count() == 1
    assert page.get_by_text("Capacité : 250 personnes").is_visible()
    screenshot(page, "crisis-sites", env_var="CRISIS_SHOTS")
    assert_accessible(page)


def test_the_tree_and_the_resources_fit_a_390_px_phone(demo_server, phone_390):
    from maillage.core.models import User
    from maillage.crisis import demo_contacts
    from maillage.crisis.models import Contact as C

    page = phone_390
    coordinator = User.objects.get(email="coordination@pays-berjalliens.maillage.test")
    if not C.objects.filter(category="ars").exists():
        demo_contacts.build(coordinator.memberships.get().cpts, coordinator)
    _log_in(page, demo_server.url)
    for path in ("contacts/", "contacts/imprimer/", "lieux/", "stocks/"):
        page.goto(f"{demo_server.url}{BASE}/{path}")
        screenshot(page, "crisis-" + path.strip("/").replace("/", "-"), env_var="CRISIS_SHOTS")
        assert horizontal_overflow(page) == 0, path
        assert_accessible(page)
    # The stock below its minimum comes first, flagged in words.
    page.goto(f"{demo_server.url}{BASE}/stocks/")
    first = page.locator(".crisis-contact").first
    assert "Vaccins grippe" in first.inner_text() and "Sous le minimum" in first.inner_text()
