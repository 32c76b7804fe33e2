"""The report in a real browser, on a 390 px phone: the coordinator reads the year's
preview (no sideways scroll, no serious axe violation), comments a section, generates a
version and marks it sent."""

import pytest

from maillage.core.models import Cpts
from maillage.reporting.models import Report, ReportComment
from tests.browser.conftest import _watch_csp, assert_accessible, horizontal_overflow
from tests.browser.test_accessibility_pages import _log_in
from tests.reporting.report_world import YEAR, build_contract

pytestmark = pytest.mark.browser
C = "/c/pays-berjalliens/contrat/rapport"


def test_coordinator_comments_generates_and_sends_on_a_phone(demo_server, browser):
    build_contract(Cpts.objects.get(slug="pays-berjalliens"))
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = _watch_csp(page)
    try:
        _log_in(page, demo_server.url, "coordination")
        page.goto(f"{demo_server.url}{C}/")
        assert horizontal_overflow(page) <= 1
        assert_accessible(page)
        page.get_by_role("link", name=f"Voir le rapport de l'année {YEAR}").click()
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)
        assert horizontal_overflow(page) <= 1
        assert_accessible(page)
        section = page.locator("section", has=page.locator("#section-prevention"))
        section.get_by_label("Commentaire de la coordination").fill("Trois journées.")
        section.get_by_role("button", name="Enregistrer le commentaire").click()
        page.wait_for_load_state("load")
        assert ReportComment.objects.get(section="prevention").text == "Trois journées."
        page.get_by_role("button", name="Générer une nouvelle version").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("Version 1 du rapport de l'année 3 générée.").is_visible()
        page.get_by_label("Je confirme que cette version a été envoyée").check()
        page.get_by_role("button", name="Marquer comme envoyée à la CPAM").click()
        page.wait_for_load_state("load")
        assert page.get_by_text("elle est désormais figée").is_visible()
        assert horizontal_overflow(page) <= 1
        assert_accessible(page)
    finally:
        context.close()
    assert violations == []
    assert Report.objects.get().frozen
