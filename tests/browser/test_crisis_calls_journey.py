"""Journey: calling the vulnerable during an exercise. The coordinator opens a call
campaign for the exercise over the register; the GP, on a phone (390 px), finds the card
on "Aujourd'hui", opens "Mes appels", and records that a person needs help: a same-day
request exists for them at once. No page scrolls sideways; axe-core finds nothing
serious. Screenshots in $CALLS_SHOTS."""

import pytest
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.crisis.models import Activation, Call, CallOutcome
from maillage.demo.builder import demo_email
from maillage.same_day_care.models import SameDayRequest
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in
from tests.crisis.register_fixtures import person, register

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


@pytest.fixture
def exercise(demo_server):
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=demo_email("coordination", SLUG))
    gp = User.objects.get(email=demo_email("medecin", SLUG))
    for name, phone in (("Canicula", "0612345601"), ("Vigilante", "0612345602")):
        register(cpts, coordinator, person(cpts, coordinator, name, phone=phone), gp,
                 criteria=("age65_isolated", "home_oxygen"), notes="Sonner fort")
    activation = Activation.objects.create(cpts=cpts, kind="exercise",
                                           crisis_type="afflux-malades",
                                           title="Exercice canicule", started_by=coordinator)
    return {"activation": activation, "gp": gp}


def test_the_coordinator_opens_a_campaign_and_the_gp_records_a_need_on_a_phone(
        demo_server, exercise, page, phone_390):
    activation = exercise["activation"]
    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}/c/{SLUG}/crise/activations/{activation.public_id}"
              "/appels/nouvelle/")
    expect(page.get_by_role("heading", name="Nouvelle campagne d'appels")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_text("Campagne créée")).to_be_visible()
    assert Call.objects.filter(campaign__activation=activation, caller=exercise["gp"]).count() == 2
    assert_accessible(page)
    screenshot(page, "campaign", env_var="CALLS_SHOTS")

    phone = phone_390
    _log_in(phone, demo_server.url, email=demo_email("medecin", SLUG))
    card = phone.locator("section.home-card[data-card='crisis.my_calls']")
    expect(card).to_contain_text("Appels aux personnes vulnérables")
    card.get_by_role("link", name="Mes appels").click()
    expect(phone.get_by_role("heading", name="Mes appels", exact=True)).to_be_visible()
    first = phone.locator("section.call-card").filter(has_text="CANICULA")
    expect(first.get_by_role("link", name="Appeler le 06 12 34 56 01")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    screenshot(phone, "my-calls", env_var="CALLS_SHOTS")
    box = first.get_by_role("button", name="A besoin d'aide : soins dans la journée").bounding_box()
    assert box["height"] >= 44
    first.get_by_role("button", name="A besoin d'aide : soins dans la journée").click()
    expect(phone.get_by_text("demande de soins non programmés créée")).to_be_visible()
    call = Call.objects.get(campaign__activation=activation, person__patient__birth_name="Canicula")
    assert call.outcome == CallOutcome.NEEDS_HELP
    request = SameDayRequest.objects.get(public_id=call.same_day_request)
    assert request.last_name == "Canicula" and request.created_by == exercise["gp"]
    phone.get_by_role("link", name="voir la demande de soins").click()
    expect(phone.get_by_text("CANICULA").first).to_be_visible()
    assert horizontal_overflow(phone) == 0


def test_the_register_pages_fit_a_phone_and_pass_axe(demo_server, exercise, phone_390):
    phone = phone_390
    _log_in(phone, demo_server.url)
    phone.goto(f"{demo_server.url}/c/{SLUG}/crise/registre/")
    expect(phone.get_by_text("jamais fusionné")).to_be_visible()
    expect(phone.get_by_role("link", name="CANICULA Odette")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    phone.get_by_role("link", name="CANICULA Odette").click()
    expect(phone.get_by_role("heading", name="CANICULA Odette")).to_be_visible()
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    phone.goto(f"{demo_server.url}/c/{SLUG}/crise/registre/inscrire/")
    phone.get_by_role("button", name="Inscrire").click()
    expect(phone.locator("[data-error-summary]")).to_contain_text("Sans consentement")
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    screenshot(phone, "register-new", env_var="CALLS_SHOTS")
