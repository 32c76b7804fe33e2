"""The contact tree's pages: an outside contact's form (a French mobile, at least one
channel, skills, the cell), archiving, the printable sheet and the CSV (formulas
neutralised), the yearly check, permissions and tenant isolation."""

import csv
import io

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.crisis.models import Alert, AlertRecipient, Contact, ContactSkill
from maillage.notifications.models import Notification
from tests.utils import text

pytestmark = pytest.mark.django_db
SLUG = "pays-berjalliens"


@pytest.fixture(autouse=True)
def _empty_tree(db):
    """Start from an empty tree, whatever the demo built."""
    Contact.objects.all().delete()


def _url(name, *args):
    return reverse(f"crisis:{name}", args=[SLUG, *args])


VALID = {"category": "hospital", "name": "Urgences CH Pierre Oudot",
         "organisation": "Centre hospitalier", "mobile": "06 12 34 56 78",
         "email": "", "commune": "Bourgoin-Jallieu", "skills": ["emergency", "triage"],
         "plan_role": "Lien avec l'hôpital", "in_cell": "on", "cell_role": "Hôpital",
         "notes": ""}  # fmt: skip


def test_the_coordinator_adds_an_outside_contact_with_a_commune_typed_by_name(
        client_for, coordinator, home_cpts):  # fmt: skip
    response = client_for(coordinator).post(_url("contact_new"), VALID)
    assert response.status_code == 302
    contact = Contact.objects.get(cpts=home_cpts, name="Urgences CH Pierre Oudot")
    assert contact.category == "hospital" and contact.mobile == "+33612345678"
    assert contact.commune.code == "38053" and contact.in_cell and contact.cell_role == "Hôpital"
    assert sorted(contact.skills.values_list("code", flat=True)) == ["emergency", "triage"]
    assert AuditEvent.objects.filter(
        action="crisis.contact_create", object_id=contact.public_id
    ).exists()


def test_a_contact_without_mobile_nor_email_is_refused_with_a_clear_message(
        client_for, coordinator, home_cpts):  # fmt: skip
    response = client_for(coordinator).post(
        _url("contact_new"), {**VALID, "mobile": "", "email": ""}
    )
    assert response.status_code == 400
    assert "au moins un moyen de joindre" in text(response)
    assert not Contact.objects.filter(cpts=home_cpts).exists()


@pytest.mark.parametrize("mobile", ["123", "+44 20 7946 0958", "06 12 34", "=HYPERLINK()",
                                    "0" * 5000])  # fmt: skip
def test_a_mobile_that_is_not_a_french_number_is_refused(client_for, coordinator, mobile,
                                                         home_cpts):  # fmt: skip
    response = client_for(coordinator).post(_url("contact_new"), {**VALID, "mobile": mobile})
    assert response.status_code == 400
    assert "Numéro de téléphone invalide" in text(response) or (
        "caractères" in text(response))  # fmt: skip
    assert not Contact.objects.filter(cpts=home_cpts).exists()


@pytest.mark.parametrize("field, value, message", [
    ("email", "pas-une-adresse", "Adresse e-mail invalide"),
    ("commune", "Atlantide", "commune"),
    ("skills", ["juggling"], "Compétence inconnue"),
    ("category", "member", "Catégorie inconnue"),
    ("name", "", "Indiquez le nom"),
])  # fmt: skip
def test_bad_input_is_named_next_to_its_field_and_nothing_is_written(
        client_for, coordinator, home_cpts, field, value, message):  # fmt: skip
    response = client_for(coordinator).post(_url("contact_new"), {**VALID, field: value})
    assert response.status_code == 400
    assert message in text(response)
    assert not Contact.objects.filter(cpts=home_cpts).exists()


def test_editing_a_contact_replaces_its_skills_and_archiving_removes_it_from_alerts(
        client_for, coordinator, home_cpts):  # fmt: skip
    client = client_for(coordinator)
    client.post(_url("contact_new"), VALID)
    contact = Contact.objects.get(cpts=home_cpts)
    assert client.get(_url("contact", contact.public_id)).status_code == 200
    response = client.post(
        _url("contact", contact.public_id), {**VALID, "skills": ["nrbc"], "in_cell": ""}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert list(contact.skills.values_list("code", flat=True)) == ["nrbc"]
    assert not contact.in_cell and contact.cell_role == ""
    response = client.post(_url("contact_archive", contact.public_id), follow=True)
    assert "Contact archivé : Urgences CH" in text(response)
    contact.refresh_from_db()
    assert contact.archived_at is not None
    assert "Urgences CH" not in text(client.get(_url("contacts")))


@pytest.fixture
def hostile(home_cpts):
    contact = Contact.objects.create(cpts=home_cpts, category="town_hall",
                                     name='=HYPERLINK("http://x","clic")',
                                     organisation="@SUM(A1)", mobile="+33612345678",
                                     email="maire@four.fr", notes="-2+3")  # fmt: skip
    ContactSkill.objects.create(contact=contact, code="logistics")
    Contact.objects.create(cpts=home_cpts, category="ars", name="Délégation ARS",
                           email="ars@ex.fr")  # fmt: skip
    return contact


def test_the_csv_neutralises_formulas_and_writes_mobiles_in_full(client_for, coordinator,
                                                                 hostile):  # fmt: skip
    response = client_for(coordinator).get(_url("contacts_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Catégorie", "Nom"]
    row = next(r for r in rows if "HYPERLINK" in r[1])
    assert row[1].startswith("'=") and row[2] == "'@SUM(A1)" and row[-1] == "'-2+3"
    assert row[9] == "06 12 34 56 78" and row[10] == "maire@four.fr"
    assert row[8] == "Logistique"
    assert AuditEvent.objects.filter(action="crisis.contacts_export").exists()


def test_the_printable_sheet_lists_everyone_by_category_then_name_with_full_channels(
        client_for, coordinator, hostile):  # fmt: skip
    response = client_for(coordinator).get(_url("contacts_print"))
    body = text(response)
    assert response.status_code == 200
    assert "Imprimé le" in body and "06 12 34 56 78" in body and "maire@four.fr" in body
    # Categories in the order of the tree (ars before town_hall), each a heading.
    assert body.index("Délégation de l'ARS") < body.index("Mairie / CCAS")
    assert "<script" not in body.split("<main", 1)[1].replace('<script type="application', "")


def test_the_page_shows_the_last_test_and_who_did_not_acknowledge(client_for, coordinator,
                                                                  home_cpts, hostile):  # fmt: skip
    ars = Contact.objects.get(cpts=home_cpts, name="Délégation ARS")
    old = Alert.objects.create(cpts=home_cpts, is_test=True, message="TEST – ancien")
    Alert.objects.filter(pk=old.pk).update(created_at="2025-01-01T10:00Z")
    alert = Alert.objects.create(cpts=home_cpts, is_test=True, message="TEST – arbre")
    answered = Notification.objects.create(
        cpts=home_cpts, kind="crisis.alert", subject="t", body="t", answered_at="2026-01-02T10:00Z"
    )
    pending = Notification.objects.create(
        cpts=home_cpts, kind="crisis.alert", subject="t", body="t"
    )
    AlertRecipient.objects.create(alert=alert, contact=ars, notification=answered)
    AlertRecipient.objects.create(alert=alert, contact=hostile, notification=pending)
    AlertRecipient.objects.create(alert=old, contact=ars)
    body = text(client_for(coordinator).get(_url("contacts")))
    section = body.split('id="test-title"', 1)[1].split("</section>", 1)[0]
    assert "2 contacts alertés" in section and "1 n'a pas accusé réception" in section
    assert "HYPERLINK" in section and "Délégation ARS" not in section


def test_without_a_test_the_page_says_so(client_for, coordinator):
    body = text(client_for(coordinator).get(_url("contacts")))
    assert "Aucun test n'a encore été fait" in body


def test_the_board_reads_the_tree_without_editing_it(client_for, board_member, hostile):
    client = client_for(board_member)
    body = text(client.get(_url("contacts")))
    assert "Délégation ARS" in body and "Ajouter les membres" not in body
    assert _url("contact", hostile.public_id) not in body and "test-title" not in body
    assert client.get(_url("contacts_print")).status_code == 200
    assert client.get(_url("contact", hostile.public_id)).status_code == 404
    assert client.get(_url("contact_new")).status_code == 404


@pytest.mark.parametrize("persona", ["nurse", "gp", "partner", "regulator"])
def test_professionals_and_partners_do_not_see_the_tree(request, client_for, persona, hostile):
    client = client_for(request.getfixturevalue(persona))
    for name in ("contacts", "contacts_print", "contacts_csv", "contact_new"):
        assert client.get(_url(name)).status_code == 404
    assert client.post(_url("contact_archive", hostile.public_id)).status_code == 404
    hostile.refresh_from_db()
    assert hostile.archived_at is None


def test_another_cpts_contact_is_a_404(client_for, outsider, coordinator, other_cpts, hostile):
    theirs = Contact.objects.create(cpts=other_cpts, name="Leur mairie", email="m@ex.fr")
    client = client_for(coordinator)
    assert client.get(_url("contact", theirs.public_id)).status_code == 404
    assert client.post(_url("contact_archive", theirs.public_id)).status_code == 404
    assert client.get(_url("contact", "pas-un-uuid")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None
    # And the other coordinator sees nothing of ours.
    other = reverse("crisis:contacts", args=["vals-du-dauphine"])
    assert "Délégation ARS" not in text(client_for(outsider).get(other))
    assert client_for(outsider).get(_url("contacts")).status_code == 404
