"""Every field asking for a commune takes its name (with suggestions as one types), and
still its INSEE code: the field and widget themselves, then each form that uses them."""

import re
import time

import pytest
from django import forms
from django.core import signing
from django.urls import reverse

from maillage.directory.models import PracticeSite, Structure
from maillage.gp_access.models import GpCapacity, GpRequest
from maillage.same_day_care.models import RotaPeriod, SameDayRequest, Slot
from maillage.territory.fields import CommuneField
from maillage.territory.models import Commune
from maillage.territory.services import territory_communes
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
HUGE = "Bourgoin" * 625  # 5 000 characters


class OneCommune(forms.Form):
    commune = CommuneField(label="Commune")
    optional = CommuneField(label="Autre commune", required=False)


def _error_next_to(body: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="[\w-]*?{field}_error" role="alert">([^<]+)</p>',
                      body)  # fmt: skip
    assert found, f"no error next to {field}"
    return found.group(1)


# The field and its widget ---------------------------------------------------------------


def test_the_field_cleans_a_name_a_postal_code_or_an_insee_code_to_a_commune():
    for typed in ("bourgoin-jallieu", "Bourgoin-Jallieu (38)", "38053", "BOURGOIN JALLIEU"):
        form = OneCommune({"commune": typed})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["commune"].code == "38053"
        assert form.cleaned_data["optional"] is None
    form = OneCommune({"commune": "38000"})
    assert form.is_valid() and form.cleaned_data["commune"].name == "Grenoble"


def test_the_field_refuses_in_french_without_echoing_a_huge_value():
    form = OneCommune({"commune": HUGE, "optional": "Atlantide"})
    assert not form.is_valid()
    assert "trop longue" in form.errors["commune"][0]
    assert "BourgoinBourgoin" not in str(form.errors)
    assert "Aucune commune nommée « Atlantide »" in form.errors["optional"][0]
    assert "Indiquez la commune" in OneCommune({"commune": ""}).errors["commune"][0]


def test_the_widget_is_an_accessible_combobox_asking_htmx_for_suggestions():
    html = str(OneCommune()["commune"])
    assert 'role="combobox"' in html and 'aria-autocomplete="list"' in html
    assert 'aria-controls="id_commune-suggestions"' in html and 'aria-expanded="false"' in html
    assert 'id="id_commune-suggestions" role="listbox"' in html
    assert 'hx-get="/communes/suggestions/?field=commune"' in html
    assert 'hx-target="#id_commune-suggestions"' in html
    assert 'role="status"' in html  # the number of suggestions is announced
    assert "<script" not in html and " style=" not in html and " on" not in html.replace(
        " only", "")


def test_a_stored_insee_code_is_shown_by_name():
    html = str(OneCommune(initial={"commune": "38053"})["commune"])
    assert 'value="Bourgoin-Jallieu (38)"' in html
    html = str(OneCommune(initial={"commune": Commune.objects.get(code="38193")})["commune"])
    assert 'value="L&#x27;Isle-d&#x27;Abeau (38)"' in html


# The public médecin-traitant form ---------------------------------------------------------


def _public(commune, **extra):
    return {"birth_name": "Rivière", "first_names": "Agathe", "birth_date": "1950-02-03",
            "sex": "F", "commune": commune, "phone": "06 11 22 33 44", "consent": "on",
            "website": "", "started": signing.dumps(time.time() - 30, salt="gp-public-form"),
            **extra}  # fmt: skip


def test_a_resident_types_their_commune_by_name(client):
    url = reverse("gp_access:public", args=[HOME])
    page = text(client.get(url))
    assert 'role="combobox"' in page and "Commune de résidence" in page
    response = client.post(url, _public("st savin"))
    assert response.status_code == 200, _error_next_to(text(response), "commune")
    assert GpRequest.objects.get(patient__birth_name="Rivière").patient.commune.code == "38455"


def test_the_public_form_never_echoes_a_huge_commune(client):
    url = reverse("gp_access:public", args=[HOME])
    response = client.post(url, _public(HUGE))
    assert response.status_code == 400
    assert "trop longue" in _error_next_to(text(response), "commune")
    assert "BourgoinBourgoin" not in text(response)
    assert not GpRequest.objects.filter(patient__birth_name="Rivière").exists()


# Directory ------------------------------------------------------------------------------


def _count(body):
    return re.search(r"(\d+) professionnel\(s\)", body).group(1)


def test_the_directory_search_takes_a_commune_name(client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("directory:directory", args=[HOME])
    by_code = _count(text(client.get(url, {"profession_code": "60", "commune": "38193"})))
    by_name = text(client.get(url, {"profession_code": "60", "commune": "l'isle d'abeau"}))
    assert _count(by_name) == by_code and int(by_code) > 0
    unknown = client.get(url, {"commune": HUGE})
    assert unknown.status_code == 400
    message = _error_next_to(text(unknown), "commune")
    assert "trop longue" in message and "BourgoinBourgoin" not in message


def test_the_public_directory_takes_a_commune_name(client):
    url = reverse("directory:public", args=[HOME])
    by_code = text(client.get(url, {"commune": "38193"}))
    by_name = text(client.get(url, {"commune": "Isle d Abeau"}))
    assert 'role="combobox"' in by_name
    rows = re.findall(r"<tr>.*?</tr>", by_code, re.S)
    assert rows == re.findall(r"<tr>.*?</tr>", by_name, re.S)


def test_local_professional_and_structure_take_a_commune_name(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(reverse("directory:add", args=[HOME]), {
        "last_name": "Vidal", "first_name": "Anne", "profession": "10-MG",
        "commune": "L'Isle-d'Abeau", "address": "", "phone": "", "email": ""})  # fmt: skip
    assert response.status_code == 302
    assert PracticeSite.objects.filter(professional__last_name="Vidal",
                                       commune_code="38193").exists()  # fmt: skip
    response = client.post(reverse("directory:add_structure", args=[HOME]), {
        "name": "SSIAD du Nord-Isère", "category": "SSIAD", "commune": "bourgoin jallieu",
        "address": "", "phone": ""})  # fmt: skip
    assert response.status_code == 302
    assert Structure.objects.get(name="SSIAD du Nord-Isère").commune_code == "38053"


def test_a_local_figure_takes_a_commune_name(client_for, coordinator):
    response = client_for(coordinator).post(reverse("directory:local_figure", args=[HOME]), {
        "profession_code": "60", "commune": "Four", "count": "3", "note": "Enquête"})
    assert response.status_code == 302


# Same-day care --------------------------------------------------------------------------


def test_a_same_day_request_takes_a_commune_name(client_for, regulator):
    response = client_for(regulator).post(reverse("same_day_care:request_new", args=[HOME]), {
        "last_name": "Durand", "first_name": "Léa", "birth_date": "1990-04-02",
        "phone": "06 11 22 33 44", "commune": "isle d'abeau", "reason": "fever",
        "profession_code": "10", "mode": "practice", "urgency": "24h"})  # fmt: skip
    assert response.status_code == 302
    assert SameDayRequest.objects.get(last_name="Durand").commune.code == "38193"


def test_published_slots_take_a_commune_name(client_for, gp):
    response = client_for(gp).post(reverse("same_day_care:slots", args=[HOME]), {
        "day": "2031-01-07", "start": "18:00", "duration": "20", "count": "1", "weeks": "1",
        "profession_code": "10", "kind": "cpts", "mode": "practice",
        "commune": "Bourgoin-Jallieu (38)", "site": ""})  # fmt: skip
    assert response.status_code == 302
    assert Slot.objects.filter(professional=gp, start__year=2031,
                               commune__code="38053").count() == 1  # fmt: skip


def test_a_rota_period_takes_a_commune_name(client_for, coordinator):
    response = client_for(coordinator).post(reverse("same_day_care:rota", args=[HOME]), {
        "action": "period", "label": "Samedi par nom", "weekday": "5", "start_time": "08:00",
        "end_time": "12:00", "profession_code": "10", "mode": "practice",
        "commune": "Villefontaine"})  # fmt: skip
    assert response.status_code == 302
    assert RotaPeriod.objects.get(label="Samedi par nom").commune.code == "38553"


# Médecin traitant: the GP's capacity --------------------------------------------------------


def test_the_gps_practice_commune_takes_a_name_and_shows_one(client_for, gp):
    client = client_for(gp)
    url = reverse("gp_access:capacity", args=[HOME])
    response = client.post(url, {"monthly_new_patients": "3", "practice_commune": "Domarin"})
    assert response.status_code == 302
    assert GpCapacity.objects.get(gp=gp).practice_commune.code == "38149"
    assert 'value="Domarin (38)"' in text(client.get(url))


# Territory --------------------------------------------------------------------------------


def test_the_coordinator_adds_communes_by_name(client_for, coordinator, home_cpts):
    response = client_for(coordinator).post(reverse("territory:add", args=[HOME]),
                                            {"communes": "cessieu, St Chef (38)"})  # fmt: skip
    assert response.status_code == 302
    codes = set(territory_communes(home_cpts).values_list("code", flat=True))
    assert {"38064", "38374"} <= codes


def test_the_territory_form_lists_the_choices_of_an_ambiguous_postal_code(client_for,
                                                                           coordinator):
    response = client_for(coordinator).post(reverse("territory:add", args=[HOME]),
                                            {"communes": "38590"})  # fmt: skip
    assert response.status_code == 400
    assert "Le code postal 38590 couvre plusieurs communes" in text(response)


def test_the_structures_search_takes_a_commune_name(client_for, coordinator):
    client = client_for(coordinator)
    url = reverse("directory:structures", args=[HOME])
    by_code = text(client.get(url, {"commune": "38053"}))
    by_name = text(client.get(url, {"commune": "Bourgoin-Jallieu"}))
    count = re.search(r"(\d+) structure\(s\)", by_code).group(1)
    assert int(count) > 0 and f"{count} structure(s)" in by_name
    assert 'id="s-commune"' in by_name and 'role="combobox"' in by_name
