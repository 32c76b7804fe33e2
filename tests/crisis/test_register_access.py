"""Need-to-know on the vulnerable register: the coordination sees everyone, a referent
their own people, anyone else nothing (404); every person shown is audited."""

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.crisis import vulnerable
from tests.conftest import HOME, OTHER
from tests.crisis.register_fixtures import person, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(home_cpts, coordinator, gp, nurse):
    mine = register(home_cpts, coordinator, person(home_cpts, coordinator, "Aubergiste"), gp)
    theirs = register(home_cpts, coordinator, person(home_cpts, coordinator, "Bouquiniste"),
                      nurse, criteria=("dialysis",))  # fmt: skip
    return mine, theirs


def _list(client):
    return client.get(reverse("crisis:register", args=[HOME]))


def _detail(client, registered, slug=HOME):
    return client.get(reverse("crisis:register_person", args=[slug, registered.public_id]))


def test_the_coordination_sees_the_whole_register_and_each_person_is_audited(
        people, client_for, coordinator):
    mine, theirs = people
    response = _list(client_for(coordinator))
    body = response.content.decode()
    assert response.status_code == 200
    assert "AUBERGISTE" in body and "BOUQUINISTE" in body
    for registered in people:
        assert AuditEvent.objects.filter(actor=coordinator, action="crisis.register_list",
                                         patient=registered.patient.public_id).count() == 1


def test_a_referent_sees_only_the_people_they_are_the_referent_of(people, client_for, gp):
    mine, theirs = people
    body = _list(client_for(gp)).content.decode()
    assert "AUBERGISTE" in body and "BOUQUINISTE" not in body
    assert AuditEvent.objects.filter(actor=gp, action="crisis.register_list",
                                     patient=mine.patient.public_id).exists()
    assert not AuditEvent.objects.filter(actor=gp, patient=theirs.patient.public_id).exists()
    assert _detail(client_for(gp), mine).status_code == 200
    assert _detail(client_for(gp), theirs).status_code == 404


def test_the_detail_page_writes_one_audit_row_naming_the_patient(people, client_for, gp):
    mine, _ = people
    _detail(client_for(gp), mine)
    assert AuditEvent.objects.filter(actor=gp, action="crisis.register_read",
                                     patient=mine.patient.public_id).count() == 1


@pytest.mark.parametrize("role", ["pharmacist", "nurse", "regulator", "partner",
                                  "board_member", "outsider"])
def test_anyone_but_the_referent_and_the_coordination_gets_404(people, client_for, request,
                                                               role):
    mine, _ = people
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert _detail(client, mine).status_code == 404
    assert not AuditEvent.objects.filter(actor=user, patient=mine.patient.public_id).exists()


@pytest.mark.parametrize("role", ["regulator", "partner", "board_member", "outsider"])
def test_roles_without_the_register_permission_get_404_on_the_list(people, client_for,
                                                                   request, role):
    assert _list(client_for(request.getfixturevalue(role))).status_code == 404


def test_another_cpts_person_is_404_even_for_a_coordinator(people, client_for, outsider,
                                                           coordinator):
    mine, _ = people
    assert _detail(client_for(outsider), mine, slug=OTHER).status_code == 404
    # And the home coordination cannot reach it through the other CPTS's address.
    assert _detail(client_for(coordinator), mine, slug=OTHER).status_code == 404


def test_register_pages_are_never_stored_by_a_cache(people, client_for, coordinator):
    client = client_for(coordinator)
    assert "no-store" in _list(client)["Cache-Control"]
    assert "no-store" in _detail(client, people[0])["Cache-Control"]


def test_filters_by_commune_and_criterion_and_count(people, client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("crisis:register", args=[HOME])
    body = client.get(url, {"critere": "dialysis"}).content.decode()
    assert "BOUQUINISTE" in body and "AUBERGISTE" not in body
    assert "<strong>1</strong> personne inscrite" in body
    body = client.get(url, {"commune": "38053"}).content.decode()
    assert "<strong>2</strong> personnes inscrites" in body


def test_the_page_says_it_complements_the_mayors_register_and_is_never_merged(
        people, client_for, coordinator):
    body = _list(client_for(coordinator)).content.decode()
    assert "décret 2004-926" in body and "jamais fusionné" in body


def test_a_withdrawn_person_leaves_the_lists_but_stays_in_the_audit_trail(
        people, client_for, coordinator, gp):
    mine, _ = people
    client = client_for(gp)
    response = client.post(reverse("crisis:register_archive", args=[HOME, mine.public_id]),
                           {"confirm": "1", "reason": "Déménage"})  # fmt: skip
    assert response.status_code == 302
    assert "AUBERGISTE" not in _list(client_for(coordinator)).content.decode()
    assert _detail(client, mine).status_code == 404
    assert AuditEvent.objects.filter(action="crisis.register_archive",
                                     patient=mine.patient.public_id).exists()
    assert AuditEvent.objects.filter(action="crisis.register_create",
                                     patient=mine.patient.public_id).exists()


def test_the_csv_export_is_the_coordinations_audited_and_neutralised(
        home_cpts, coordinator, gp, client_for):
    hostile = person(home_cpts, coordinator, "Formule")
    register(home_cpts, coordinator, hostile, gp, notes="=HYPERLINK(\"http://x\")")
    response = client_for(coordinator).get(reverse("crisis:register_export", args=[HOME]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    text = response.content.decode("utf-8-sig")
    assert "FORMULE" in text and "'=HYPERLINK" in text
    assert AuditEvent.objects.filter(actor=coordinator, action="crisis.register_export",
                                     patient=hostile.public_id).count() == 1
    assert client_for(gp).get(reverse("crisis:register_export", args=[HOME])).status_code == 404


def test_the_referent_is_granted_need_to_know_on_the_patient_and_loses_it_on_withdrawal(
        home_cpts, coordinator, pharmacist):
    from maillage.crisis.views.register import register_visible_to  # noqa: F401
    from maillage.patients.access import patients_visible_to
    from tests.crisis.register_fixtures import membership

    patient = person(home_cpts, coordinator, "Chapelière")
    registered = register(home_cpts, coordinator, patient, pharmacist)
    pharmacy = membership(pharmacist, home_cpts)
    assert patients_visible_to(pharmacy).filter(pk=patient.pk).exists()
    vulnerable.register_archive(person=registered, actor=coordinator)
    assert not patients_visible_to(pharmacy).filter(pk=patient.pk).exists()
