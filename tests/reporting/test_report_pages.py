"""The report's pages: the years and their versions, a year's preview with a chart and its
table per mission, comments per section, generating, marking sent, downloading."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.reporting import report
from maillage.reporting.models import Report, ReportComment
from tests.conftest import HOME, OTHER
from tests.reporting.report_world import YEAR, build_contract
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(home_cpts):
    return build_contract(home_cpts)


def _url(name, *args, slug=HOME):
    return reverse(f"reporting:{name}", args=[slug, *args])


def test_reports_page_without_a_contract_says_so(client_for, coordinator):
    response = client_for(coordinator).get(_url("reports"))
    assert response.status_code == 200
    assert "Aucun contrat ACI n'est encore saisi" in text(response)


def test_reports_page_lists_each_year_and_its_versions(client_for, coordinator, contract):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    body = text(client_for(coordinator).get(_url("reports")))
    for year in range(1, 6):
        assert f"Année {year}" in body
    assert "Année 3 (en cours)" in body
    assert _url("report_version", version.public_id, "pdf") in body
    assert _url("report_version", version.public_id, "xlsx") in body
    assert _url("report_year", YEAR) in body


def test_year_page_previews_every_section_with_chart_and_table(client_for, coordinator,
                                                              contract):  # fmt: skip
    response = client_for(coordinator).get(_url("report_year", YEAR))
    body = text(response)
    assert response.status_code == 200
    assert "Patients en ALD sans médecin traitant" in body
    assert "6\xa0000,00\xa0€" in body and "au plus 50 : + 3\xa0000,00\xa0€" in body
    assert body.count('src="data:image/svg+xml;base64,') == 3
    assert "atteint et cible par indicateur" in body
    # One comment form per section, with its label; the generate button.
    assert body.count('name="general-text"') == 1
    for code in ("acces", "prevention", "qualite"):
        assert f'name="{code}-text"' in body
    assert 'name="accompagnement-text"' not in body
    assert "Générer une nouvelle version" in body


def test_year_outside_the_contract_or_without_contract_is_404(client_for, coordinator,
                                                             contract):  # fmt: skip
    client = client_for(coordinator)
    assert client.get(_url("report_year", 6)).status_code == 404
    assert client.get(_url("report_year", 0)).status_code == 404
    assert client.post(_url("report_generate", 9)).status_code == 404
    contract.delete()
    assert client.get(_url("report_year", 1)).status_code == 404


def test_coordinator_comments_a_section(client_for, coordinator, contract):
    client = client_for(coordinator)
    response = client.post(
        _url("report_comment", YEAR, "prevention"),
        {"prevention-text": "<b>Trois</b> journées de dépistage."},
    )
    assert response.status_code == 302
    assert ReportComment.objects.get(section="prevention").text == (
        "<b>Trois</b> journées de dépistage."
    )
    body = client.get(_url("report_year", YEAR)).content.decode()
    assert "&lt;b&gt;Trois&lt;/b&gt; journées" in body and "<b>Trois</b>" not in body


def test_a_too_long_comment_is_refused_with_400_and_the_text_kept(client_for, coordinator,
                                                                 contract):  # fmt: skip
    response = client_for(coordinator).post(_url("report_comment", YEAR, "acces"),
                                            {"acces-text": "x" * 100_000})  # fmt: skip
    body = text(response)
    assert response.status_code == 400
    assert "Commentaire non enregistré" in body and "limité à 5" in body
    assert not ReportComment.objects.exists()


def test_a_nul_character_in_a_comment_is_refused_at_the_door(client_for, coordinator,
                                                             contract):  # fmt: skip
    response = client_for(coordinator).post(_url("report_comment", YEAR, "acces"),
                                            {"acces-text": "a\x00b"})  # fmt: skip
    assert response.status_code == 400
    assert not ReportComment.objects.exists()


def test_comment_on_an_unknown_section_is_404(client_for, coordinator, contract):
    response = client_for(coordinator).post(_url("report_comment", YEAR, "accompagnement"),
                                            {"accompagnement-text": "x"})  # fmt: skip
    assert response.status_code == 404


def test_generate_then_mark_sent_with_confirmation(client_for, coordinator, contract):
    client = client_for(coordinator)
    assert client.post(_url("report_generate", YEAR)).status_code == 302
    assert client.post(_url("report_generate", YEAR)).status_code == 302
    first, second = Report.objects.filter(contract=contract).order_by("version")
    assert (first.version, second.version) == (1, 2)
    page = text(client.get(_url("report_year", YEAR)))
    assert "Marquer comme envoyée à la CPAM" in page and "elle sera figée" in page
    # Without the confirmation: 400, nothing sent.
    refused = client.post(_url("report_send", first.public_id), {})
    assert refused.status_code == 400
    assert "Cochez la confirmation" in text(refused)
    first.refresh_from_db()
    assert not first.frozen
    done = client.post(_url("report_send", first.public_id),
                       {f"{first.public_id}-confirm": "on"})  # fmt: skip
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.frozen
    again = client.post(_url("report_send", first.public_id),
                        {f"{first.public_id}-confirm": "on"})  # fmt: skip
    assert again.status_code == 400 and "figée" in text(again)
    deleted = client.post(_url("report_delete", first.public_id))
    assert deleted.status_code == 400 and Report.objects.filter(pk=first.pk).exists()
    assert client.post(_url("report_delete", second.public_id)).status_code == 302
    assert not Report.objects.filter(pk=second.pk).exists()


def test_download_serves_the_stored_bytes_and_is_audited(client_for, coordinator, contract):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    client = client_for(coordinator)
    pdf = client.get(_url("report_version", version.public_id, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(version.pdf)
    assert 'filename="rapport-aci-pays-berjalliens-annee-3-v1.pdf"' in pdf["Content-Disposition"]
    xlsx = client.get(_url("report_version", version.public_id, "xlsx"))
    assert xlsx.status_code == 200 and xlsx.content == bytes(version.xlsx)
    assert "spreadsheetml" in xlsx["Content-Type"]
    events = AuditEvent.objects.filter(action="reporting.report_downloaded", actor=coordinator)
    assert sorted(e.detail["format"] for e in events) == ["pdf", "xlsx"]


def test_download_with_a_bad_format_or_another_cptss_id_is_404(client_for, coordinator,
                                                               outsider, contract,
                                                               other_cpts):  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    assert (
        client_for(coordinator).get(_url("report_version", version.public_id, "docx")).status_code
        == 404
    )
    theirs = report.generate(contract=build_contract(other_cpts), year=1, actor=outsider)
    assert (
        client_for(coordinator).get(_url("report_version", theirs.public_id, "pdf")).status_code
        == 404
    )
    # The outsider through their own CPTS's address gets 404 for ours as well.
    assert (
        client_for(outsider)
        .get(_url("report_version", version.public_id, "pdf", slug=OTHER))
        .status_code
        == 404
    )


def test_board_reads_but_cannot_comment_generate_or_send(client_for, board_member, coordinator,
                                                        contract):  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator)
    client = client_for(board_member)
    body = text(client.get(_url("report_year", YEAR)))
    assert "Patients en ALD sans médecin traitant" in body
    assert "Générer une nouvelle version" not in body and 'name="acces-text"' not in body
    assert client.post(_url("report_generate", YEAR)).status_code == 404
    assert (
        client.post(_url("report_comment", YEAR, "acces"), {"acces-text": "x"}).status_code == 404
    )
    assert (
        client.post(
            _url("report_send", version.public_id), {f"{version.public_id}-confirm": "on"}
        ).status_code
        == 404
    )
    assert client.get(_url("report_version", version.public_id, "pdf")).status_code == 200


@pytest.mark.parametrize("persona", ["gp", "nurse", "regulator", "partner"])
def test_members_outside_the_contract_get_404(client_for, persona, request, contract):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_url("reports")).status_code == 404
    assert client.get(_url("report_year", YEAR)).status_code == 404


def test_outsider_gets_404(client_for, outsider, contract):
    client = client_for(outsider)
    assert client.get(_url("reports")).status_code == 404
    assert client.get(_url("report_year", YEAR)).status_code == 404
