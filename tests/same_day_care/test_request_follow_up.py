"""A same-day request is never a dead end: with no slot, the delay is widened or the mode
changed in place and the suggestions run again; the requests without an appointment have
a list page; a second request for the same person warns, showing the first."""

import datetime

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.same_day_care.models import SameDayRequest
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def url(name, *args):
    return reverse(f"same_day_care:{name}", args=[HOME, *args])


NEW = {"last_name": "Durand", "first_name": "Léa", "birth_date": "1990-04-02",
       "phone": "0611223344", "commune": "38193", "reason": "fever", "profession_code": "10",
       "mode": "practice", "urgency": "same_day"}  # fmt: skip


def test_no_slot_offers_the_wider_delays_and_other_modes_with_their_counts(
    client_for, regulator, publish, snp_request
):
    publish(hours_from_now=30, mode="tele")  # tomorrow, by video: not "today, in practice"
    request = snp_request(urgency="same_day")
    page = text(client_for(regulator).get(url("request", request.public_id)))
    assert "Aucun créneau libre ne correspond" in page
    assert "Sous 48 h, téléconsultation" in page
    assert "1 créneau" in page
    assert "Changer le délai ou la modalité" in page


def test_changing_the_criteria_in_place_runs_the_suggestions_again(
    client_for, regulator, publish, snp_request
):
    slot = publish(hours_from_now=30, mode="tele")[0]
    request = snp_request(urgency="same_day")
    response = client_for(regulator).post(url("request_criteria", request.public_id),
                                          {"urgency": "48h", "mode": "tele"},
                                          HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="suggestions"' in html
    assert "<html" not in html  # the section only, swapped in place
    assert str(slot.public_id) in html
    request.refresh_from_db()
    assert (request.urgency, request.mode) == ("48h", "tele")
    assert AuditEvent.objects.filter(action="snp.request_criteria", actor=regulator,
                                     patient=request.public_id).exists()  # fmt: skip


def test_without_htmx_the_criteria_change_comes_back_to_the_request_page(
    client_for, regulator, snp_request
):
    request = snp_request()
    response = client_for(regulator).post(url("request_criteria", request.public_id),
                                          {"urgency": "48h", "mode": "home"})  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.mode == "home" and request.home_visit


def test_bad_criteria_are_a_400_and_change_nothing(client_for, regulator, snp_request):
    request = snp_request(urgency="24h")
    response = client_for(regulator).post(url("request_criteria", request.public_id),
                                          {"urgency": "demain", "mode": "tele"})  # fmt: skip
    assert response.status_code == 400
    assert "Délai inconnu" in text(response)
    request.refresh_from_db()
    assert request.urgency == "24h"


def test_a_booked_request_keeps_its_criteria(client_for, regulator, publish, snp_request):
    from maillage.same_day_care import services

    request = snp_request()
    services.book(slot=publish()[0], snp_request=request, actor=regulator)
    response = client_for(regulator).post(url("request_criteria", request.public_id),
                                          {"urgency": "48h", "mode": "tele"})  # fmt: skip
    assert response.status_code == 400
    assert "déplacez le rendez-vous" in text(response)


def test_an_outsider_cannot_change_the_criteria(client_for, outsider, snp_request):
    request = snp_request()
    response = client_for(outsider).post(url("request_criteria", request.public_id),
                                         {"urgency": "48h", "mode": "tele"})  # fmt: skip
    assert response.status_code == 404


# The list of requests waiting ------------------------------------------------------


def test_the_open_requests_are_listed_for_the_regulator_and_audited(
    client_for, regulator, publish, snp_request
):
    from maillage.same_day_care import services

    waiting = snp_request(last_name="Attente")
    booked = snp_request(last_name="Reserve")
    services.book(slot=publish()[0], snp_request=booked, actor=regulator)
    response = client_for(regulator).get(url("requests"))
    page = text(response)
    assert response.status_code == 200
    assert "ATTENTE Léa" in page and "RESERVE" not in page
    assert AuditEvent.objects.filter(action="patient.list", actor=regulator,
                                     patient=waiting.public_id).exists()  # fmt: skip


def test_the_list_shows_only_what_the_member_may_see(client_for, coordinator, regulator,
                                                     home_cpts):  # fmt: skip
    from maillage.same_day_care import services
    from maillage.territory.models import Commune

    services.request_create(cpts=home_cpts, actor=coordinator, origin="coordinator", data={
        "last_name": "Parlacoordination", "first_name": "Paul",
        "birth_date": datetime.date(1980, 1, 1), "phone": "0611223344",
        "commune": Commune.objects.get(code="38053"), "reason": "fever",
        "profession_code": "10", "mode": "practice", "urgency": "24h"})  # fmt: skip
    assert "PARLACOORDINATION" not in text(client_for(regulator).get(url("requests")))
    assert "PARLACOORDINATION" in text(client_for(coordinator).get(url("requests")))


@pytest.mark.parametrize("role", ["gp", "nurse", "partner", "board_member"])
def test_the_list_is_for_the_coordination_and_the_regulators(client_for, request, role):
    assert client_for(request.getfixturevalue(role)).get(url("requests")).status_code == 404


# A second request for the same person ----------------------------------------------


def test_a_second_request_for_the_same_person_warns_with_a_link_to_the_first(
    client_for, regulator, snp_request
):
    first = snp_request(urgency="same_day")
    count = SameDayRequest.objects.count()
    response = client_for(regulator).post(url("request_new"),
                                          {**NEW, "last_name": "DURAND", "first_name": "léa"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Une demande est déjà en cours pour cette personne" in html
    assert url("request", first.public_id) in html
    assert SameDayRequest.objects.count() == count
    # What was typed stays in the form, with the box to confirm.
    assert 'value="DURAND"' in html and 'name="confirm_duplicate"' in html


def test_a_confirmed_second_request_is_recorded(client_for, regulator, snp_request):
    snp_request()
    count = SameDayRequest.objects.count()
    response = client_for(regulator).post(url("request_new"),
                                          {**NEW, "confirm_duplicate": "on"})  # fmt: skip
    assert response.status_code == 302
    assert SameDayRequest.objects.count() == count + 1


def test_another_members_request_is_mentioned_without_its_details(
    client_for, gp, snp_request
):
    snp_request()  # by the regulator: the GP may not open it
    response = client_for(gp).post(url("request_new"), NEW)
    html = response.content.decode()
    assert response.status_code == 409
    assert "1 demande enregistrée par un autre membre" in html
    assert "/snp/demande/" not in html.split("dup-title")[1].split("</section>")[0]


def test_a_closed_request_does_not_warn(client_for, regulator, snp_request):
    first = snp_request()
    SameDayRequest.objects.filter(pk=first.pk).update(status="closed")
    assert client_for(regulator).post(url("request_new"), NEW).status_code == 302


def test_with_nothing_anywhere_the_page_says_to_orient_the_patient(client_for, regulator,
                                                                   snp_request):  # fmt: skip
    page = text(client_for(regulator).get(url("request", snp_request().public_id)))
    assert "Aucun créneau libre non plus sous 48 h" in page
    assert "Essayer autrement" not in page
