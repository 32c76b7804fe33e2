"""The CPTS's FINESS and phone (sent to the SAS): validation, editing by the coordination
on the territory page, the warning while the FINESS is missing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import AuditEvent, Cpts, cpts_finess_validator
from maillage.demo.builder import DEMO_CPTS
from maillage.territory.forms import CptsIdentityForm
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
PAGE = reverse("territory:territory", args=[HOME])
EDIT = reverse("territory:identity", args=[HOME])


@pytest.mark.parametrize("value", ["380012344", "2A0000014", "9J0000005"])
def test_valid_finess_numbers_pass(value):
    cpts_finess_validator(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("380012345", "finess_key"),  # check digit off by one
        ("38001234", "finess_format"),  # 8 characters
        ("990012344", "finess_format"),  # no such département
        ("38A012344", "finess_format"),
    ],
)
def test_bad_finess_numbers_are_refused(value, code):
    with pytest.raises(ValidationError) as raised:
        cpts_finess_validator(value)
    assert raised.value.code == code


def test_the_model_refuses_a_bad_finess_key_or_phone(home_cpts):
    home_cpts.finess, home_cpts.phone = "380012345", "12345"
    with pytest.raises(ValidationError) as raised:
        home_cpts.full_clean()
    assert set(raised.value.message_dict) == {"finess", "phone"}


def test_form_normalises_finess_and_phone():
    form = CptsIdentityForm({"finess": " 38 001 234 4 ", "phone": "04 74 28 00 00"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"finess": "380012344", "phone": "+33474280000"}
    empty = CptsIdentityForm({"finess": "", "phone": ""})
    assert empty.is_valid()
    assert empty.cleaned_data == {"finess": "", "phone": ""}


def test_the_demo_cpts_have_valid_finess_and_phone():
    for spec in DEMO_CPTS:
        cpts = Cpts.objects.get(slug=spec.slug)
        assert cpts.finess and cpts.phone.startswith("+33")
        cpts.full_clean()


def test_coordinator_saves_finess_and_phone(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    response = client.post(EDIT, {"finess": "380045674", "phone": "04 74 93 12 34"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    home_cpts.refresh_from_db()
    assert (home_cpts.finess, home_cpts.phone) == ("380045674", "+33474931234")
    event = AuditEvent.objects.filter(action="cpts.identity", cpts=home_cpts).latest("pk")
    assert event.actor == coordinator
    assert event.detail["after"] == {"finess": "380045674", "phone": "+33474931234"}
    page = text(client.get(PAGE))
    assert "Enregistrés" in page or "enregistrés" in page
    assert "Numéro FINESS manquant" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"finess": "380012345", "phone": ""}, "chiffre de contrôle du numéro FINESS"),
        ({"finess": "3800123", "phone": ""}, "Le numéro FINESS doit comporter 9 caractères"),
        ({"finess": "380012344", "phone": "01 23"}, "Numéro de téléphone invalide"),
        ({"finess": "380012344", "phone": "+44 20 7946 0958"}, "seuls les numéros français"),
    ],
)
def test_bad_input_is_a_400_naming_the_problem(client_for, coordinator, home_cpts, data, message):
    before = (home_cpts.finess, home_cpts.phone)
    response = client_for(coordinator).post(EDIT, data)
    assert response.status_code == 400
    assert message in text(response)
    assert 'role="alert"' in response.content.decode()
    home_cpts.refresh_from_db()
    assert (home_cpts.finess, home_cpts.phone) == before
    assert not AuditEvent.objects.filter(action="cpts.identity").exists()


def test_without_finess_the_coordinator_is_warned(client_for, coordinator, home_cpts):
    home_cpts.finess = ""
    home_cpts.save()
    page = client_for(coordinator).get(PAGE)
    body = page.content.decode()
    assert 'id="finess-warning"' in body
    assert "Numéro FINESS manquant" in text(page)
    # Labelled fields, tied to their help text.
    assert '<label for="id_finess">Numéro FINESS de la CPTS</label>' in body
    assert '<label for="id_phone">Téléphone de la CPTS</label>' in body
    assert 'aria-describedby="id_finess_helptext"' in body
    assert 'id="id_finess_helptext"' in body


def test_coordinator_may_clear_the_finess(client_for, coordinator, home_cpts):
    client = client_for(coordinator)
    assert client.post(EDIT, {"finess": "", "phone": ""}).status_code == 302
    home_cpts.refresh_from_db()
    assert (home_cpts.finess, home_cpts.phone) == ("", "")
    assert "Numéro FINESS manquant" in text(client.get(PAGE))


@pytest.mark.parametrize("persona", ["gp", "regulator", "partner", "board_member"])
def test_only_the_coordination_edits_them(client_for, request, home_cpts, persona):
    before = (home_cpts.finess, home_cpts.phone)
    client = client_for(request.getfixturevalue(persona))
    response = client.post(EDIT, {"finess": "380045674", "phone": "0474931234"})
    assert response.status_code == 404  # as every other change of the territory page
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "La CPTS pour le SAS" not in text(page)
    home_cpts.refresh_from_db()
    assert (home_cpts.finess, home_cpts.phone) == before


def test_the_coordinator_of_another_cpts_cannot_edit_them(client_for, outsider, home_cpts):
    before = (home_cpts.finess, home_cpts.phone)
    response = client_for(outsider).post(EDIT, {"finess": "380045674", "phone": ""})
    assert response.status_code == 404
    home_cpts.refresh_from_db()
    assert (home_cpts.finess, home_cpts.phone) == before


def test_anonymous_is_sent_to_login_and_get_is_refused(client, client_for, coordinator):
    response = client.post(EDIT, {"finess": "380045674"})
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]
    assert client_for(coordinator).get(EDIT).status_code == 405
