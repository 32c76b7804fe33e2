"""On a phone: the GP sees the bell's count, marks a message read in the list (the bell
follows), sets their preferences; someone answers a message by its link, without
logging in. Each page accessible (axe-core) and no wider than the screen."""

import re

import pytest
from django.conf import settings

from maillage.core.models import Cpts, User
from maillage.core.twofactor import confirmed_device, current_code
from maillage.demo.builder import DEMO_PASSWORD
from maillage.notifications import answers
from maillage.notifications.services import notify
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

GP = "medecin@pays-berjalliens.maillage.test"


def _fits(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, page.url


def _log_in(page, base_url):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(GP)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/connexion/code/")
    device = confirmed_device(User.objects.get(email=GP))
    page.get_by_label(re.compile("Code à 6 chiffres")).fill(current_code(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/c/pays-berjalliens/**")


def test_bell_list_preferences_and_an_answer_on_a_phone(demo_server, phone_page):
    gp = User.objects.get(email=GP)
    cpts = Cpts.objects.get(slug="pays-berjalliens")
    notify(cpts=cpts, recipients=[gp], kind="gp_access.proposals",
           subject="2 patients vous sont proposés", body="Répondez aux propositions.")
    [asked] = notify(cpts=cpts, recipients=[gp], kind="notifications.test",
                     subject="Renfort ce soir ?", body="Êtes-vous disponible ?",
                     answer="availability")  # fmt: skip
    page = phone_page
    _log_in(page, demo_server.url)
    bell = page.locator("#notification-bell")
    assert "2 non lues" in bell.inner_text()
    bell.click()
    page.wait_for_url("**/notifications/")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Marquer comme lue : 2 patients vous sont proposés").click()
    page.wait_for_selector("#notification-bell:has-text('1 non lue')")
    page.get_by_role("link", name="Choisir comment être prévenu").click()
    page.wait_for_url("**/notifications/preferences/")
    _fits(page)
    assert_accessible(page)

    # The answer link, opened by someone who is not logged in.
    page.context.clear_cookies()
    page.goto(demo_server.url + answers.answer_url(asked).removeprefix(settings.SITE_URL))
    page.wait_for_selector("text=Êtes-vous disponible ?")
    _fits(page)
    assert_accessible(page)
    page.get_by_role("button", name="Disponible maintenant").click()
    page.wait_for_selector("text=Merci, votre réponse est enregistrée")
    asked.refresh_from_db()
    assert asked.answer == "available_now"
