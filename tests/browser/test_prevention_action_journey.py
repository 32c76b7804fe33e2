"""Journey: the coordinator creates a screening day for the diabète theme, adds a
professional, uploads an émargement and reads the proofs checklist (the sign-in sheet
done, the calendar still missing); at 390 px and at 1280 px, the pages fit the screen and
axe-core finds nothing serious."""

import re

import pytest
from playwright.sync_api import expect

from maillage.core.models import Cpts, User
from maillage.demo.builder import demo_email
from maillage.prevention.models import Action, ActionProfessional, Material
from tests.browser.conftest import assert_accessible, horizontal_overflow
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser
SLUG = "pays-berjalliens"
PDF = b"%PDF-1.4\n%emargement\n"


@pytest.mark.parametrize("viewport", ["phone_390", "page"])
def test_the_coordinator_prepares_a_screening_day_and_sees_its_proofs(
    demo_server, request, viewport, tmp_path
):
    page = request.getfixturevalue(viewport)
    cpts = Cpts.objects.get(slug=SLUG)
    nurse = User.objects.get(email=demo_email("infirmier", SLUG))
    _log_in(page, demo_server.url, email=demo_email("coordination", SLUG))

    page.goto(f"{demo_server.url}/c/{SLUG}/prevention/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle action").click()
    page.get_by_label("Type d'action").select_option("screening")
    page.get_by_label("Thème").select_option("diabete")
    page.get_by_label("Intitulé").fill("Journée diabète au marché")
    page.get_by_label("Début").fill("2027-03-14T09:00")
    page.get_by_label("Fin", exact=True).fill("2027-03-14T08:00")
    page.get_by_label("Ou lieu saisi (facultatif)").fill("Place du marché")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_contain_text("La fin doit être après le début")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
    page.get_by_label("Fin", exact=True).fill("2027-03-14T13:00")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(rf"/c/{SLUG}/prevention/actions/[0-9a-f-]+/$"))
    action = Action.objects.get(cpts=cpts)
    assert (action.kind, action.theme.code, action.questionnaire) == ("screening", "diabete",
                                                                      "findrisc")

    picker = page.get_by_role("combobox", name="Professionnel")
    picker.press_sequentially(nurse.last_name, delay=40)
    page.locator("#id_member-suggestions").get_by_role(
        "option", name=re.compile(f"^{nurse.get_full_name()}")).click()  # fmt: skip
    page.get_by_label("Rôle (facultatif)").fill("Mesures")
    page.get_by_role("button", name="Ajouter le professionnel").click()
    expect(page.locator("#professionnels")).to_contain_text(nurse.get_full_name())
    assert ActionProfessional.objects.filter(action=action, user=nurse).exists()

    sheet = tmp_path / "emargement.pdf"
    sheet.write_bytes(PDF)
    page.get_by_label("Nature du document").select_option("sign_in")
    page.get_by_label("Fichier").set_input_files(str(sheet))
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.locator("#documents")).to_contain_text("emargement.pdf")
    assert Material.objects.get(action=action).kind == "sign_in"

    checklist = page.locator("#preuves .checklist")
    expect(checklist).to_contain_text("Feuille d'émargement : fait")
    expect(checklist).to_contain_text("Calendrier : manquant")
    expect(page.get_by_role("link", name="Saisir les participants (dépistage)")).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert_accessible(page)
