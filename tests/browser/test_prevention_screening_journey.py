"""Journey: screening at a diabetes day, on a phone (390 px). The pharmacist opens the
entry form of the day, enters a participant whose FINDRISC is 15, sees at once
« glycémie capillaire à faire » with the glucose form ready, types 2,3 g/L non fasting and
sees « À adresser au médecin traitant »; a complete entry takes fewer than 15 taps. The
coordinator then finds the referral among the follow-ups, records the person's identity
with her consent, answers that she has no médecin traitant, and finds her request in the
médecin-traitant queue with its priority. No page scrolls sideways; axe-core finds
nothing serious. Screenshots in $SCREENING_SHOTS."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from maillage.gp_access.models import GpRequest, Origin
from maillage.prevention.models import Action, FollowUpStatus, Participant, Theme
from maillage.territory.models import Commune
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"


@pytest.fixture
def diabetes_day(demo_server):
    cpts = Cpts.objects.get(slug=SLUG)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    action = Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète en pharmacie", start=start,
        end=start + datetime.timedelta(hours=8), commune=Commune.objects.get(code="38053"),
        questionnaire="findrisc",
        created_by=User.objects.get(email=demo_email("coordination", SLUG)))  # fmt: skip
    return {"action": action}


class Taps:
    """Counts what a person does with a finger: each tap on a control (which also moves
    the focus there). Typing into the field that already has the focus is no tap."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        locator.click()
        self.count += 1

    def type_in(self, locator, value):
        self.tap(locator)
        self.page.keyboard.type(value)

    def choose(self, group_id, label):
        self.tap(self.page.locator(f"#{group_id}").get_by_text(label, exact=True))


def test_the_pharmacist_screens_a_participant_and_refers_them_on_a_phone(
        demo_server, diabetes_day, phone_390):
    phone = phone_390
    action = diabetes_day["action"]
    _log_in(phone, demo_server.url, email=demo_email("pharmacien", SLUG))
    phone.goto(f"{demo_server.url}/c/{SLUG}/prevention/actions/{action.public_id}/depistage/")
    expect(phone.get_by_role("heading", name="Saisir un participant")).to_be_visible()
    expect(phone.get_by_label("Commune de résidence")).to_have_value(
        re.compile("Bourgoin-Jallieu"))
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)

    taps = Taps(phone)
    taps.choose("id_sex", "Femme")
    taps.type_in(phone.get_by_label("Âge (ans)", exact=True), "60")
    taps.type_in(phone.get_by_label("Taille (cm)", exact=True), "165")
    taps.type_in(phone.get_by_label("Poids (kg)", exact=True), "75")
    taps.type_in(phone.get_by_label("Tour de taille (cm)", exact=True), "95")
    taps.choose("id_daily_activity", "Non")
    taps.choose("id_daily_vegetables", "Oui")
    taps.choose("id_bp_medication", "Non")
    taps.choose("id_high_glucose_history", "Non")
    taps.choose("id_family_history", "Oui : parent, frère, sœur, enfant")
    taps.tap(phone.get_by_role("button", name="Calculer et enregistrer"))

    expect(phone.get_by_text("Score 15 : risque élevé — glycémie capillaire à faire")
           ).to_be_visible()
    glucose = phone.get_by_label("Glycémie capillaire (g/L)", exact=True)
    expect(glucose).to_be_focused()
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    screenshot(phone, "score", env_var="SCREENING_SHOTS")

    phone.keyboard.type("2,3")
    taps.choose("id_fasting", "Non")
    taps.tap(phone.get_by_role("button", name="Enregistrer la glycémie"))
    expect(phone.get_by_text("À adresser au médecin traitant", exact=True)).to_be_visible()
    expect(phone.get_by_text("diabète probable", exact=False).first).to_be_visible()
    assert taps.count < 15, f"{taps.count} taps for a FINDRISC and a glucose"
    assert horizontal_overflow(phone) == 0
    assert_accessible(phone)
    screenshot(phone, "referred", env_var="SCREENING_SHOTS")

    participant = Participant.objects.get(action=action)
    assert (participant.score, participant.next_step, participant.positive) == (15, "refer",
                                                                                True)
    follow_up = participant.follow_up
    assert follow_up.status == FollowUpStatus.TO_REFER and "FINDRISC 15" in follow_up.reason

    taps.tap(phone.get_by_role("link", name="Participant suivant"))
    expect(phone.get_by_role("heading", name="Participants saisis (1)")).to_be_visible()
    expect(phone.get_by_label("Âge (ans)", exact=True)).to_have_value("")

    # The coordinator, at her desk's phone: the referral, the identity, the queue.
    phone.context.clear_cookies()
    _log_in(phone, demo_server.url, email=demo_email("coordination", SLUG))
    phone.goto(f"{demo_server.url}/c/{SLUG}/prevention/orientations/?action={action.public_id}")
    phone.get_by_role("link", name="Femme, 60 ans").click()
    phone.wait_for_url(f"**/orientations/{follow_up.public_id}/")
    expect(phone.get_by_text("FINDRISC 15", exact=False).first).to_be_visible()
    born = timezone.localdate().replace(year=timezone.localdate().year - 61)
    phone.get_by_label("Nom de naissance").fill("Ravel")
    phone.get_by_label("Prénoms (tous, dans l'ordre de l'état civil)").fill("Odile")
    phone.get_by_label("Date de naissance").fill(born.isoformat())
    phone.get_by_label("Sexe").select_option("F")
    phone.get_by_label("Téléphone").fill("06 22 33 44 55")
    phone.get_by_label("Commune de résidence").fill("38053")
    phone.get_by_label("Affection de longue durée (ALD)").check()
    phone.get_by_label("Consentement du patient recueilli").select_option("oral")
    phone.get_by_role("button", name="Enregistrer l'identité").click()
    expect(phone.get_by_text("Identité enregistrée, avec le consentement.")).to_be_visible()
    phone.get_by_label("Non, aucun médecin traitant").check()
    phone.get_by_role("button", name="Adresser").click()
    expect(phone.get_by_text("Demande ajoutée à la file", exact=False)).to_be_visible()
    assert horizontal_overflow(phone) <= 1
    assert_accessible(phone)
    screenshot(phone, "queued", env_var="SCREENING_SHOTS")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.REFERRED
    gp_request = GpRequest.objects.get(public_id=follow_up.gp_request_id)
    assert gp_request.origin == Origin.SCREENING
    assert gp_request.priority_score == 64 and "ALD" in gp_request.priority_reasons
    phone.goto(f"{demo_server.url}/c/{SLUG}/medecin-traitant/")
    expect(phone.get_by_text("RAVEL Odile").first).to_be_visible()
