"""Journey: the coordinator tries to activate a crisis without a decision of the ARS, the
préfet or the minister, reads why, switches to an exercise in one click (what was typed
is kept) and lands on the board; the activation page, with its EXERCICE banner, log and
plan actions, fits a 390 px phone and axe-core finds nothing serious. Screenshots in
$CRISIS_SHOTS."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.crisis import activations, plan
from maillage.crisis.models import Activation, Contact
from maillage.demo.builder import demo_email
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


def test_a_crisis_without_decision_becomes_an_exercise_and_its_page_fits_a_phone(
    demo_server, phone_390
):
    page = phone_390
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=demo_email("coordination", SLUG))
    gp = User.objects.get(email=demo_email("medecin", SLUG))
    Contact.objects.get_or_create(cpts=cpts, account=gp,
                                  defaults={"name": "Médecin de la cellule", "in_cell": True,
                                            "email": gp.email})  # fmt: skip
    plan.record_revision(cpts=cpts, section="sheet-afflux-malades", author=coordinator,
                         body="- Ouvrir la cellule de crise\n- Prévenir les mairies du "
                              "territoire et les EHPAD\n")  # fmt: skip
    _log_in(page, demo_server.url, email=demo_email("coordination", SLUG))

    page.goto(f"{demo_server.url}/c/{SLUG}/crise/")
    page.get_by_role("link", name="Activer : crise, vigilance ou exercice").click()
    page.get_by_label("Crise (déclenchée par l'autorité)").check()
    expect(page.get_by_label("Référence de la décision")).to_be_visible()
    page.get_by_label("Type de crise (trame nationale)").select_option("afflux-malades")
    page.get_by_label("Intitulé").fill("Canicule de juillet")
    page.get_by_role("button", name="Activer", exact=True).click()

    expect(page.locator("#trigger-refused")).to_contain_text(
        "Une crise n'est activée que sur décision du DG de l'ARS, du préfet ou du ministre")
    expect(page.get_by_label("Intitulé")).to_have_value("Canicule de juillet")
    assert horizontal_overflow(page) == 0
    screenshot(page, "refused", env_var="CRISIS_SHOTS")
    assert_accessible(page)
    assert not Activation.objects.filter(cpts=cpts).exists()
    page.get_by_role("button", name="Lancer un exercice").click()

    page.wait_for_url(re.compile(rf"/c/{SLUG}/crise/activations/[0-9a-f-]+/tableau/$"))
    activation = Activation.objects.get(cpts=cpts)
    assert activation.kind == "exercise" and activation.title == "Canicule de juillet"
    assert activation.alerts.get().message.startswith("EXERCICE")

    activations.add_entry(activation=activation, actor=coordinator,
                          text="Point de situation avec la mairie de Bourgoin-Jallieu : "
                               "salle rafraîchie ouverte de 10 h à 19 h, navette assurée.")
    page.goto(f"{demo_server.url}/c/{SLUG}/crise/activations/{activation.public_id}/")
    expect(page.locator(".crisis-exercise-banner")).to_contain_text("EXERCICE")
    page.get_by_role("button", name="Fait : Ouvrir la cellule de crise").click()
    expect(page.locator(".crisis-actions .is-done")).to_contain_text("Ouvrir la cellule")
    page.get_by_label("Nouvelle entrée").fill("Tournée des EHPAD faite")
    page.get_by_role("button", name="Ajouter à la main courante").click()
    expect(page.locator(".crisis-log")).to_contain_text("Tournée des EHPAD faite")
    assert horizontal_overflow(page) == 0
    screenshot(page, "activation", env_var="CRISIS_SHOTS")
    assert_accessible(page)

    # The hub lists it as live; the proofs page does not count it (an exercise).
    page.goto(f"{demo_server.url}/c/{SLUG}/crise/")
    expect(page.locator("article.crisis-activation")).to_contain_text("Canicule de juillet")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    page.get_by_role("link", name="Preuves pour le contrat (ACI)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preuves pour le contrat")
    expect(page.locator("main")).to_contain_text("Aucune crise ni vigilance")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)


def test_a_vigilance_notice_on_the_public_pages_fits_a_phone_and_is_accessible(
    demo_server, phone_390
):
    page = phone_390
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=demo_email("coordination", SLUG))
    activations.activate(cpts=cpts, actor=coordinator, kind="vigilance",
                         crisis_type="afflux-malades", title="Veille canicule",
                         public_notice="Fortes chaleurs : les cabinets de garde de "
                                       "Bourgoin-Jallieu restent ouverts jusqu'à 21 h. "
                                       "Buvez régulièrement, prenez des nouvelles de vos "
                                       "proches isolés.")  # fmt: skip
    for path in ("/", f"/annuaire/{SLUG}/"):
        page.goto(f"{demo_server.url}{path}")
        notice = page.get_by_role("region", name=re.compile("Vigilance en cours"))
        expect(notice).to_contain_text("cabinets de garde")
        assert horizontal_overflow(page) == 0
        assert_accessible(page)
    screenshot(page, "public-notice", env_var="CRISIS_SHOTS")
