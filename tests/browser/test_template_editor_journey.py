"""Journey: the coordinator modifies the shipped heart-failure pathway in a draft, adds a
potassium step, is stopped by a condition cycle, publishes the new version for the patients
already enrolled and finds the new task on an enrolled patient's page."""

import datetime
import re

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.pathways import services
from maillage.pathways.models import Enrolment, PathwayTemplate
from maillage.patients.services import patient_create
from tests.browser.conftest import follow_nav_link
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"
COORDINATOR = f"coordination@{SLUG}.maillage.test"
GP = f"medecin@{SLUG}.maillage.test"
HEART_FAILURE = "Insuffisance cardiaque chronique"


def _enrol_in_shipped_heart_failure(on):
    cpts = Cpts.objects.get(slug=SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    patient = patient_create(
        cpts=cpts,
        actor=coordinator,
        consent_method="oral",
        data={
            "birth_name": "Rousseau",
            "first_names": "Henri",
            "birth_date": "1944-11-23",
            "sex": "M",
            "commune": "38053",
            "phone": "0614141414",
        },
        allow_duplicate=True,
    )
    return services.enrol(
        cpts=cpts,
        patient=patient,
        template=PathwayTemplate.objects.get(slug="insuffisance-cardiaque", cpts__isnull=True),
        actor=coordinator,
        team=[(User.objects.get(email=GP), "médecin traitant", True)],
        on=on,
    )


def _edit_step(page, label):
    page.get_by_role("link", name=f"Modifier l'étape « {label} »").click()
    page.wait_for_selector(f"h1:has-text('Modifier « {label} »')")


def test_new_step_published_for_enrolled_patients_after_a_refused_cycle(demo_server, page):
    today = timezone.localdate()
    enrolment = _enrol_in_shipped_heart_failure(on=today - datetime.timedelta(days=40))
    assert not enrolment.tasks.filter(step__label="Kaliémie").exists()

    # Parcours › Modèles › Modifier: a draft copy of the shipped template.
    _log_in(page, demo_server.url)
    follow_nav_link(page, "Parcours", "À faire")
    page.get_by_role("navigation", name="Parcours").get_by_role("link", name="Modèles").click()
    page.wait_for_url(f"**/c/{SLUG}/parcours/modeles/")
    page.get_by_role("button", name=f"Modifier « {HEART_FAILURE} »").click()
    page.wait_for_url(f"**/c/{SLUG}/parcours/modeles/brouillon/*/")
    heading = page.get_by_role("heading", level=1)
    assert HEART_FAILURE in heading.inner_text()
    assert "brouillon v2" in heading.inner_text()
    assert page.get_by_text("Copie de la version 1 livrée avec Maillage.").is_visible()
    assert page.get_by_text("1 patient inclus sur une version antérieure.").is_visible()

    # A new numeric step: Kaliémie.
    page.get_by_role("link", name="Ajouter une étape").click()
    page.get_by_label("Intitulé de l'étape").fill("Kaliémie")
    page.get_by_label("Profession responsable").select_option(label="Médecin")
    page.get_by_label("Échéance (jours après l'inclusion)").fill("0")
    page.get_by_label("Récurrence (jours)").fill("91")
    page.get_by_label("Résultat attendu").select_option(label="Valeur numérique")
    page.get_by_label("Unité (valeur numérique)").fill("mmol/L")
    page.get_by_label("Valeur plausible minimale").fill("2")
    page.get_by_label("Valeur plausible maximale").fill("8")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    page.wait_for_selector("text=Étape « Kaliémie » enregistrée.")
    kaliemia = page.locator(
        "article", has=page.get_by_role("heading", name=re.compile("Kaliémie$"))
    )
    assert kaliemia.get_by_text("Valeur numérique en mmol/L, plausible de 2 à 8").is_visible()
    assert kaliemia.get_by_text("tous les 91 jours").is_visible()
    assert kaliemia.get_by_text("dès l'inclusion").is_visible()

    # NT-proBNP conditional on Kaliémie is accepted...
    _edit_step(page, "NT-proBNP")
    page.get_by_label("Condition : l'étape démarre selon le résultat de").select_option(
        label="Kaliémie (valeur numérique)"
    )
    page.get_by_label("… lorsque ce résultat est supérieur ou égal à").fill("5,5")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    page.wait_for_selector("text=Étape « NT-proBNP » enregistrée.")
    assert page.get_by_text("si le résultat de « Kaliémie »").is_visible()

    # ... but then Kaliémie conditional on NT-proBNP would be a cycle: refused, in French.
    _edit_step(page, "Kaliémie")
    page.get_by_label("Condition : l'étape démarre selon le résultat de").select_option(
        label="NT-proBNP (valeur numérique)"
    )
    page.get_by_label("… lorsque ce résultat est supérieur ou égal à").fill("1000")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    page.wait_for_selector(
        "text=Ces conditions formeraient un cycle : « Kaliémie » dépend de « NT-proBNP », "
        "qui dépend de « Kaliémie »."
    )
    assert page.get_by_text("L'étape n'est pas enregistrée").is_visible()

    # Undo the NT-proBNP condition so that every patient keeps this test.
    page.get_by_role("link", name="← Brouillon").click()
    _edit_step(page, "NT-proBNP")
    page.get_by_label("Condition : l'étape démarre selon le résultat de").select_option(
        label="Aucune"
    )
    page.get_by_label("… lorsque ce résultat est supérieur ou égal à").fill("")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    page.wait_for_selector("text=Étape « NT-proBNP » enregistrée.")
    assert page.get_by_text("si le résultat de").count() == 0

    # Publish for the patients already enrolled too.
    page.get_by_label("Appliquer aussi aux patients déjà inclus").check()
    page.get_by_role("button", name="Publier la version 2").click()
    page.wait_for_selector(
        f"text=Version 2 de « {HEART_FAILURE} » publiée : les nouvelles inclusions l'utilisent."
    )
    assert page.get_by_text(re.compile(r"1 patient\(s\) passé\(s\) à cette version")).is_visible()
    assert page.get_by_text(re.compile(r"1 créée\(s\)")).is_visible()

    # The patient's enrolment page: version 2, with a Kaliémie task due today.
    follow_nav_link(page, "Parcours", "Patients inclus")
    page.get_by_role("link", name="ROUSSEAU Henri").click()
    page.wait_for_url(f"**/parcours/inclusion/{enrolment.public_id}/")
    assert page.get_by_text("(version 2)").is_visible()
    task = page.locator("article", has=page.get_by_role("heading", name="Kaliémie", exact=True))
    assert task.get_by_text(f"Prévu le {today:%d/%m/%Y}").is_visible()
    assert task.get_by_text("confiée à Julien Perrin").is_visible()
    assert task.get_by_label("Résultat (mmol/L)").is_visible()
    enrolment = Enrolment.objects.select_related("template").get(pk=enrolment.pk)
    assert (enrolment.template.version, enrolment.template.cpts.slug) == (2, SLUG)
