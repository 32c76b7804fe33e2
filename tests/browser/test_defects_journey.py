"""Defects found when tried as a new user would, checked in a real browser: a same-day
request with no slot widened in place, the focus on a form's error summary, a wide table
that says it scrolls, link-styled buttons readable."""

import datetime

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.same_day_care.models import Slot
from maillage.same_day_care.services import publish_slots
from maillage.territory.models import Commune
from tests.browser.conftest import assert_accessible
from tests.browser.test_accessibility_pages import _log_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _phone(browser):
    context = browser.new_context(locale="fr-FR", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_request_with_no_slot_is_widened_in_place_and_booked(demo_server, browser, settings):
    settings.SMS_BACKEND = "maillage.same_day_care.notify.MemorySms"
    cpts = Cpts.objects.get(slug="pays-berjalliens")
    gp = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
    Slot.objects.filter(cpts=cpts, profession_code="50").delete()
    start = (timezone.now() + datetime.timedelta(hours=30)).replace(second=0, microsecond=0)
    publish_slots(cpts=cpts, professional=gp, actor=gp, profession_code="50", mode="tele",
                  commune=Commune.objects.get(code="38053"),
                  times=[(start, start + datetime.timedelta(minutes=20))])  # fmt: skip
    context, page = _phone(browser)
    try:
        _log_in(page, demo_server.url, "regulation")
        page.goto(f"{demo_server.url}/c/pays-berjalliens/snp/demande/")
        page.get_by_label("Nom", exact=True).fill("Sanscreneau")
        page.get_by_label("Prénom", exact=True).fill("Léa")
        page.get_by_label("Date de naissance").fill("1990-04-02")
        page.get_by_label("Téléphone").fill("06 11 22 33 44")
        page.locator("#id_commune").fill("38193")
        page.get_by_label("Profession recherchée").select_option("50")
        page.get_by_label("Délai").select_option("same_day")
        page.get_by_role("button", name="Chercher un créneau").click()
        page.wait_for_selector("text=Aucun créneau libre ne correspond")
        request_url = page.url
        assert page.evaluate("document.documentElement.scrollWidth - "
                             "document.documentElement.clientWidth") <= 1
        assert_accessible(page)
        page.get_by_role("button", name="Sous 48 h, téléconsultation").click()
        page.get_by_role("button", name="Réserver").first.wait_for()
        assert page.url == request_url  # in place: the section was swapped
        page.get_by_role("button", name="Réserver").first.click()
        page.wait_for_selector("text=Rendez-vous réservé")
    finally:
        context.close()


def test_a_refused_form_puts_the_focus_on_its_error_summary(demo_server, browser):
    context, page = _phone(browser)
    try:
        page.goto(f"{demo_server.url}/medecin-traitant/pays-berjalliens/")
        page.get_by_label("Nom de naissance").fill("Rivière")
        page.wait_for_timeout(3200)  # the form refuses what is sent in under 3 seconds
        page.get_by_role("button", name="Envoyer ma demande").click()
        page.wait_for_selector("[data-error-summary]")
        focused = page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert focused, "the focus is not on the error summary"
        links = page.locator("[data-error-summary] a")
        assert links.count() >= 3  # every missing field at once
        target = links.first.get_attribute("href")
        links.first.click()
        assert page.evaluate("'#' + document.activeElement.id") == target
        assert_accessible(page)
    finally:
        context.close()


def test_a_wide_table_says_it_scrolls_and_is_reachable_by_keyboard(demo_server, browser):
    context, page = _phone(browser)
    try:
        _log_in(page, demo_server.url, "coordination")
        page.goto(f"{demo_server.url}/c/pays-berjalliens/diagnostic/")
        page.wait_for_load_state("load")
        frames = page.locator(".table-wrap[data-scroll-frame]")
        assert frames.count() >= 1
        frame = frames.first
        assert frame.get_attribute("tabindex") == "0"
        hint = page.locator(".scroll-hint:not([hidden])").first
        assert hint.is_visible()
        assert "défiler" in hint.inner_text()
    finally:
        context.close()


def test_link_styled_buttons_are_readable(demo_server, browser):
    context, page = _phone(browser)
    try:
        _log_in(page, demo_server.url, "medecin")
        page.goto(f"{demo_server.url}/c/pays-berjalliens/snp/mes-creneaux/")
        button = page.get_by_role("button", name="Retirer").first
        colour = button.evaluate("b => getComputedStyle(b).color")
        background = button.evaluate("b => getComputedStyle(b).backgroundColor")
        assert colour not in ("rgb(255, 255, 255)",), "white text"
        assert background in ("rgba(0, 0, 0, 0)", "transparent")
        assert_accessible(page)
    finally:
        context.close()
