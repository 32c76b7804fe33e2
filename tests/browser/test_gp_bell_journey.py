"""Journey: answering clears the bell. The GP, on a phone (390 px), lands on "Aujourd'hui"
with a proposal waiting and today's same-day appointment; the bell of the header counts
the message that announced the proposal. They follow the card to their proposals and
accept: back home, the bell no longer counts it and the proposals card is empty. No page
scrolls sideways; axe-core finds nothing serious. Screenshots in $BELL_SHOTS."""

import datetime

import pytest
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from maillage.gp_access.models import GpCapacity, Proposal
from maillage.gp_access.services import batch_send, propose_batch
from maillage.notifications.services import unread_count
from maillage.same_day_care.models import Slot
from maillage.same_day_care.services import book, publish_slots
from maillage.same_day_care.services import request_create as snp_create
from maillage.territory.models import Commune
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in
from tests.core.home_world import snp_data, today_start

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


def email(local):
    return demo_email(local, SLUG)


def _bell_name(count: int) -> str:
    return f"Notifications : {count} non lue{'s' if count > 1 else ''}" if count else (
        "Notifications : aucune non lue")


@pytest.fixture
def waiting(demo_server):
    """One proposal sent to the GP in a batch, and a same-day appointment with them later
    today, both through the missions' services."""
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator, gp, regulator = (User.objects.get(email=email(k))
                                  for k in ("coordination", "medecin", "regulation"))  # fmt: skip
    # Only one patient for this GP, so that one answer leaves nothing waiting.
    GpCapacity.objects.update_or_create(cpts=cpts, gp=gp,
                                        defaults={"monthly_new_patients": 1,
                                                  "paused_until": None})  # fmt: skip
    batch_send(batch=propose_batch(cpts=cpts, actor=coordinator), actor=coordinator)
    proposal = Proposal.objects.get(cpts=cpts, gp=gp, state="pending")
    bourgoin = Commune.objects.get(code="38053")
    start = today_start()
    publish_slots(cpts=cpts, professional=gp, actor=gp, profession_code="10",
                  commune=bourgoin, times=[(start, start + datetime.timedelta(minutes=20))])
    booked = snp_create(cpts=cpts, actor=regulator, origin="regulator",
                        data=snp_data("Tournesol", "Agathe", bourgoin))  # fmt: skip
    book(slot=Slot.objects.get(cpts=cpts, professional=gp, start=start), snp_request=booked,
         actor=regulator)  # fmt: skip
    return {"gp": gp, "proposal": proposal}


def test_the_gp_answers_a_proposal_and_the_bell_stops_counting_it(demo_server, waiting,
                                                                  phone_390):
    page, gp = phone_390, waiting["gp"]
    patient = waiting["proposal"].request.patient
    before = unread_count(gp)
    assert before >= 1  # the message about the batch, unread
    _log_in(page, demo_server.url, email=email("medecin"))
    assert page.url.endswith(f"/c/{SLUG}/aujourdhui/")

    proposals = page.locator("section.home-card[data-card='gp_access.proposals']")
    expect(proposals).to_contain_text(patient.display_name)
    expect(proposals.locator(".count")).to_contain_text("1")
    today = page.locator("section.home-card[data-card='same_day_care.today']")
    expect(today).to_contain_text("Rendez-vous SNP du jour")
    expect(today).to_contain_text("TOURNESOL Agathe")
    bell = page.locator("#notification-bell")
    expect(bell).to_be_visible()
    expect(bell).to_have_accessible_name(_bell_name(before))
    expect(bell.locator(".bell-count")).to_have_text(str(before))
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "gp-bell-home", env_var="BELL_SHOTS")

    proposals.get_by_role("link", name=patient.display_name).click()
    page.wait_for_url("**/medecin-traitant/mes-propositions/")
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "gp-bell-proposals", env_var="BELL_SHOTS")
    article = page.locator("article.proposal").filter(has_text=patient.display_name)
    article.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    expect(page.locator("article.proposal").filter(has_text=patient.display_name)
           ).to_contain_text("Acceptée")  # fmt: skip
    expect(page.locator("#notification-bell")).to_have_accessible_name(_bell_name(before - 1))
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)

    page.goto(f"{demo_server.url}/c/{SLUG}/aujourdhui/")
    proposals = page.locator("section.home-card[data-card='gp_access.proposals']")
    expect(proposals).to_contain_text("Aucune proposition en attente de votre réponse.")
    expect(proposals.locator(".count")).to_have_count(0)
    expect(page.locator("#notification-bell")).to_have_accessible_name(_bell_name(before - 1))
    assert unread_count(gp) == before - 1
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    screenshot(page, "gp-bell-answered", env_var="BELL_SHOTS")
