"""Journey: the coordinator starts an exercise and alerts the GPs by SMS and e-mail; the
demo GP, on a phone and without logging in, opens the link of the message and taps
"Disponible maintenant"; the coordinator's board shows them available without a reload.
The form, the answer page and the board pass axe-core; nothing scrolls sideways at 390 px."""

import re

import pytest
from django.conf import settings

from maillage.core.models import Cpts, User
from maillage.crisis.models import Activation, Contact
from maillage.notifications import answers
from maillage.notifications.models import Notification
from maillage.territory.models import Commune
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser

GP = "medecin@pays-berjalliens.maillage.test"
SHOTS = "CRISIS_SHOTS"


def test_the_gp_answers_an_exercise_alert_from_a_phone_and_the_board_shows_it(
        demo_server, page, phone_390):  # fmt: skip
    cpts = Cpts.objects.get(slug="pays-berjalliens")
    coordinator = User.objects.get(email="coordination@pays-berjalliens.maillage.test")
    gp = User.objects.get(email=GP)
    bourgoin = Commune.objects.get(code="38053")
    name = gp.get_full_name() or "Médecin de démonstration"
    Contact.objects.create(cpts=cpts, name=name, account=gp, email=gp.email,
                           mobile="+33612345678", profession_code="10", commune=bourgoin)
    Contact.objects.create(cpts=cpts, name="Claire Infirmière", email="claire@example.org",
                           mobile="+33687654321", profession_code="60", commune=bourgoin)

    # The coordinator starts the exercise from the crisis pages and lands on its board.
    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}/c/pays-berjalliens/crise/")
    page.get_by_role("link", name="Activer : crise, vigilance ou exercice").click()
    page.get_by_label("Exercice", exact=True).check()
    page.get_by_label("Type de crise (trame nationale)").select_option("afflux-malades")
    page.get_by_label("Intitulé").fill("Exercice canicule")
    page.get_by_label("Convoquer la cellule de crise").uncheck()
    page.get_by_role("button", name="Activer", exact=True).click()
    page.wait_for_url(re.compile(r"/crise/activations/[0-9a-f-]+/tableau/$"))
    activation = Activation.objects.get(cpts=cpts, title="Exercice canicule")
    assert activation.kind == "exercise" and activation.started_by == coordinator
    page.get_by_role("link", name="Nouvelle alerte").click()
    page.wait_for_url(f"**/activations/{activation.public_id}/alerter/")
    assert page.locator(".exercise-banner").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Médecin", exact=True).check()
    page.wait_for_selector("#recipient-count:has-text('1 contact sera alerté')")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("Message").fill("Renfort demandé au centre de vaccination, 14 h.")
    screenshot(page, "alert-form", env_var=SHOTS)
    page.get_by_role("button", name="Envoyer l'alerte").click()
    page.wait_for_url("**/tableau/")
    page.wait_for_selector("text=Alerte envoyée à 1 contact")
    assert_accessible(page)

    # The link of the SMS and of the e-mail, opened on the GP's phone (no session).
    message = Notification.objects.get(kind="crisis.alert", recipient=gp)
    assert message.body.startswith("EXERCICE")
    link = answers.answer_url(message).removeprefix(settings.SITE_URL)
    phone = phone_390
    phone.goto(demo_server.url + link)
    phone.wait_for_selector("text=Renfort demandé au centre de vaccination")
    assert phone.get_by_text("ceci est un exercice").is_visible()
    assert horizontal_overflow(phone) <= 1
    assert_accessible(phone)
    screenshot(phone, "answer", env_var=SHOTS)
    phone.get_by_role("button", name="Disponible maintenant").click()
    phone.wait_for_selector("text=Merci, votre réponse est transmise à la cellule de crise")
    assert horizontal_overflow(phone) <= 1

    # The coordinator's board follows by itself (it polls its figures).
    live = page.locator("#board-live")
    live.locator(f"a[href='tel:+33612345678']:has-text('{name}')").first.wait_for(timeout=15_000)
    assert re.search(r"1\s*disponible maintenant", live.inner_text())
    assert_accessible(page)

    # The same board on a phone.
    screenshot(page, "board", env_var=SHOTS)
    page.set_viewport_size({"width": 390, "height": 844})
    assert horizontal_overflow(page) <= 1
