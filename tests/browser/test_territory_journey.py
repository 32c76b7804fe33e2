"""Journey: the demo coordinator logs in with TOTP, sees the 22 communes and the
population, adds a commune and sees the figures change, in a real Chromium."""

import re

import pytest

from maillage.core.models import User
from maillage.core.twofactor import confirmed_device, current_code
from maillage.demo.builder import DEMO_PASSWORD
from maillage.territory.services import territory_summary
from tests.browser.conftest import follow_nav_link

pytestmark = pytest.mark.browser

COORDINATOR = "coordination@pays-berjalliens.maillage.test"


def _digits(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _log_in(page, base_url, email=COORDINATOR):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/connexion/code/")
    device = confirmed_device(User.objects.get(email=email))
    page.get_by_label(re.compile("Code à 6 chiffres")).fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/c/pays-berjalliens/aujourdhui/")


def test_coordinator_logs_in_sees_territory_and_adds_a_commune(demo_server, page):
    from maillage.core.models import Cpts

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    expected = territory_summary(cpts)
    _log_in(page, demo_server.url)
    follow_nav_link(page, "Territoire et annuaire", "Territoire")

    assert page.locator("#commune-count").inner_text() == "22"
    assert _digits(page.locator("#population").inner_text()) == expected.population
    assert page.locator("#size-class").inner_text() == "Taille 3"
    # The map drew one shape per commune.
    page.wait_for_selector("#map path.leaflet-interactive")
    assert page.locator("#map path.leaflet-interactive").count() == 22

    page.get_by_label("Communes à ajouter").fill("Cessieu")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    # A function, not an expression: Playwright evaluates expressions with eval(), which
    # the Content-Security-Policy refuses.
    page.wait_for_function("() => document.querySelector('#commune-count').textContent === '23'")
    new_population = _digits(page.locator("#population").inner_text())
    assert new_population > expected.population
    assert new_population == territory_summary(cpts).population
    assert page.locator("#map path.leaflet-interactive").count() == 23

    # A wrong entry shows a French message next to the field, and nothing changes.
    page.get_by_label("Communes à ajouter").fill("38999")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_selector("text=Aucune commune avec le code 38999")
    assert page.locator("#commune-count").inner_text() == "23"


def test_territory_page_fits_a_phone_screen(demo_server, phone_page):
    _log_in(phone_page, demo_server.url)
    follow_nav_link(phone_page, "Territoire et annuaire", "Territoire")
    phone_page.wait_for_url("**/c/pays-berjalliens/")
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    assert phone_page.locator("#commune-count").inner_text() == "22"
