"""Journey: the coordinator schedules a concertation meeting, puts a diabetic patient's case
on the agenda, records attendance and a decision that creates a task for the nurse; the
nurse then finds that task in her "Parcours" list on a phone."""

import datetime
import re

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.pathways import services
from maillage.pathways.models import Meeting, PathwayTemplate, Task
from maillage.patients.services import patient_create
from tests.browser.conftest import follow_nav_link
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"
COORDINATOR = f"coordination@{SLUG}.maillage.test"
GP = f"medecin@{SLUG}.maillage.test"
NURSE = f"infirmier@{SLUG}.maillage.test"


def _enrol_diabetic_patient():
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    patient = patient_create(
        cpts=cpts,
        actor=coordinator,
        consent_method="oral",
        data={
            "birth_name": "Marchand",
            "first_names": "Lucie",
            "birth_date": "1951-09-14",
            "sex": "F",
            "commune": "38053",
            "phone": "0613131313",
        },
        allow_duplicate=True,
    )
    return services.enrol(
        cpts=cpts,
        patient=patient,
        template=PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True),
        actor=coordinator,
        team=[
            (User.objects.get(email=GP), "médecin traitant", True),
            (User.objects.get(email=NURSE), "IDEL", False),
        ],
    )


def test_meeting_decision_creates_a_task_the_nurse_sees_on_her_phone(demo_server, page, phone_page):
    enrolment = _enrol_diabetic_patient()
    base = demo_server.url
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    due = today + datetime.timedelta(days=14)

    # Parcours › Concertation › Planifier une réunion.
    _log_in(page, base)
    follow_nav_link(page, "Parcours", "À faire")
    page.get_by_role("navigation", name="Parcours").get_by_role("link", name="Concertation").click()
    page.wait_for_url(f"**/c/{SLUG}/parcours/concertation/")
    page.get_by_role("link", name="Planifier une réunion").click()
    page.get_by_label("Intitulé").fill("RCP pied diabétique")
    page.get_by_label("Date et heure").fill(f"{tomorrow:%Y-%m-%d}T18:30")
    page.get_by_label("Durée (minutes)").fill("60")
    page.get_by_label("Lieu ou lien de visioconférence").fill("Maison de santé, salle 2")
    # The demo CPTS has too many members to list: participants are invited by name.
    invite = page.get_by_role("combobox", name="Inviter un membre")
    invite.press_sequentially("perrin", delay=40)
    page.locator("#add_member-suggestions").get_by_role(
        "option", name=re.compile("^Julien Perrin")).click()  # fmt: skip
    page.get_by_role("button", name="Planifier").click()
    page.wait_for_selector("text=Réunion planifiée : ajoutez les dossiers à discuter.")
    invite = page.get_by_role("combobox", name="Inviter un membre")
    invite.press_sequentially("garnier", delay=40)
    page.locator("#add_member-suggestions").get_by_role(
        "option", name=re.compile("^Hugo Garnier")).click()  # fmt: skip
    page.get_by_role("button", name="Inviter", exact=True).click()
    page.wait_for_selector("text=1 participant(s) invité(s).")
    assert page.get_by_role("heading", name="RCP pied diabétique", level=1).is_visible()
    people = page.locator("section", has=page.get_by_role("heading", name="Participants"))
    for name in ("Claire Morel", "Julien Perrin", "Hugo Garnier"):
        assert people.get_by_text(name).is_visible()

    # The patient's case, with the question to discuss.
    patient = page.get_by_role("combobox", name="Patient")
    patient.press_sequentially("marchand", delay=40)
    page.get_by_role("option", name=re.compile("^MARCHAND Lucie")).click()
    page.get_by_label("Question posée").fill("Pied à risque : quel suivi podologique ?")
    page.get_by_role("button", name="Ajouter à l'ordre du jour").click()
    page.wait_for_selector("text=Dossier ajouté à l'ordre du jour.")
    case = page.locator("article", has=page.get_by_role("heading", name=re.compile("Dossier n° 1")))
    assert case.get_by_text("Pied à risque : quel suivi podologique ?").is_visible()
    assert case.get_by_text("À discuter").is_visible()
    # Before the meeting starts there is no attendance sheet and no decision.
    assert page.get_by_role("link", name="Saisir les présences").count() == 0
    assert case.get_by_role("link", name="Enregistrer une décision").count() == 0

    # The meeting takes place: attendance and decisions need it to have started.
    meeting = Meeting.objects.get(title="RCP pied diabétique")
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page.reload()
    page.get_by_role("link", name="Saisir les présences").click()
    # The checkbox is named by "présent" and the participant's row header (aria-labelledby).
    page.get_by_role("checkbox", name="présent Julien Perrin").check()
    page.get_by_label("Minutes de Julien Perrin").fill("45")
    assert not page.get_by_role("checkbox", name="présent Hugo Garnier").is_checked()
    page.get_by_label("Marquer la réunion comme tenue").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.wait_for_selector("text=Présences enregistrées.")
    assert page.get_by_text("Tenue", exact=True).is_visible()
    assert people.get_by_text("Julien Perrin — présent (45 min)").is_visible()
    assert people.get_by_text("Hugo Garnier — absent").is_visible()

    # The decision creates a free task for the nurse.
    case.get_by_role("link", name="Enregistrer une décision").click()
    page.get_by_label("Décision", exact=True).fill(
        "Adresser la patiente au pédicure-podologue pour un bilan du pied."
    )
    page.get_by_label("Tâche à créer (facultatif)").fill("Consultation podologue")
    page.get_by_label("Échéance de la tâche").fill(f"{due:%Y-%m-%d}")
    page.get_by_label("Chargé de la tâche (équipe de soins)").select_option(
        label="Hugo Garnier (IDEL)"
    )
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("text=Décision enregistrée ; le dossier est marqué comme discuté.")
    assert case.get_by_text("Discuté", exact=True).is_visible()
    assert case.get_by_text(
        f"Tâche : Consultation podologue — pour le {due:%d/%m/%Y}, Hugo Garnier"
    ).is_visible()
    task = Task.objects.get(enrolment=enrolment, label="Consultation podologue")
    assert (task.due_date, task.assignee.email, task.status) == (due, NURSE, "due")

    # The patient's enrolment page shows the task with its due date.
    case.get_by_role("link", name="MARCHAND Lucie").click()
    page.wait_for_url(f"**/parcours/inclusion/{enrolment.public_id}/")
    podiatry = page.locator(
        "article", has=page.get_by_role("heading", name="Consultation podologue", exact=True)
    )
    assert podiatry.get_by_text(f"Prévu le {due:%d/%m/%Y}").is_visible()
    assert podiatry.get_by_text("confiée à Hugo Garnier").is_visible()

    # The nurse, on her phone, finds it in her list.
    _log_in(phone_page, base, email=NURSE)
    follow_nav_link(phone_page, "Parcours", "À faire")
    phone_page.wait_for_url(f"**/c/{SLUG}/parcours/a-faire/")
    mine = phone_page.locator(
        "article", has=phone_page.get_by_role("heading", name="MARCHAND Lucie")
    ).filter(has_text="Consultation podologue")
    assert mine.get_by_text(f"Consultation podologue — pour le {due:%d/%m/%Y}").is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
