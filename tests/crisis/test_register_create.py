"""Registering a person: consent required (a date not in the future, and who gave it), at
least one criterion, a referent picked by name, the patient's commune by default; a
patient already registered is refused with a link to the registration."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent, Membership
from maillage.crisis import vulnerable
from maillage.crisis.models import VulnerablePerson
from tests.conftest import HOME
from tests.crisis.register_fixtures import membership, person, register

pytestmark = pytest.mark.django_db


def _post(client, patient, referent_membership, **overrides):
    data = {"patient": str(patient.public_id), "patient_search": "",
            "consent_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "consent_by": "person", "criteria": ["home_oxygen", "insulin"],
            "referent": str(referent_membership.public_id), "referent_search": "",
            "commune": "", "notes": "Clé chez la voisine"}  # fmt: skip
    data.update(overrides)
    return client.post(reverse("crisis:register_new", args=[HOME]), data)


def test_the_coordination_registers_a_patient_with_consent_criteria_and_referent(
        home_cpts, coordinator, gp, client_for):
    patient = person(home_cpts, coordinator, "Ferronnière")
    response = _post(client_for(coordinator), patient, membership(gp, home_cpts))
    assert response.status_code == 302
    registered = VulnerablePerson.objects.get(patient=patient)
    assert registered.referent == gp and registered.commune == patient.commune
    assert sorted(registered.criteria.values_list("code", flat=True)) == ["home_oxygen",
                                                                           "insulin"]
    assert registered.consent_recorded_by == coordinator
    assert AuditEvent.objects.filter(action="crisis.register_create",
                                     patient=patient.public_id).count() == 1


def test_without_consent_the_person_cannot_be_registered(home_cpts, coordinator, gp,
                                                         client_for):
    patient = person(home_cpts, coordinator, "Sansaccord")
    response = _post(client_for(coordinator), patient, membership(gp, home_cpts),
                     consent_on="", consent_by="")
    assert response.status_code == 400
    assert vulnerable.NO_CONSENT in response.content.decode()
    assert not VulnerablePerson.objects.filter(patient=patient).exists()


def test_a_consent_date_in_the_future_is_refused(home_cpts, coordinator, gp, client_for):
    patient = person(home_cpts, coordinator, "Demain")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _post(client_for(coordinator), patient, membership(gp, home_cpts),
                     consent_on=tomorrow)
    assert response.status_code == 400
    assert "dans le futur" in response.content.decode()
    assert not VulnerablePerson.objects.filter(patient=patient).exists()


def test_at_least_one_criterion_is_required(home_cpts, coordinator, gp, client_for):
    patient = person(home_cpts, coordinator, "Sanscritere")
    response = _post(client_for(coordinator), patient, membership(gp, home_cpts), criteria=[])
    assert response.status_code == 400
    assert "au moins un critère" in response.content.decode()


def test_a_patient_already_registered_is_refused_with_a_link(home_cpts, coordinator, gp,
                                                             client_for):
    patient = person(home_cpts, coordinator, "Deuxfois")
    registered = register(home_cpts, coordinator, patient, gp)
    response = _post(client_for(coordinator), patient, membership(gp, home_cpts))
    body = response.content.decode()
    assert response.status_code == 400 and "déjà inscrit" in body
    assert reverse("crisis:register_person", args=[HOME, registered.public_id]) in body
    assert VulnerablePerson.objects.filter(patient=patient).count() == 1


def test_the_referent_must_be_a_professional_or_the_coordination(home_cpts, coordinator,
                                                                 regulator):
    patient = person(home_cpts, coordinator, "Regulee")
    with pytest.raises(ValidationError) as caught:
        register(home_cpts, coordinator, patient, regulator)
    assert "referent" in caught.value.message_dict


def test_a_professional_registers_a_patient_they_follow_and_is_proposed_as_referent(
        home_cpts, coordinator, gp, client_for):
    from maillage.patients.access import grant_access

    patient = person(home_cpts, coordinator, "Suivie")
    grant_access(patient=patient, user=gp, reason="test")
    client = client_for(gp)
    page = client.get(reverse("crisis:register_new", args=[HOME])).content.decode()
    assert str(membership(gp, home_cpts).public_id) in page
    assert _post(client, patient, membership(gp, home_cpts)).status_code == 302


def test_a_professional_cannot_register_a_patient_they_do_not_follow(home_cpts, coordinator,
                                                                     gp, client_for):
    patient = person(home_cpts, coordinator, "Inconnue")
    response = _post(client_for(gp), patient, membership(gp, home_cpts))
    assert response.status_code == 400
    assert not VulnerablePerson.objects.filter(patient=patient).exists()


def test_the_person_page_updates_criteria_and_referent(home_cpts, coordinator, gp, nurse,
                                                       client_for):
    registered = register(home_cpts, coordinator, person(home_cpts, coordinator, "Modifiee"),
                          gp)  # fmt: skip
    response = client_for(coordinator).post(
        reverse("crisis:register_person", args=[HOME, registered.public_id]),
        {"consent_on": registered.consent_on.isoformat(), "consent_by": "third_party",
         "criteria": ["dialysis"], "referent": str(membership(nurse, home_cpts).public_id),
         "commune": "38053", "notes": ""})  # fmt: skip
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.referent == nurse and registered.consent_by == "third_party"
    assert list(registered.criteria.values_list("code", flat=True)) == ["dialysis"]


def test_the_person_page_shows_the_registration_ready_to_correct(home_cpts, coordinator, gp,
                                                                client_for):
    registered = register(home_cpts, coordinator, person(home_cpts, coordinator, "Relue"), gp)
    body = client_for(gp).get(reverse("crisis:register_person",
                                      args=[HOME, registered.public_id])).content.decode()
    assert f'value="{registered.consent_on.isoformat()}"' in body
    assert re.search(r'value="home_oxygen"[^>]*checked', body)
    assert not re.search(r'value="dialysis"[^>]*checked', body)


def test_the_criteria_catalogue_has_codes_and_french_labels():
    assert len(vulnerable.CRITERIA) >= 10
    for code in ("age65_isolated", "home_oxygen", "dialysis", "insulin", "heavy_dependency",
                 "disability", "age60_unfit", "social_isolation", "high_risk_pregnancy",
                 "child_special_needs"):
        assert vulnerable.CRITERIA[code]


@settings(max_examples=40, deadline=None)
@given(consent_on=st.one_of(st.none(), st.dates(datetime.date(1900, 1, 1),
                                                datetime.date(2100, 1, 1))),
       consent_by=st.text(max_size=12), criteria=st.lists(st.text(max_size=20), max_size=4))
def test_the_consent_check_accepts_only_a_past_date_a_known_giver_and_known_criteria(
        consent_on, consent_by, criteria):
    referent = Membership(role="professional")
    errors = vulnerable._check(consent_on=consent_on, consent_by=consent_by,
                               criteria=criteria, referent_membership=referent)  # fmt: skip
    valid = (consent_on is not None and datetime.date(2000, 1, 1) <= consent_on
             <= timezone.localdate() and consent_by in ("person", "third_party")
             and criteria and all(c in vulnerable.CRITERIA for c in criteria))  # fmt: skip
    assert (errors == {}) == bool(valid)
