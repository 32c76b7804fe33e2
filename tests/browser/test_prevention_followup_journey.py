"""Journey: on a 390 px phone, the coordinator opens the follow-up of a participant who
screened positive at a diabetes day, records their identity with their consent, answers
« aucun médecin traitant », and finds the request in the médecin-traitant queue: no page
wider than the screen, no serious axe violation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.gp_access.models import GpRequest, Origin
from maillage.prevention import followup
from maillage.prevention.models import Action, FollowUpStatus, Participant, Theme
from maillage.territory.models import Commune
from tests.browser.conftest import assert_accessible, horizontal_overflow, screenshot
from tests.browser.test_accessibility_pages import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"


def _fits_and_accessible(page):
    page.wait_for_load_state("load")
    assert horizontal_overflow(page) <= 1, f"{page.url}: wider than the screen"
    assert_accessible(page)
    screenshot(page, page.url.rstrip("/").rsplit("/", 1)[-1] or "page",
               env_var="PREVENTION_SHOTS")  # fmt: skip


def test_coordinator_refers_a_positive_without_gp_into_the_queue_on_a_phone(
    demo_server, phone_390
):
    cpts = Cpts.objects.get(slug=SLUG)
    pharmacist = User.objects.get(email=f"pharmacien@{SLUG}.maillage.test")
    start = timezone.now() - datetime.timedelta(hours=3)
    action = Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=2),
        commune=Commune.objects.get(code="38053"), questionnaire="findrisc")  # fmt: skip
    participant = Participant.objects.create(
        cpts=cpts, action=action, sex="M", age=74, questionnaire="findrisc",
        answers={"height_cm": 175, "weight_kg": 90, "waist_cm": 104},
        measures=[{"kind": "glucose", "value": "2.3", "fasting": False}], score=15,
        risk="high", next_step="refer", positive=True, fingerprint="parcours",
        entered_by=pharmacist)  # fmt: skip
    follow_up = followup.open_for(participant=participant, actor=pharmacist)

    page = phone_390
    _log_in(page, demo_server.url, "coordination")
    page.goto(f"{demo_server.url}/c/{SLUG}/aujourdhui/")
    page.locator('[data-card="prevention.followups_to_refer"]').get_by_role(
        "link", name="Voir les orientations").click()
    page.wait_for_url("**/prevention/orientations/**")
    _fits_and_accessible(page)
    page.get_by_role("link", name="Homme, 74 ans").click()
    page.wait_for_url(f"**/orientations/{follow_up.public_id}/")
    assert page.get_by_text("glycémie capillaire 2,30 g/L non à jeun").first.is_visible()
    _fits_and_accessible(page)

    born = timezone.localdate().replace(year=timezone.localdate().year - 74) \
        - datetime.timedelta(days=30)  # fmt: skip
    page.get_by_label("Nom de naissance").fill("Chardon")
    page.get_by_label("Prénoms (tous, dans l'ordre de l'état civil)").fill("Lucien")
    page.get_by_label("Date de naissance").fill(born.isoformat())
    page.get_by_label("Sexe").select_option("M")
    page.get_by_label("Téléphone").fill("06 11 22 33 44")
    page.get_by_label("Commune de résidence").fill("38053")
    page.get_by_label("Affection de longue durée (ALD)").check()
    page.get_by_label("Consentement du patient recueilli").select_option("oral")
    page.get_by_role("button", name="Enregistrer l'identité").click()
    page.wait_for_selector("text=Identité enregistrée, avec le consentement.")
    _fits_and_accessible(page)

    page.get_by_label("Non, aucun médecin traitant").check()
    page.get_by_role("button", name="Adresser").click()
    page.wait_for_selector("text=Demande ajoutée à la file")
    _fits_and_accessible(page)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.REFERRED
    gp_request = GpRequest.objects.get(public_id=follow_up.gp_request_id)
    assert gp_request.origin == Origin.SCREENING and gp_request.priority_score == 96

    page.get_by_role("link", name="voir la demande").click()
    page.wait_for_url("**/demande/**")
    page.goto(f"{demo_server.url}{reverse('gp_access:queue', args=[SLUG])}")
    assert page.get_by_text("CHARDON Lucien").first.is_visible()
    _fits_and_accessible(page)
