"""Journey: a resident fills the public form; the coordinator qualifies and proposes;
the GP accepts on a phone-width screen."""

import re

import pytest

from maillage.gp_access.models import GpCapacity, GpRequest
from tests.browser.conftest import follow_nav_link
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_from_public_form_to_gp_acceptance(demo_server, page, phone_page):
    GpRequest.objects.all().delete()  # only this resident in the waiting list
    base = demo_server.url
    page.goto(f"{base}/medecin-traitant/pays-berjalliens/")
    page.get_by_label("Nom de naissance").fill("Rivière")
    page.get_by_label(re.compile("^Prénoms")).fill("Agathe")
    page.get_by_label("Date de naissance").fill("1950-02-03")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Téléphone", exact=True).fill("06 11 22 33 44")
    page.get_by_label("Commune de résidence", exact=True).fill("38053")
    page.get_by_label("Affection de longue durée (ALD)").check()
    page.get_by_label(re.compile("J'accepte que la CPTS")).check()
    page.wait_for_timeout(3200)  # the form refuses posts faster than a person
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_selector("text=Votre demande est enregistrée")

    page.context.clear_cookies()
    _log_in(page, base)
    follow_nav_link(page, "Médecin traitant", "Demandes")
    page.get_by_role("link", name=re.compile("RIVIÈRE Agathe")).click()
    page.get_by_label("Nouvel état").select_option("qualified")
    page.get_by_role("button", name="Changer l'état").click()
    page.wait_for_selector("text=Qualifiée (dossier complet)")
    page.goto(f"{base}/c/pays-berjalliens/medecin-traitant/propositions/")
    page.get_by_role("button", name="Calculer un lot de propositions").click()
    page.wait_for_selector("text=Lot à valider (1 proposition(s))")
    page.get_by_role("button", name="Envoyer aux médecins").click()
    page.wait_for_selector("text=1 proposition(s) envoyée(s)")

    _log_in(phone_page, base, email="medecin@pays-berjalliens.maillage.test")
    phone_page.goto(f"{base}/c/pays-berjalliens/medecin-traitant/mes-propositions/")
    assert phone_page.get_by_text("RIVIÈRE Agathe").first.is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    phone_page.get_by_role("button", name="Accepter").click()
    phone_page.wait_for_selector("text=Merci : proposition acceptée.")
    gp_request = GpRequest.objects.get(patient__birth_name="Rivière")
    assert gp_request.status == "accepted"
    assert GpCapacity.objects.filter(gp__email="medecin@pays-berjalliens.maillage.test").exists()
