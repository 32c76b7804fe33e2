"""The plan's pages: the plan with its live parts, editing a section, making a version,
the list, a version, comparing two versions; who sees what, and another CPTS's ids."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.crisis import plan
from maillage.crisis.models import Contact, PlanRevision, PlanVersion, Site, Stock
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
OTHER = "vals-du-dauphine"


def _url(name, *args, slug=HOME):
    return reverse(f"crisis:{name}", args=[slug, *args])


def _save(cpts, user, section, body):
    return plan.save_section(cpts=cpts, section=section, body=body, author=user)


def test_the_plan_shows_every_section_in_order_with_its_text_escaped(
    home_cpts, coordinator, gp, client_for
):
    _save(home_cpts, coordinator, "referent", "Dr Martin\n<script>alert(1)</script>")
    response = client_for(gp).get(_url("plan"))
    assert response.status_code == 200
    body = response.content.decode()
    positions = [body.index(f'id="section-{s.code}"') for s in plan.frame.sections()]
    assert positions == sorted(positions)
    assert "Dr Martin<br>&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert f"par {coordinator.get_full_name()}" in text(response)
    # A professional reads the plan but edits nothing.
    assert "Modifier la section" not in body and "Créer une version" not in body


def test_the_plan_shows_the_crisis_cell_and_resource_counts_live(
    home_cpts, coordinator, client_for
):
    Contact.objects.create(cpts=home_cpts, name="Paul Girard", in_cell=True,
                           cell_role="Pilotage", mobile="06 12 34 56 78")  # fmt: skip
    Contact.objects.create(cpts=home_cpts, name="Hors cellule", in_cell=False)
    commune = Commune.objects.get(code="38053")
    Site.objects.create(cpts=home_cpts, name="Gymnase", commune=commune)
    Stock.objects.create(cpts=home_cpts, item="Masques FFP2", quantity=100, holder="Pharmacie")
    Stock.objects.create(cpts=home_cpts, item="Oxygène", quantity=3, holder="Pharmacie")
    page = text(client_for(coordinator).get(_url("plan")))
    assert "Paul Girard</strong> — Pilotage" in page
    assert 'href="tel:+33612345678"' in page and "06 12 34 56 78" in page
    assert "Hors cellule" not in page
    assert "1 lieu mobilisable · 2 stocks et matériels" in page


def test_the_plan_state_warns_of_an_overdue_yearly_update_and_a_retex_not_yet_approved(
    home_cpts, coordinator, board_member, client_for
):
    from maillage.crisis.models import Activation, Retex

    _save(home_cpts, coordinator, "referent", "Dr Martin")
    version = plan.create_version(cpts=home_cpts, actor=coordinator)
    plan.approve_version(version=version, actor=board_member)
    PlanVersion.objects.filter(pk=version.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=400))
    activation = Activation.objects.create(cpts=home_cpts, kind="exercise",
                                           crisis_type="afflux-malades",
                                           title="Exercice canicule")  # fmt: skip
    retex = Retex.objects.create(cpts=home_cpts, activation=activation,
                                 conclusions="Prévoir une liste papier.")  # fmt: skip
    plan.append_retex(cpts=home_cpts, retex=retex, actor=coordinator)
    page = text(client_for(coordinator).get(_url("plan")))
    assert "Mise à jour annuelle en retard" in page
    assert "version 1" in page and f"par {board_member.get_full_name()}" in page
    assert "Le brouillon diffère de la version approuvée (1 section : Exercices et RETEX)" in page
    assert "Ajout issu du RETEX « Exercice canicule »" in page
    assert "1 ajout issu d'un RETEX n'a encore été intégré" in page


def test_the_coordinator_edits_a_section_and_sees_its_history(
    home_cpts, coordinator, client_for
):
    client = client_for(coordinator)
    first = _save(home_cpts, coordinator, "cell", "Salle du conseil")
    response = client.post(_url("plan_section", "cell"), {
        "body": "Salle du conseil\r\nRepli : gymnase", "base": str(first.public_id)})
    assert response.status_code == 302 and response["Location"].endswith("#section-cell")
    assert plan.draft(home_cpts)["cell"].body == "Salle du conseil\nRepli : gymnase"
    page = client.get(_url("plan_section", "cell"))
    body = page.content.decode()
    assert "Composition de la cellule" in text(page)  # the frame's guidance
    assert "Ajouté : </span>Repli : gymnase</ins>" in body
    # Unchanged text saved again writes nothing.
    current = plan.draft(home_cpts)["cell"]
    response = client.post(_url("plan_section", "cell"), {
        "body": current.body, "base": str(current.public_id)}, follow=True)
    assert "Texte inchangé : rien n'est enregistré." in text(response)
    assert PlanRevision.objects.filter(cpts=home_cpts, section="cell").count() == 2


def test_an_over_long_section_is_refused_next_to_the_field_and_kept(
    home_cpts, coordinator, client_for
):
    typed = "y" * 20_001
    response = client_for(coordinator).post(_url("plan_section", "context"),
                                            {"body": typed, "base": ""})  # fmt: skip
    assert response.status_code == 400
    assert "limité à 20 000 caractères ; celui-ci en compte 20 001" in text(response)
    assert typed in response.content.decode()
    assert not PlanRevision.objects.filter(cpts=home_cpts).exists()


def test_an_unknown_section_is_404(coordinator, client_for):
    assert client_for(coordinator).get(_url("plan_section", "inconnue")).status_code == 404


def test_a_professional_cannot_edit_a_section(gp, client_for, home_cpts):
    response = client_for(gp).post(_url("plan_section", "cell"), {"body": "x", "base": ""})
    assert response.status_code == 404
    assert not PlanRevision.objects.filter(cpts=home_cpts).exists()


def test_the_coordinator_makes_a_version_with_its_note(home_cpts, coordinator, client_for):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    client = client_for(coordinator)
    page = text(client.get(_url("plan_version_new")))
    assert "Référent SSE et suppléant" in page
    response = client.post(_url("plan_version_new"), {"note": "Mise à jour 2026"})
    version = PlanVersion.objects.get(cpts=home_cpts)
    assert response.status_code == 302 and str(version.public_id) in response["Location"]
    assert version.note == "Mise à jour 2026"
    again = client.post(_url("plan_version_new"), {"note": ""})
    assert again.status_code == 400
    assert "identique à la version 1" in text(again)


def test_versions_list_and_version_page(home_cpts, coordinator, board_member, client_for):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    version = plan.create_version(cpts=home_cpts, actor=coordinator, note="Premier plan")
    client = client_for(board_member)
    listing = text(client.get(_url("plan_versions")))
    assert "Version 1" in listing and "Premier plan" in listing
    assert "En attente d'approbation par le bureau" in listing
    page = text(client.get(_url("plan_version", version.public_id)))
    assert "Approuver la version 1" in page and "Dr Martin" in page
    # The coordinator sees no approval button.
    assert "Approuver la version" not in text(client_for(coordinator).get(
        _url("plan_version", version.public_id)))


def test_comparing_two_versions_collapses_unchanged_sections_and_marks_changes(
    home_cpts, coordinator, gp, client_for
):
    _save(home_cpts, coordinator, "referent", "Dr Martin")
    _save(home_cpts, coordinator, "cell", "Salle du conseil")
    first = plan.create_version(cpts=home_cpts, actor=coordinator)
    _save(home_cpts, gp, "cell", "Mairie de Bourgoin")
    second = plan.create_version(cpts=home_cpts, actor=coordinator)
    client = client_for(gp)
    default = client.get(_url("plan_compare"))
    body = default.content.decode()
    assert "Version 1 → version 2" in text(default)
    assert "1 section modifiée sur 13" in text(default)
    assert "<del><span class=\"visually-hidden\">Supprimé : </span>Salle du conseil</del>" in body
    assert "<ins><span class=\"visually-hidden\">Ajouté : </span>Mairie de Bourgoin</ins>" in body
    assert f"par {gp.get_full_name()}" in text(default)
    assert "Référent SSE et suppléant — inchangée" in text(default)
    explicit = client.get(_url("plan_compare"), {"from": second.public_id,
                                                 "to": first.public_id})  # fmt: skip
    assert "Version 1 → version 2" in text(explicit)


def test_another_cptss_version_is_404(
    home_cpts, other_cpts, coordinator, outsider, board_member, client_for
):
    _save(other_cpts, outsider, "referent", "Ailleurs")
    theirs = plan.create_version(cpts=other_cpts, actor=outsider)
    client = client_for(coordinator)
    for name in ("plan_version", "plan_pdf"):
        assert client.get(_url(name, theirs.public_id)).status_code == 404
    assert client.get(_url("plan_compare"), {"to": theirs.public_id}).status_code == 404
    assert client_for(board_member).post(_url("plan_approve", theirs.public_id)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.approved_at is None
    assert client.get(_url("plan_version", "not-a-uuid")).status_code == 404


def test_an_outsider_gets_404_on_the_plan(outsider, client_for):
    assert client_for(outsider).get(_url("plan")).status_code == 404


def test_reading_the_plan_writes_no_audit_row(home_cpts, coordinator, client_for):
    client_for(coordinator).get(_url("plan"))
    assert not AuditEvent.objects.filter(action__startswith="crisis.plan").exists()
