"""Journey: the coordinator writes the crisis cell section of the plan and makes a version;
a board member, on a 390 px phone, finds it on their home page, approves it, and compares
it with the previous version: no page wider than the screen, no serious axe violation."""

import pytest

from maillage.core.models import Cpts, User
from maillage.crisis import plan
from maillage.crisis.models import Contact, PlanVersion
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_accessibility_pages import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"
PLAN = f"/c/{SLUG}/crise/plan/"


def _fits_and_accessible(page):
    page.wait_for_load_state("load")
    assert horizontal_overflow(page) <= 1, f"{page.url}: wider than the screen"
    assert_accessible(page)
    screenshot(page, page.url.rstrip("/").rsplit("/", 1)[-1] or "page", env_var="CRISIS_SHOTS")


def test_coordinator_makes_a_version_and_the_board_approves_it_on_a_phone(
    demo_server, page, phone_390
):
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=f"coordination@{SLUG}.maillage.test")
    Contact.objects.create(cpts=cpts, name="Paul Girard", in_cell=True, cell_role="Pilotage",
                           mobile="06 12 34 56 78")  # fmt: skip
    # A first approved version, so that the new one has something to be compared with.
    plan.save_section(cpts=cpts, section="cell", body="Salle du conseil municipal",
                      author=coordinator)  # fmt: skip
    first = plan.create_version(cpts=cpts, actor=coordinator, note="Premier plan")
    board = User.objects.get(email=f"bureau@{SLUG}.maillage.test")
    plan.approve_version(version=first, actor=board)

    # The coordinator edits the crisis cell section.
    _log_in(page, demo_server.url, "coordination")
    page.goto(f"{demo_server.url}{PLAN}")
    cell = page.locator("#section-cell")
    assert cell.get_by_text("Paul Girard").is_visible()
    mobile = cell.get_by_role("link", name="06 12 34 56 78")
    assert mobile.get_attribute("href") == "tel:+33612345678"
    cell.get_by_role("link", name="Modifier la section « Cellule de crise »").click()
    page.wait_for_url("**/crise/plan/sections/cell/")
    page.get_by_label("Texte de la section").fill(
        "Salle du conseil municipal\nRepli : gymnase Pierre-de-Coubertin")
    page.get_by_role("button", name="Enregistrer la section").click()
    page.wait_for_selector("text=Section « Cellule de crise » enregistrée.")
    assert page.locator("#section-cell").get_by_text("Repli : gymnase Pierre-de-Coubertin") \
        .is_visible()  # fmt: skip
    assert page.get_by_text("Le brouillon diffère de la version approuvée").is_visible()
    _fits_and_accessible(page)

    # ... and makes version 2 of it.
    page.get_by_role("link", name="Créer une version").first.click()
    page.wait_for_url("**/crise/plan/versions/nouvelle/")
    assert page.get_by_text("Sections modifiées depuis la version 1").is_visible()
    page.get_by_label("Objet de la version (facultatif)").fill("Mise à jour annuelle")
    page.get_by_role("button", name="Créer la version").click()
    page.wait_for_selector("text=Version 2 créée")
    assert page.get_by_text("En attente d'approbation par le bureau").first.is_visible()
    assert page.get_by_role("button", name="Approuver la version 2").count() == 0

    # A board member approves it from their phone, through their home page.
    phone = phone_390
    _log_in(phone, demo_server.url, "bureau")
    phone.goto(f"{demo_server.url}/c/{SLUG}/aujourdhui/")
    card = phone.locator('[data-card="crisis.plan_approval"]')
    _fits_and_accessible(phone)
    card.get_by_role("link", name="Version 2 du plan de crise").click()
    phone.wait_for_url("**/crise/plan/versions/*/")
    _fits_and_accessible(phone)
    phone.get_by_role("button", name="Approuver la version 2").click()
    phone.wait_for_selector("text=Version 2 approuvée")
    second = PlanVersion.objects.get(cpts=cpts, number=2)
    assert second.approved_by == board

    # What changed since version 1, section by section.
    phone.get_by_role("link", name="Comparer avec la version 1").click()
    phone.wait_for_url("**/crise/plan/comparer/*")
    assert phone.get_by_text("Version 1 → version 2").is_visible()
    change = phone.locator("ins", has_text="Repli : gymnase Pierre-de-Coubertin")
    assert change.is_visible()
    _fits_and_accessible(phone)

    phone.goto(f"{demo_server.url}{PLAN}")
    assert phone.get_by_text("En vigueur : version 2").is_visible()
    _fits_and_accessible(phone)
    page.goto(f"{demo_server.url}/c/{SLUG}/crise/plan/sections/cell/")
    assert page.locator("ins", has_text="Repli : gymnase Pierre-de-Coubertin").is_visible()
    _fits_and_accessible(page)
