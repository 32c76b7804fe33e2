"""Journey on a 390 px phone: the GP puts a patient's case on a concertation meeting's
agenda by typing the patient's name (no list of every pathway), then records the patient's
médecin traitant by typing a name. Both pages pass axe-core with the suggestions open."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Cpts, Membership, User
from maillage.pathways import meetings, services
from maillage.pathways.models import PathwayTemplate
from maillage.patients.services import patient_create
from tests.browser.conftest import assert_accessible, horizontal_overflow
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"
COORDINATOR = f"coordination@{SLUG}.maillage.test"
GP = f"medecin@{SLUG}.maillage.test"


def _world():
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    gp = User.objects.get(email=GP)
    patient = patient_create(
        cpts=cpts, actor=coordinator, consent_method="oral", allow_duplicate=True,
        data={"birth_name": "Berthelot", "first_names": "Armande", "birth_date": "1946-11-02",
              "sex": "F", "commune": "38053", "phone": "0612121212"},
    )  # fmt: skip
    enrolment = services.enrol(
        cpts=cpts, patient=patient, actor=coordinator,
        template=PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True),
        team=[(gp, "médecin traitant", True)],
    )  # fmt: skip
    starts = timezone.localtime() + datetime.timedelta(days=2)
    meeting = meetings.schedule(
        cpts=cpts, organiser_membership=Membership.objects.get(user=coordinator, cpts=cpts),
        title="RCP du jeudi", starts_at=starts.replace(minute=0, second=0, microsecond=0),
        duration_minutes=60, place="MSP", participants=[gp],
    )  # fmt: skip
    return gp, enrolment, meeting


def _no_overflow(page):
    assert horizontal_overflow(page) <= 1


def test_gp_adds_a_case_and_the_attending_gp_by_typing_names(demo_server, phone_390):
    page = phone_390
    gp, enrolment, meeting = _world()
    base = demo_server.url
    _log_in(page, base, GP)

    page.goto(base + reverse("pathways:meeting", args=[SLUG, meeting.public_id]))
    field = page.get_by_role("combobox", name="Patient")
    field.tap()
    field.press_sequentially("berthel", delay=50)
    option = page.get_by_role("option", name=re.compile("^BERTHELOT Armande"))
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    box = page.locator("#id_patient-suggestions").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    option.tap()
    assert field.input_value().startswith("BERTHELOT Armande")
    page.get_by_label("Question posée").fill("Insulinothérapie : quand commencer ?")
    page.get_by_role("button", name="Ajouter à l'ordre du jour").click()
    page.wait_for_selector("text=Dossier ajouté à l'ordre du jour.")
    assert meeting.cases.get().enrolment == enrolment
    _no_overflow(page)

    # The patient's médecin traitant, by name (GPs linked to the directory only).
    page.goto(base + reverse("pathways:enrolment", args=[SLUG, enrolment.public_id]))
    field = page.get_by_role("combobox", name="Médecin traitant")
    field.tap()
    field.press_sequentially(gp.last_name[:5], delay=50)
    option = page.locator("#gp-attending_gp-suggestions").get_by_role(
        "option", name=re.compile(f"^{gp.get_full_name()}"))  # fmt: skip
    option.wait_for()
    assert_accessible(page)
    option.tap()
    page.get_by_role("button", name="Enregistrer le médecin traitant").click()
    page.wait_for_selector("text=Médecin traitant enregistré.")
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp == gp
    _no_overflow(page)
