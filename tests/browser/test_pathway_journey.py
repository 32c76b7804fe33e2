"""Journey: enrol a demo patient in the diabetes pathway, complete the HbA1c task with a
value, see the next one scheduled three months later."""

import datetime
import re

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.patients.services import patient_create
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_enrol_and_complete_hba1c(demo_server, page):
    cpts = Cpts.objects.get(slug="pays-berjalliens")
    coordinator = User.objects.get(email="coordination@pays-berjalliens.maillage.test")
    patient_create(
        cpts=cpts,
        actor=coordinator,
        consent_method="oral",
        data={
            "birth_name": "Girard",
            "first_names": "Paul",
            "birth_date": "1958-02-01",
            "sex": "M",
            "commune": "38053",
            "phone": "0612121212",
        },
        allow_duplicate=True,
    )
    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}/c/pays-berjalliens/parcours/inclure/")
    page.get_by_label(re.compile("^Patient : nom")).fill("girard 01/02/1958")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="GIRARD Paul").click()
    page.get_by_label("Parcours").select_option(label="Diabète de type 2 (v1)")
    # The demo CPTS has too many members to list: the GP is added to the team by name.
    member = page.get_by_role("combobox", name="Ajouter un membre à l'équipe de soins")
    member.press_sequentially("perrin", delay=40)
    page.locator("#add_member-suggestions").get_by_role(
        "option", name=re.compile("^Julien Perrin")).click()  # fmt: skip
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.get_by_label(re.compile("^Julien Perrin")).check()
    page.get_by_label("Référent : Julien Perrin").check()
    page.get_by_role("button", name="Inclure").click()
    page.wait_for_selector("text=Patient inclus")
    hba1c = page.locator("article", has=page.get_by_role("heading", name="HbA1c", exact=True))
    hba1c.get_by_label("Résultat (%)").fill("7,1")
    hba1c.get_by_role("button", name="Marquer comme fait").click()
    expected = timezone.localdate() + datetime.timedelta(days=91)
    page.wait_for_selector(f"text=Prochaine échéance : {expected:%d/%m/%Y}")
    assert page.get_by_text(f"Prévu le {expected:%d/%m/%Y}").first.is_visible()
