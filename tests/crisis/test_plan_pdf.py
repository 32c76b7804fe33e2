"""The consolidated PDF of a version: a real PDF with every section's text, what changed
since the previous version with who and when, marked when not approved; each download
audited."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.models import AuditEvent
from maillage.crisis import plan

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def versions(home_cpts, coordinator, gp, board_member):
    plan.save_section(cpts=home_cpts, section="referent", body="Référent : Dr Élise Martin",
                      author=coordinator)  # fmt: skip
    plan.save_section(cpts=home_cpts, section="cell", body="Salle du conseil municipal",
                      author=coordinator)  # fmt: skip
    first = plan.create_version(cpts=home_cpts, actor=coordinator, note="Premier plan")
    plan.approve_version(version=first, actor=board_member)
    plan.save_section(cpts=home_cpts, section="cell",
                      body="Salle du conseil municipal\nRepli : gymnase Coubertin",
                      author=gp)  # fmt: skip
    second = plan.create_version(cpts=home_cpts, actor=coordinator, note="Mise à jour annuelle")
    return first, second


def test_the_pdf_of_a_version_holds_every_section_and_the_changes(
    versions, gp, coordinator, client_for
):
    first, second = versions
    response = client_for(gp).get(reverse("crisis:plan_pdf", args=[HOME, second.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="plan-de-crise-v2.pdf"' in response["Content-Disposition"]
    content = _text(response.content)
    flat = " ".join(content.split())
    assert "Référent : Dr Élise Martin" in content
    assert "Repli : gymnase Coubertin" in content
    assert "version non approuvée" in flat
    assert "Sommaire" in content
    assert "Modifications depuis la version 1" in flat
    assert gp.get_full_name() in content  # who changed the crisis cell section
    for section in plan.frame.sections():
        assert section.title.split(":")[0] in flat
    assert "page 3" in content  # the paged footer
    assert AuditEvent.objects.filter(action="crisis.plan_pdf", actor=gp,
                                     object_id=second.public_id).exists()  # fmt: skip


def test_the_pdf_of_an_approved_version_names_its_approver(versions, board_member, client_for):
    first, _second = versions
    response = client_for(board_member).get(
        reverse("crisis:plan_pdf", args=[HOME, first.public_id]))
    flat = " ".join(_text(response.content).split())
    assert f"par {board_member.get_full_name()}" in flat
    assert "non approuvée" not in flat
    assert "première version du plan" in flat


def test_the_table_of_contents_gives_the_page_of_each_section(versions):
    _first, second = versions
    reader = PdfReader(io.BytesIO(plan.render_pdf(second)))
    contents = reader.pages[1].extract_text()
    pages = {i: page.extract_text() for i, page in enumerate(reader.pages, 1)}
    number = int(re.search(r"3\. Cellule de crise\s+(\d+)", contents).group(1))
    assert "3. Cellule de crise" in pages[number]


def test_hostile_text_still_makes_a_pdf(home_cpts, coordinator):
    plan.save_section(cpts=home_cpts, section="context", author=coordinator,
                      body="<b>gras</b> & <a href='x'>lien</a> 🚑\n" + "x" * 19_000)  # fmt: skip
    version = plan.create_version(cpts=home_cpts, actor=coordinator)
    content = _text(plan.render_pdf(version))
    assert "<b>gras</b> & <a href='x'>lien</a>" in content
