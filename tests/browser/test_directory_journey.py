"""Journey: search "beatrice", open the profile, see the map, open the diagnostic page."""

import pytest

from tests.browser.conftest import follow_nav_link
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_coordinator_finds_beatrice_and_opens_the_diagnostic(demo_server, page):
    _log_in(page, demo_server.url)
    follow_nav_link(page, "Territoire et annuaire", "Annuaire")
    page.get_by_label("Nom").fill("beatrice")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="BÉNARD Béatrice").click()
    page.wait_for_selector("h1:has-text('Béatrice BÉNARD')")
    # The map shows the practice site as a marker over the territory's communes.
    page.wait_for_selector("#pro-map path.leaflet-interactive")
    assert page.locator("#pro-map path.leaflet-interactive").count() >= 1
    assert "Bourgoin-Jallieu" in page.locator("main").inner_text()

    follow_nav_link(page, "Territoire et annuaire", "Diagnostic")
    page.wait_for_selector("h1:has-text('Diagnostic territorial')")
    page.wait_for_selector("#diag-map path.leaflet-interactive")
    assert page.locator("#diag-map path.leaflet-interactive").count() == 22
    assert "Médecin généraliste" in page.locator("table").first.inner_text()
    assert page.get_by_text("Communes sans médecin généraliste").is_visible()
