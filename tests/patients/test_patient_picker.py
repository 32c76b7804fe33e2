"""A patient is picked by name (or birth date, or NIR) with suggestions as one types, over
the patients the caller may see; every patient a suggestion names leaves an audit row;
no list is cut at N: the search narrows instead."""

import pytest
from django import forms
from django.urls import reverse

from maillage.core.models import AuditEvent, Membership
from maillage.patients.access import grant_access
from maillage.patients.pickers import PatientPickerField
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
URL = reverse("patients:suggestions", args=[HOME])


def _patient(home_cpts, coordinator, name, first="Hélène", born="1955-03-14", **extra):
    return patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                          allow_duplicate=True,
                          data={"birth_name": name, "first_names": first, "birth_date": born,
                                "sex": "F", "commune": "38053", **extra})  # fmt: skip


@pytest.fixture
def helene(home_cpts, coordinator):
    return _patient(home_cpts, coordinator, "Lefèvre", nir="255033805300168")


def _membership(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def _form(membership):
    field = PatientPickerField(membership=membership, label="Patient")
    return type("Pick", (forms.Form,), {"patient": field})


def test_suggestions_name_the_patients_typed_and_audit_each_one(client_for, coordinator,
                                                                 helene):  # fmt: skip
    response = client_for(coordinator).get(URL, {"field": "q", "q": "lefevre hel"})
    assert response.status_code == 200
    body = text(response)
    assert f'data-id="{helene.public_id}"' in body and "LEFÈVRE Hélène" in body
    shown = AuditEvent.objects.filter(patient=helene.public_id, action="patient.list",
                                      actor=coordinator)  # fmt: skip
    assert shown.filter(detail__via="patients.picker").count() == 1


def test_a_professional_is_offered_only_the_patients_they_follow(client_for, gp, helene):
    client = client_for(gp)
    assert "data-id" not in text(client.get(URL, {"q": "lefevre"}))
    grant_access(patient=helene, user=gp, reason="test")
    assert f'data-id="{helene.public_id}"' in text(client.get(URL, {"q": "lefevre"}))


def test_the_board_and_outsiders_get_404(client_for, board_member, outsider, helene):
    assert client_for(board_member).get(URL, {"q": "lefevre"}).status_code == 404
    assert client_for(outsider).get(URL, {"q": "lefevre"}).status_code == 404


def test_no_patient_is_out_of_reach_the_search_narrows(client_for, coordinator, home_cpts):
    for i in range(12):
        _patient(home_cpts, coordinator, "Zorro", first=f"Prénom{i:02d}",
                 born=f"1960-01-{i + 1:02d}")  # fmt: skip
    client = client_for(coordinator)
    body = text(client.get(URL, {"q": "zorro"}))
    assert body.count('data-id="') == 10 and "D'autres patients correspondent" in body
    body = text(client.get(URL, {"q": "zorro 12/01/1960"}))
    assert body.count('data-id="') == 1 and "Prénom11" in body


def test_short_huge_or_nul_text_suggests_nobody(client_for, coordinator, helene):
    client = client_for(coordinator)
    for typed in ("l", "x" * 5000):
        response = client.get(URL, {"q": typed})
        assert response.status_code == 200 and "data-id" not in text(response)


def test_the_field_takes_a_chosen_id_a_name_or_a_nir(coordinator, home_cpts, helene):
    chosen_label = "LEFÈVRE Hélène, 14/03/1955"  # what a suggestion writes in the input
    by_label = _form(_membership(coordinator, home_cpts))({"patient_search": chosen_label})
    assert by_label.is_valid() and by_label.cleaned_data["patient"] == helene
    form_class = _form(_membership(coordinator, home_cpts))
    by_id = form_class({"patient": str(helene.public_id), "patient_search": "anything"})
    assert by_id.is_valid() and by_id.cleaned_data["patient"] == helene
    by_name = form_class({"patient": "", "patient_search": "Lefèvre Hélène"})
    assert by_name.is_valid() and by_name.cleaned_data["patient"] == helene
    by_nir = form_class({"patient_search": "2550338053001"})
    assert by_nir.is_valid() and by_nir.cleaned_data["patient"] == helene


def test_the_field_refuses_without_naming_anyone(gp, coordinator, home_cpts, helene):
    form_class = _form(_membership(gp, home_cpts))
    hidden = form_class({"patient": str(helene.public_id)})  # not followed by this GP
    assert not hidden.is_valid()
    assert "Aucun patient ne correspond" in hidden.errors["patient"][0]
    _patient(home_cpts, coordinator, "Lefèvre", first="Hélène", born="1970-01-01")
    several = _form(_membership(coordinator, home_cpts))({"patient_search": "lefevre helene"})
    assert not several.is_valid() and "Plusieurs patients" in several.errors["patient"][0]
    huge = form_class({"patient_search": "x" * 5000})
    assert not huge.is_valid() and "x" * 20 not in str(huge.errors)
    assert "Choisissez un patient" in form_class({}).errors["patient"][0]


def test_the_enrolment_page_offers_the_picker(client_for, coordinator, helene):
    url = reverse("pathways:enrol", args=[HOME])
    page = text(client_for(coordinator).get(url))
    assert 'role="combobox"' in page and f'hx-get="{URL}?field=q"' in page
    assert 'type="hidden" name="patient"' in page
    chosen = text(client_for(coordinator).get(url, {"q": "Lefèvre", "patient": helene.public_id}))
    assert "choisir un autre patient" in chosen
