"""A care-team member whose account is linked to no directory entry gets no task of their
profession: the enrolment page says so, and the coordination links the account to the
entry there. The "Médecin traitant" choice offers general practitioners only."""

import re

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.directory.models import DirectoryEntry, Professional
from maillage.pathways import services
from maillage.pathways.models import Task

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def url(name, *args):
    return reverse(f"pathways:{name}", args=[HOME, *args])


@pytest.fixture
def nurse_entry(home_cpts, nurse):
    """A nurse of the directory bearing the nurse's last name, free of any account."""
    DirectoryEntry.objects.filter(cpts=home_cpts, account=nurse).delete()
    professional = Professional.objects.filter(profession_code="60", owner__isnull=True).first()
    nurse.last_name = professional.last_name
    nurse.save(update_fields=["last_name"])
    DirectoryEntry.objects.filter(cpts=home_cpts, professional=professional).update(account=None)
    return professional


def test_the_enrolment_page_says_which_member_is_not_linked(client_for, coordinator, nurse,
                                                            enrolment, nurse_entry):  # fmt: skip
    page = client_for(coordinator).get(url("enrolment", enrolment.public_id)).content.decode()
    assert "Membres de l'équipe sans fiche de l'annuaire" in page
    start = page.index("unlinked-title")
    section = page[start:page.index("</section>", start)]
    assert nurse.get_full_name() in section
    assert "Relier le compte à cette fiche" in section
    assert str(nurse_entry.public_id) in section


def test_a_team_member_sees_the_warning_without_the_link_form(client_for, gp, nurse, enrolment,
                                                               nurse_entry):  # fmt: skip
    page = client_for(gp).get(url("enrolment", enrolment.public_id)).content.decode()
    assert "n'est relié(e) à aucune fiche de l'annuaire" in page
    assert "Relier le compte à cette fiche" not in page
    response = client_for(gp).post(url("link_account", enrolment.public_id),
                                   {"member": str(nurse.public_id),
                                    "professional": str(nurse_entry.public_id)})  # fmt: skip
    assert response.status_code == 404
    assert not DirectoryEntry.objects.filter(account=nurse).exists()


def test_the_coordinator_links_the_account_and_the_nurse_gets_her_tasks(
    client_for, coordinator, nurse, gp, enrolment, nurse_entry, home_cpts, patient, diabetes
):
    response = client_for(coordinator).post(url("link_account", enrolment.public_id),
                                            {"member": str(nurse.public_id),
                                             "professional": str(nurse_entry.public_id)})
    assert response.status_code == 302
    assert DirectoryEntry.objects.get(cpts=home_cpts, professional=nurse_entry).account == nurse
    assert AuditEvent.objects.filter(action="directory.account_link", actor=coordinator).exists()
    page = client_for(coordinator).get(url("enrolment", enrolment.public_id)).content.decode()
    assert "Membres de l'équipe sans fiche de l'annuaire" not in page
    # A nursing step now goes to her.
    assert services.default_assignee(enrolment, "60") == nurse.pk


def test_a_professional_outside_the_candidates_is_not_linked(client_for, coordinator, nurse,
                                                             enrolment, nurse_entry):  # fmt: skip
    other = Professional.objects.filter(profession_code="10").exclude(
        last_name=nurse.last_name).first()  # fmt: skip
    client_for(coordinator).post(url("link_account", enrolment.public_id),
                                 {"member": str(nurse.public_id),
                                  "professional": str(other.public_id)})  # fmt: skip
    assert not DirectoryEntry.objects.filter(account=nurse).exists()


def test_the_attending_gp_choice_offers_general_practitioners_only(client_for, coordinator, gp,
                                                                   nurse, pharmacist, enrolment):
    client = client_for(coordinator)
    page = client.get(url("enrolment", enrolment.public_id)).content.decode()
    suggest = re.search(r'hx-get="([^"?]*)\?scope=gps&amp;field=attending_gp_search"', page)
    for person, offered in ((gp, True), (nurse, False), (pharmacist, False)):
        options = client.get(suggest.group(1), {"scope": "gps", "field": "attending_gp_search",
                                                "attending_gp_search": person.last_name}).content
        assert (person.last_name in options.decode()) is offered
    response = client_for(coordinator).post(url("attending_gp", enrolment.public_id),
                                            {"attending_gp": str(nurse.public_id)})
    assert response.status_code == 400
    assert "Choisissez un médecin généraliste" in response.content.decode()
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp_id is None


def test_tasks_of_an_unlinked_profession_go_to_the_referent(enrolment, gp, nurse_entry):
    assert services.default_assignee(enrolment, "60") == gp.pk
    assert Task.objects.filter(enrolment=enrolment).exists()
