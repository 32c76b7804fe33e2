"""Journey: people type names, not codes. The coordinator adds a commune to the territory
by typing part of its name and choosing a suggestion with the keyboard (desktop); a
visitor on a 390 px phone picks their commune by name in the public médecin-traitant form
with a tap. Both pages pass axe-core with the suggestions open."""

import re

import pytest

from maillage.gp_access.models import GpRequest
from tests.browser.conftest import assert_accessible, follow_nav_link, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_coordinator_picks_a_commune_by_name_in_the_territory_form(demo_server, page):
    _log_in(page, demo_server.url)  # lands on "Aujourd'hui"
    follow_nav_link(page, "Territoire et annuaire", "Territoire")
    field = page.get_by_role("combobox", name="Communes à ajouter")
    field.click()
    field.press_sequentially("cessi", delay=60)
    option = page.get_by_role("option", name=re.compile(r"^Cessieu \(38\)"))
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    field.scroll_into_view_if_needed()
    screenshot(page, "pickers-territory-suggestions", env_var="PICKERS_SHOTS")
    assert_accessible(page)

    field.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    field.press("Enter")  # chooses the suggestion; does not send the form
    assert field.input_value() == "Cessieu (38)"
    assert field.get_attribute("aria-expanded") == "false"
    assert page.locator("#commune-count").inner_text() == "22"

    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_function("() => document.querySelector('#commune-count').textContent === '23'")
    assert page.get_by_role("cell", name="Cessieu", exact=True).is_visible()

    # After the panel was swapped in, the field suggests again; Escape closes the list.
    field = page.get_by_role("combobox", name="Communes à ajouter")
    field.click()
    field.press_sequentially("four", delay=60)
    page.get_by_role("option", name=re.compile(r"^Four \(38\)")).wait_for()
    field.press("Escape")
    assert page.locator("#id_communes-suggestions").is_hidden()


def test_a_visitor_picks_their_commune_by_name_on_a_phone(demo_server, phone_390):
    page = phone_390
    GpRequest.objects.all().delete()
    page.goto(f"{demo_server.url}/medecin-traitant/pays-berjalliens/")
    page.get_by_label("Nom de naissance").fill("Rivière")
    page.get_by_label(re.compile("^Prénoms")).fill("Agathe")
    page.get_by_label("Date de naissance").fill("1950-02-03")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Téléphone", exact=True).fill("06 11 22 33 44")
    field = page.get_by_role("combobox", name="Commune de résidence")
    field.tap()
    field.press_sequentially("st egr", delay=60)
    option = page.get_by_role("option", name=re.compile(r"^Saint-Égrève \(38\)"))
    option.wait_for()
    screenshot(page, "pickers-public-form-phone", env_var="PICKERS_SHOTS")
    assert_accessible(page)
    # The list fits the phone's width.
    box = page.locator("#id_commune-suggestions").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    option.tap()
    assert field.input_value() == "Saint-Égrève (38)"

    page.get_by_label(re.compile("J'accepte que la CPTS")).check()
    page.wait_for_timeout(3200)  # the form refuses posts faster than a person
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_selector("text=Votre demande est enregistrée")
    assert GpRequest.objects.get(patient__birth_name="Rivière").patient.commune.code == "38382"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


def test_an_ambiguous_or_huge_commune_is_explained_next_to_the_field(demo_server, phone_390):
    page = phone_390
    page.goto(f"{demo_server.url}/medecin-traitant/pays-berjalliens/")
    field = page.get_by_role("combobox", name="Commune de résidence")
    field.fill("38590")  # a postal code of several communes
    page.get_by_label(re.compile("J'accepte que la CPTS")).check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    error = page.locator("#id_commune_error")
    error.wait_for()
    assert "Le code postal 38590 couvre plusieurs communes" in error.inner_text()
    screenshot(page, "pickers-public-form-ambiguous", env_var="PICKERS_SHOTS")
    assert_accessible(page)
