"""Journey: the coordinator, on a phone (390 px), imports a CPAM list: upload, columns
and preview, then the import's own page, which follows the job and shows its outcome.
The browser suite runs the job cluster synchronously, so the job has run when the page
opens: it says "terminé" with the summary. No page scrolls sideways; axe-core finds
nothing serious; the CSP is respected (the `page` fixtures fail on a violation)."""

import pytest
from playwright.sync_api import expect

from maillage.demo.builder import demo_email
from maillage.gp_access.models import CpamImport, GpRequest
from tests.browser.conftest import assert_accessible, horizontal_overflow
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser

LIST = (
    "Nom de naissance;Prénom;Date de naissance;Sexe;Code INSEE;ALD;C2S\n"
    "ZANZIBAR;Odile;12/03/1945;F;38053;oui;non\n"
    "YSENGRIN;Paul;01/01/1990;M;38193;non;oui\n"
)


def test_the_coordinator_follows_a_cpam_import_to_its_outcome_on_a_phone(
    demo_server, phone_390, tmp_path
):
    page = phone_390
    _log_in(page, demo_server.url, email=demo_email("coordination", "pays-berjalliens"))
    page.goto(demo_server.url + "/c/pays-berjalliens/medecin-traitant/import-cpam/")
    csv_file = tmp_path / "cpam.csv"
    csv_file.write_text(LIST, encoding="utf-8")
    page.get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Aperçu")).to_be_visible()
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url("**/import-cpam/suivi/*/")
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("terminé")
    expect(progress).to_contain_text("2 ligne(s) importée(s) : 2 demande(s) créée(s)")
    # Finished: the fragment no longer polls.
    assert progress.get_attribute("hx-trigger") is None
    assert CpamImport.objects.get().state == "done"
    assert GpRequest.objects.filter(patient__birth_name="ZANZIBAR").exists()
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    page.get_by_role("link", name="Voir la file des demandes").click()
    page.wait_for_url("**/medecin-traitant/")


def test_the_progress_page_polls_with_htmx_until_the_import_has_finished(demo_server, phone_390):
    from maillage.core.models import Cpts, User
    from maillage.gp_access.models import CsvUpload

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    coordinator = User.objects.get(email=demo_email("coordination", "pays-berjalliens"))
    stored = CsvUpload.objects.create(cpts=cpts, uploaded_by=coordinator, file_name="liste.csv",
                                      content=LIST.encode())  # fmt: skip
    # A job no worker has taken yet (the suite's cluster is synchronous: made by hand).
    run = CpamImport.objects.create(cpts=cpts, upload=stored, file_name="liste.csv",
                                    created_by=coordinator, total=2, state="running",
                                    processed=1)  # fmt: skip
    page = phone_390
    _log_in(page, demo_server.url, email=coordinator.email)
    page.goto(f"{demo_server.url}/c/pays-berjalliens/medecin-traitant/import-cpam/suivi/"
              f"{run.public_id}/")  # fmt: skip
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("en cours")
    expect(progress).to_contain_text("Lignes vérifiées : 1 sur 2")
    assert progress.get_attribute("hx-trigger") == "every 2s"
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    summary = {"lines": 2, "patients_created": 2, "patients_known": 0, "requests_created": 2,
               "already_open": []}  # fmt: skip
    CpamImport.objects.filter(pk=run.pk).update(state="done", processed=2, summary=summary)
    # The next poll replaces the fragment; the finished one polls no more.
    expect(progress).to_contain_text("terminé", timeout=10_000)
    expect(progress).to_contain_text("2 ligne(s) importée(s) : 2 demande(s) créée(s)")
    assert page.locator("#import-progress").get_attribute("hx-trigger") is None
    assert_accessible(page)
