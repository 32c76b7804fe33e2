"""« Ajouter les membres de la CPTS »: one contact per member with an account, filled from
the account and the directory entry, idempotent, never overwriting what the coordinator
changed by hand; members who left get their contact archived."""

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import permissions
from maillage.core.models import AuditEvent, Membership
from maillage.crisis import contacts
from maillage.crisis.models import Contact
from maillage.directory.models import DirectoryEntry
from maillage.territory.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_tree(db):
    """Start from an empty tree, whatever the demo built."""
    Contact.objects.all().delete()


def _sync(cpts, actor):
    return contacts.sync_members(cpts=cpts, actor=actor)


def test_every_active_member_gets_one_member_contact(home_cpts, coordinator):
    result = _sync(home_cpts, coordinator)
    # The CPTS's own people: a funder (CPAM, ARS) is not in the alert tree.
    members = (Membership.objects.active().filter(cpts=home_cpts)
               .with_permission(permissions.member).count())  # fmt: skip
    assert result.created == members
    rows = Contact.objects.filter(cpts=home_cpts)
    assert rows.count() == members and set(rows.values_list("category", flat=True)) == {"member"}
    mine = rows.get(account=coordinator)
    assert mine.email == coordinator.email and mine.name == coordinator.get_full_name()
    assert AuditEvent.objects.filter(action="crisis.contacts_sync", actor=coordinator).exists()


def test_a_member_in_the_directory_gets_profession_phone_and_commune(home_cpts, coordinator,
                                                                     nurse):  # fmt: skip
    entry = DirectoryEntry.objects.select_related("professional").get(cpts=home_cpts, account=nurse)
    entry.phone = "06 12 34 56 78"
    entry.save()
    _sync(home_cpts, coordinator)
    contact = Contact.objects.get(cpts=home_cpts, account=nurse)
    assert contact.profession_code == entry.professional.profession_code
    assert contact.mobile == "+33612345678"
    site = entry.professional.sites.exclude(commune=None).first()
    assert contact.commune_id == site.commune_id


def test_syncing_again_changes_nothing(home_cpts, coordinator):
    first = _sync(home_cpts, coordinator)
    second = _sync(home_cpts, coordinator)
    assert second.created == second.updated == second.archived == 0
    assert second.unchanged == first.created
    assert Contact.objects.filter(cpts=home_cpts).count() == first.created


def test_a_changed_account_is_followed_by_the_next_sync(home_cpts, coordinator, gp):
    _sync(home_cpts, coordinator)
    gp.last_name = "Nouveaunom"
    gp.save()
    result = _sync(home_cpts, coordinator)
    assert result.updated == 1
    assert Contact.objects.get(account=gp).name.endswith("Nouveaunom")


def test_fields_edited_by_hand_are_never_overwritten(home_cpts, coordinator, gp):
    _sync(home_cpts, coordinator)
    contact = Contact.objects.get(account=gp)
    data = {f: getattr(contact, f) for f in contacts.CONTACT_FIELDS}
    data.update(mobile="+33699887766", plan_role="Référent vaccination")
    contacts.contact_save(cpts=home_cpts, actor=coordinator, data=data, skills=["vaccinator"],
                          contact=contact)  # fmt: skip
    contact.refresh_from_db()
    assert contact.hand_edited == ["mobile"]
    gp.email = "nouvelle.adresse@exemple.fr"
    gp.save()
    entry = DirectoryEntry.objects.get(cpts=home_cpts, account=gp)
    entry.phone = "0611111111"
    entry.save()
    _sync(home_cpts, coordinator)
    contact.refresh_from_db()
    assert contact.mobile == "+33699887766"  # kept: edited by hand
    assert contact.email == "nouvelle.adresse@exemple.fr"  # followed: not edited
    assert contact.plan_role == "Référent vaccination"
    assert list(contact.skills.values_list("code", flat=True)) == ["vaccinator"]
    assert contact.category == "member"


def test_a_member_who_left_gets_their_contact_archived_and_back_when_they_return(
        home_cpts, coordinator, pharmacist):  # fmt: skip
    _sync(home_cpts, coordinator)
    membership = Membership.objects.get(cpts=home_cpts, user=pharmacist)
    membership.archived_at = timezone.now()
    membership.save()
    result = _sync(home_cpts, coordinator)
    assert result.archived == 1
    contact = Contact.objects.get(account=pharmacist)
    assert contact.archived_at is not None
    assert pharmacist.pk not in contacts.recipients_for(home_cpts, ["all"]).values_list(
        "account", flat=True)  # fmt: skip
    membership.archived_at = None
    membership.save()
    _sync(home_cpts, coordinator)
    contact.refresh_from_db()
    assert contact.archived_at is None


def test_a_contact_archived_by_hand_stays_archived(home_cpts, coordinator, regulator):
    _sync(home_cpts, coordinator)
    contact = Contact.objects.get(account=regulator)
    contacts.contact_archive(contact=contact, actor=coordinator)
    _sync(home_cpts, coordinator)
    contact.refresh_from_db()
    assert contact.archived_at is not None


def test_the_sync_touches_only_its_own_cpts(home_cpts, other_cpts, coordinator, outsider):
    _sync(home_cpts, coordinator)
    assert not Contact.objects.filter(cpts=other_cpts).exists()
    assert not Contact.objects.filter(cpts=home_cpts, account=outsider).exists()


def test_an_unusable_directory_phone_is_left_out(home_cpts, coordinator, nurse):
    DirectoryEntry.objects.filter(cpts=home_cpts, account=nurse).update(phone="=1+2")
    DirectoryEntry.objects.get(cpts=home_cpts, account=nurse).professional.sites.update(
        phone="pas de numéro")  # fmt: skip
    _sync(home_cpts, coordinator)
    assert Contact.objects.get(account=nurse).mobile == ""


def test_the_button_syncs_and_says_what_it_did(home_cpts, client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("crisis:contacts_sync", args=["pays-berjalliens"])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "contacts ajoutés" in response.content.decode()
    assert client.get(url).status_code == 405
    assert Contact.objects.filter(cpts=home_cpts).exists()


def test_only_the_coordination_syncs(home_cpts, client_for, board_member, nurse):
    url = reverse("crisis:contacts_sync", args=["pays-berjalliens"])
    for person in (board_member, nurse):
        assert client_for(person).post(url).status_code == 404
    assert not Contact.objects.filter(cpts=home_cpts).exists()


def test_a_commune_edited_by_hand_survives(home_cpts, coordinator, nurse):
    _sync(home_cpts, coordinator)
    contact = Contact.objects.get(account=nurse)
    data = {f: getattr(contact, f) for f in contacts.CONTACT_FIELDS}
    data["commune"] = Commune.objects.get(code="38169")
    contacts.contact_save(cpts=home_cpts, actor=coordinator, data=data, skills=[],
                          contact=contact)  # fmt: skip
    _sync(home_cpts, coordinator)
    contact.refresh_from_db()
    assert contact.commune.code == "38169" and contact.hand_edited == ["commune"]
