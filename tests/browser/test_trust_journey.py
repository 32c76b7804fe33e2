"""Journeys of the trust pages, through the real UI: a partner's probable duplicate checked
by the coordination, the audit trail and a person's "Accès au dossier" with its exports,
a GP declining a proposal on a phone, and the patient search of a pathway enrolment.

Every page met is checked for accessibility (axe-core) and for a page that scrolls
sideways. With MAILLAGE_SCREENSHOTS=<folder outside the repository> each one is also saved
(phone pages at 375 and 390 px) to be looked at."""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from maillage.core.models import User
from maillage.gp_access import services as gp_services
from maillage.gp_access.models import GpRequest, Proposal
from maillage.patients.models import DuplicateReview
from tests.browser.conftest import assert_accessible, follow_nav_link
from tests.browser.test_account_journey import _log_in

pytestmark = pytest.mark.browser

SLUG = "pays-berjalliens"
COORDINATOR = f"coordination@{SLUG}.maillage.test"
PARTNER = f"partenaire@{SLUG}.maillage.test"
GP = f"medecin@{SLUG}.maillage.test"
NURSE = f"infirmier@{SLUG}.maillage.test"
SHOTS = os.environ.get("MAILLAGE_SCREENSHOTS")


def _horizontal_overflow(page) -> int:
    # clientWidth is the layout viewport even where a phone browser zooms out to show a
    # page wider than the screen (innerWidth would then grow with the page).
    return page.evaluate("""() => document.documentElement.scrollWidth
        - Math.min(window.innerWidth, document.documentElement.clientWidth)""")


def _check(page, name: str) -> None:
    """A page of a journey: no sideways scroll of the page, no serious accessibility
    violation; saved as a screenshot when asked."""
    page.wait_for_load_state()
    assert _horizontal_overflow(page) <= 1, f"{page.url} scrolls sideways"
    assert_accessible(page)
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        page.screenshot(path=folder / f"{name}-{size['width']}.png", full_page=True)
        if size["width"] < 600:  # also at the width of today's common phones
            page.set_viewport_size({"width": 390, "height": size["height"]})
            assert _horizontal_overflow(page) <= 1, f"{page.url} scrolls sideways at 390 px"
            page.screenshot(path=folder / f"{name}-390.png", full_page=True)
            page.set_viewport_size(size)


@contextmanager
def _narrow(page):
    """The desktop page at phone width for a moment (the same session)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 740})
    try:
        yield
    finally:
        page.set_viewport_size(size)


def _main_text(page) -> str:
    return page.locator("main").inner_text()


# A partner's probable duplicate -------------------------------------------------------


def test_partner_submits_a_registered_patient_and_the_coordination_confirms_the_match(
    demo_server, page, phone_page
):
    base = demo_server.url
    _log_in(phone_page, base, PARTNER)
    _check(phone_page, "partner-home")
    follow_nav_link(phone_page, "Médecin traitant", "Demandes")
    phone_page.wait_for_url("**/medecin-traitant/")
    _check(phone_page, "partner-queue")
    phone_page.get_by_role("link", name="Nouvelle demande").click()
    phone_page.wait_for_url("**/medecin-traitant/nouvelle/")
    _check(phone_page, "partner-request-form")
    phone_page.get_by_label("Nom de naissance").fill("Faure")
    phone_page.get_by_label(re.compile("^Prénoms")).fill("Henri")
    phone_page.get_by_label("Date de naissance").fill("1951-11-02")
    phone_page.get_by_label("Sexe").select_option("M")
    phone_page.get_by_label("Téléphone", exact=True).fill("06 44 55 66 77")
    phone_page.get_by_label("Commune de résidence", exact=True).fill("38193")
    phone_page.get_by_label("Origine de la demande").select_option(label="Partenaire")
    phone_page.get_by_label("Consentement du patient recueilli").select_option(index=1)
    phone_page.get_by_role("button", name="Enregistrer la demande").click()

    # A generic answer: nothing about the patient already registered.
    phone_page.wait_for_selector("text=la coordination va vérifier")
    text = _main_text(phone_page)
    assert "1 de vos demandes attendent la vérification d'un doublon" in text
    for leak in ("FAURE", "Faure", "Henri", "02/11/1951", "1951"):
        assert leak not in text
    _check(phone_page, "partner-duplicate-message")
    review = DuplicateReview.objects.get(submitted_by__email=PARTNER)
    assert review.status == DuplicateReview.Status.OPEN

    _log_in(page, base, COORDINATOR)
    follow_nav_link(page, "Médecin traitant", "Demandes")
    page.wait_for_url("**/medecin-traitant/")
    _check(page, "coordinator-queue")
    page.get_by_role("link", name="Doublons à vérifier (1)").click()
    page.wait_for_url("**/patients/doublons/")
    _check(page, "duplicate-reviews")
    with _narrow(page):
        _check(page, "duplicate-reviews-narrow")
    page.get_by_role("link", name="FAURE Henri").click()
    comparison = page.get_by_role("table", name="Identité saisie et fiches enregistrées proches")
    expect(comparison).to_contain_text("02/11/1951")
    _check(page, "duplicate-review")
    with _narrow(page):
        _check(page, "duplicate-review-narrow")
    page.get_by_label("Même personne qu'un patient enregistré").check()
    page.get_by_label("Patient enregistré qui correspond").select_option(
        label="FAURE Henri, 02/11/1951"
    )
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("text=Doublon traité : la demande suit son cours.")
    _check(page, "duplicate-reviews-done")
    review.refresh_from_db()
    assert review.status == DuplicateReview.Status.SAME

    phone_page.reload()
    assert "attendent la vérification" not in _main_text(phone_page)
    _check(phone_page, "partner-queue-after-review")
    # Where the partner's request went (their list, or a note on the request already in
    # progress) is the next test's matter.


def _matched_by_the_coordination(birth_name, first_names, birth_date, commune):
    """A partner's submission held as a probable duplicate, then matched by the
    coordination to the registered patient (through the services)."""
    from maillage.core.models import Membership
    from maillage.patients.duplicates import (
        DuplicateUnderReview,
        create_patient_as_member,
        review_resolve,
    )

    partner = Membership.objects.get(user__email=PARTNER, cpts__slug=SLUG)
    with pytest.raises(DuplicateUnderReview) as held:
        create_patient_as_member(
            membership=partner, consent_method="oral", purpose=gp_services.DUPLICATE_PURPOSE,
            data={"birth_name": birth_name, "first_names": first_names, "sex": "M",
                  "birth_date": birth_date, "commune": commune, "phone": "06 44 55 66 77"},
            payload={"origin": "partner", "message": "", "carer_name": "",
                     "carer_relation": "", "carer_phone": ""},
        )  # fmt: skip
    review = held.value.review
    review_resolve(review=review, actor=User.objects.get(email=COORDINATOR),
                   decision=DuplicateReview.Status.SAME,
                   patient=review.candidates.get())  # fmt: skip


@pytest.mark.parametrize("identity", [
    pytest.param(("VIDAL", "Bernard", "1954-05-14", "38053"), id="no-request-in-progress"),
    pytest.param(("FAURE", "Henri", "1951-11-02", "38193"), id="a-request-in-progress"),
])  # fmt: skip
def test_after_the_match_the_partner_finds_their_request_in_their_list(
    demo_server, phone_page, identity
):
    _matched_by_the_coordination(*identity)
    _log_in(phone_page, demo_server.url, PARTNER)
    follow_nav_link(phone_page, "Médecin traitant", "Demandes")
    expect(phone_page.get_by_role("link", name=f"{identity[0]} {identity[1]}")).to_be_visible()
    _check(phone_page, "partner-queue-matched")


# The audit trail and a person's access report -----------------------------------------


def test_coordinator_filters_the_journal_and_exports_a_persons_access_report(
    demo_server, page, phone_page, tmp_path
):
    base = demo_server.url
    _log_in(page, base, COORDINATOR)
    follow_nav_link(page, "Administration", "Journal d'audit")
    page.wait_for_url("**/journal/")
    _check(page, "journal")

    page.get_by_label("Depuis le").fill("2026-03-10")
    page.get_by_label("Jusqu'au").fill("2026-03-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Filtrer").click()
    assert navigation.value.status == 400
    until = page.locator(".field", has=page.get_by_label("Jusqu'au"))
    expect(until.locator(".error")).to_have_text(
        "La date de fin est avant la date de début : inversez-les ou corrigez l'une d'elles."
    )
    expect(page.get_by_label("Jusqu'au")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Depuis le")).to_have_value("2026-03-10")
    expect(page.get_by_label("Jusqu'au")).to_have_value("2026-03-01")
    _check(page, "journal-date-error")

    page.get_by_label("Depuis le").fill("")
    page.get_by_label("Jusqu'au").fill("")
    page.get_by_label("Action").select_option(label="Création de la fiche")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"action=patient\.create"))
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Création de la fiche")
    assert rows.count() >= 8  # the demo's patients, created by the coordination
    assert "patient.create" not in _main_text(page)  # labels, not codes
    _check(page, "journal-filtered")

    rows.first.get_by_role("link", name=re.compile("^Accès au dossier")).click()
    page.wait_for_url("**/journal/personne/**")
    expect(page.get_by_role("heading", name="Accès au dossier")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Création de la fiche")
    _check(page, "patient-access")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en CSV").click()
    csv_file = tmp_path / download.value.suggested_filename
    download.value.save_as(csv_file)
    assert csv_file.suffix == ".csv" and csv_file.stat().st_size > 0
    assert "Création de la fiche" in csv_file.read_text(encoding="utf-8-sig")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    pdf_file = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf_file)
    assert pdf_file.suffix == ".pdf" and pdf_file.read_bytes().startswith(b"%PDF")

    # The same pages on a phone, in the same session (a second login would replay the
    # TOTP code, which is refused): the tables scroll inside their frame, not the page.
    phone_page.context.add_cookies(page.context.cookies())
    phone_page.goto(f"{base}/c/{SLUG}/journal/?action=patient.create")
    expect(phone_page.locator("tbody tr").first).to_contain_text("Création de la fiche")
    _check(phone_page, "journal-phone")
    phone_page.get_by_role("link", name=re.compile("^Accès au dossier")).first.click()
    phone_page.wait_for_url("**/journal/personne/**")
    _check(phone_page, "patient-access-phone")


# A GP's proposals on a phone ----------------------------------------------------------


def test_gp_declines_a_proposal_on_a_phone_a_reason_is_required_and_the_patient_goes(
    demo_server, page, phone_page
):
    base = demo_server.url
    _log_in(page, base, COORDINATOR)
    page.goto(f"{base}/c/{SLUG}/medecin-traitant/propositions/")
    page.get_by_role("button", name="Calculer un lot de propositions").click()
    page.wait_for_selector("text=Lot de propositions calculé")
    _check(page, "batch-draft")
    page.get_by_role("button", name="Envoyer aux médecins").click()
    page.wait_for_selector("text=proposition(s) envoyée(s) aux médecins")
    _check(page, "batch-sent")
    proposals = Proposal.objects.filter(gp__email=GP, state=Proposal.State.PENDING)
    assert proposals.count() >= 2

    _log_in(phone_page, base, GP)
    follow_nav_link(phone_page, "Médecin traitant", "Mes propositions")
    phone_page.wait_for_url("**/mes-propositions/")
    _check(phone_page, "my-proposals")
    first = phone_page.locator("article.proposal").first
    name = first.get_by_role("heading").inner_text().split(",")[0]
    assert GpRequest.objects.filter(
        proposals__in=proposals, patient__birth_name=name.split()[0]
    ).exists()

    with phone_page.expect_navigation() as navigation:
        first.get_by_role("button", name="Refuser").click()
    assert navigation.value.status == 400
    article = phone_page.locator("article.proposal", has_text=name)
    reason = article.get_by_label("Motif du refus")
    expect(reason).to_have_attribute("aria-invalid", "true")
    field = article.locator(".field", has=phone_page.get_by_label("Motif du refus"))
    expect(field.locator(".error")).to_have_text(
        "Indiquez le motif du refus."
    )
    expect(article.get_by_role("button", name="Accepter")).to_be_visible()
    _check(phone_page, "my-proposals-reason-missing")

    reason.fill("Patientèle complète ce mois-ci")
    article.get_by_role("button", name="Refuser").click()
    phone_page.wait_for_selector("text=Refus enregistré")
    assert name not in _main_text(phone_page)
    expect(phone_page.get_by_text("Ce patient ne vous est plus proposé")).to_be_visible()
    _check(phone_page, "my-proposals-declined")


# The patient search of an enrolment ---------------------------------------------------


@pytest.mark.parametrize("email", [GP, NURSE])
def test_a_professional_finds_a_patient_they_follow_and_sees_the_team_proposed(
    demo_server, phone_page, email
):
    page = phone_page
    _log_in(page, demo_server.url, email)
    follow_nav_link(page, "Parcours", "Inclure un patient")
    page.wait_for_url("**/parcours/inclure/")
    _check(page, "enrol-search")
    page.get_by_label(re.compile("^Patient : nom")).fill("vida")
    page.get_by_role("button", name="Rechercher").click()
    results = page.locator("ul.results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("VIDAL Bernard, né le 14/05/1954")
    _check(page, "enrol-results")
    page.get_by_role("link", name="VIDAL Bernard").click()
    expect(page.get_by_text(re.compile("^VIDAL Bernard, né le 14/05/1954"))).to_be_visible()
    # The patient's médecin traitant first, ticked and référent.
    gp = User.objects.get(email=GP)
    gp_box = page.get_by_label(re.compile(f"^{gp.get_full_name()} .*médecin traitant"))
    expect(gp_box).to_be_checked()
    expect(page.get_by_label(f"Référent : {gp.get_full_name()}")).to_be_checked()
    expect(page.get_by_label("Parcours")).to_be_visible()
    _check(page, "enrol-team")

    # A patient they do not follow is not found.
    page.get_by_role("link", name="choisir un autre patient").click()
    page.get_by_label(re.compile("^Patient : nom")).fill("Lambert")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("ul.results")).to_have_text(
        "Aucun patient ne correspond parmi ceux que vous suivez."
    )
