"""Phone numbers are dialable links shown as people read them (06 12 34 56 04), and a
value typed by someone is echoed back in an error message cut short."""

import pytest
from django.template import Context, Template

from maillage.core.text import echo

pytestmark = pytest.mark.django_db


def render(value):
    return Template("{% load phone %}{{ value|tel }}").render(Context({"value": value}))


@pytest.mark.parametrize("stored", ["+33612345604", "0612345604", "06 12 34 56 04",
                                    "06.12.34.56.04"])
def test_a_phone_is_a_tel_link_in_pairs_of_digits(stored):
    assert render(stored) == '<a href="tel:+33612345604" class="tel">06 12 34 56 04</a>'


def test_an_overseas_number_keeps_its_own_grouping():
    assert 'href="tel:+262262123456"' in render("+262262123456")


def test_something_that_is_not_a_number_is_shown_escaped_and_unlinked():
    assert render("<b>voir</b>") == "&lt;b&gt;voir&lt;/b&gt;"
    assert render("") == ""
    assert render(None) == ""


def test_the_appointments_page_shows_the_patients_phone_as_a_link(client_for, regulator):
    import datetime

    from maillage.same_day_care import services
    from maillage.territory.models import Commune

    services.request_create(cpts=regulator.memberships.first().cpts, actor=regulator,
                            origin="regulator", data={
        "last_name": "Phonetest", "first_name": "Léa", "birth_date": datetime.date(1990, 4, 2),
        "phone": "0611223344", "commune": Commune.objects.get(code="38193"), "reason": "fever",
        "profession_code": "10", "mode": "practice", "urgency": "24h", "home_visit": False})
    from maillage.same_day_care.models import SameDayRequest

    snp = SameDayRequest.objects.get(last_name="Phonetest")
    page = client_for(regulator).get(
        f"/c/pays-berjalliens/snp/demande/{snp.public_id}/").content.decode()
    assert '<a href="tel:+33611223344" class="tel">06 11 22 33 44</a>' in page


def test_an_echo_is_one_short_line():
    assert echo("38053") == "38053"
    long = echo("x" * 5000)
    assert len(long) == 40 and long.endswith("…")
    assert echo("a\nb   c") == "a b c"
    assert echo(None) == ""


def test_a_5000_character_commune_is_not_echoed_back_whole(client_for, coordinator):
    import re

    response = client_for(coordinator).post("/c/pays-berjalliens/territoire/ajouter/",
                                            {"communes": "Nullepart" * 200})
    assert response.status_code == 400
    (message,) = re.findall(r'id="id_communes_error"[^>]*>([^<]*)<',
                            response.content.decode())
    assert "Saisie trop longue pour un nom de commune" in message
    assert "Nullepart" not in message
    assert len(message) < 150  # the typed text stays in its field, not in the message
