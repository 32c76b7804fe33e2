"""Bad input on the same-day care forms: 400, the page again with the French message next
to the field, and nothing stored (409 when the state changed meanwhile)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership
from maillage.same_day_care import rota, services
from maillage.same_day_care.models import (
    Appointment,
    RotaPeriod,
    RotaShift,
    RotaVolunteer,
    Slot,
    Unavailability,
)
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def url(name, *args):
    return reverse(f"same_day_care:{name}", args=[HOME, *args])


def assert_refused(response, message, *, field_id=None, status=400):
    body = text(response)
    assert response.status_code == status, body[:500]
    assert message in body
    if field_id:  # the message is next to its field
        html = response.content.decode()
        assert f'id="{field_id}"' in html, f"no {field_id} in the page"
        at = html.index(f'id="{field_id}"')
        tag = html[html.rindex("<", 0, at) : html.index(">", at)]
        assert 'role="alert"' in tag, tag


# ------------------------------------------------------------------ appointment outcome


@pytest.fixture
def booked(publish, snp_request, regulator):
    return services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)


def test_a_bogus_outcome_is_a_400_next_to_the_appointment(client_for, gp, booked):
    response = client_for(gp).post(url("outcome", booked.public_id), {"status": "bogus"})
    assert_refused(response, "Issue inconnue : bogus",
                   field_id=f"outcome-error-{booked.public_id}")  # fmt: skip
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_a_missing_outcome_or_a_too_long_note_is_a_400(client_for, gp, booked):
    client = client_for(gp)
    assert_refused(client.post(url("outcome", booked.public_id), {}),
                   "Choisissez l'issue du rendez-vous.")  # fmt: skip
    response = client.post(url("outcome", booked.public_id),
                           {"status": "fulfilled", "note": "x" * 301})  # fmt: skip
    assert_refused(response, "Note trop longue : 300 caractères au plus.")
    booked.refresh_from_db()
    assert booked.status == "booked" and booked.note == ""


def test_an_outcome_already_recorded_is_a_409(client_for, gp, booked):
    services.set_status(appointment=booked, status="noshow", actor=gp)
    response = client_for(gp).post(url("outcome", booked.public_id), {"status": "cancelled"})
    assert_refused(response, "déjà une issue enregistrée", status=409)
    assert Appointment.objects.get(pk=booked.pk).status == "noshow"


# ------------------------------------------------------------------ rota page

PERIOD = {"action": "period", "label": "Samedi matin", "weekday": "5", "start_time": "08:00",
          "end_time": "12:00", "profession_code": "10", "mode": "practice",
          "commune": "38053"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message", "field_id"),
    [
        ({"end_time": "07:00"}, "La fin doit suivre le début.", "id_end_time_error"),
        ({"weekday": "9"}, "9", "id_weekday_error"),
        ({"start_time": "25:99"}, "heure valide", "id_start_time_error"),
        ({"commune": "38999"}, "Aucune commune avec le code 38999", "id_commune_error"),
        ({"label": ""}, "obligatoire", "id_label_error"),
        ({"profession_code": "77"}, "77", "id_profession_code_error"),
        ({"only_from": "2031-02-01", "only_until": "2031-01-01"}, "précède",
         "id_only_until_error"),
    ],
)  # fmt: skip
def test_an_invalid_rota_period_is_a_400_next_to_the_field(
    client_for, coordinator, change, message, field_id
):
    before = RotaPeriod.objects.count()
    response = client_for(coordinator).post(url("rota"), {**PERIOD, **change})
    assert_refused(response, message, field_id=field_id)
    assert RotaPeriod.objects.count() == before


def test_a_valid_rota_period_is_added_and_audited(client_for, coordinator):
    response = client_for(coordinator).post(url("rota"), PERIOD)
    assert response.status_code == 302
    period = RotaPeriod.objects.get(label="Samedi matin")
    assert AuditEvent.objects.filter(action="snp.rota_period", object_id=period.public_id,
                                     actor=coordinator).exists()  # fmt: skip


@pytest.mark.parametrize("action", ["", "drop_tables", "PERIOD"])
def test_an_unknown_rota_action_is_a_400(client_for, coordinator, action):
    before = (RotaPeriod.objects.count(), RotaVolunteer.objects.count())
    response = client_for(coordinator).post(url("rota"), {"action": action})
    assert_refused(response, "Action inconnue")
    assert (RotaPeriod.objects.count(), RotaVolunteer.objects.count()) == before


def _member(user):
    return Membership.objects.get(user=user, cpts__slug=HOME)


def test_a_volunteer_with_an_unknown_profession_is_a_400(client_for, coordinator, gp):
    response = client_for(coordinator).post(url("rota"), {
        "action": "volunteer", "member": _member(gp).public_id, "profession_code": "77",
    })  # fmt: skip
    assert_refused(response, "Code profession inconnu : 77.",
                   field_id="volunteer_profession_code_error")  # fmt: skip
    assert not RotaVolunteer.objects.filter(user=gp).exists()


@pytest.mark.parametrize("member", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", ""])
def test_a_bogus_volunteer_is_a_400(client_for, coordinator, member):
    before = RotaVolunteer.objects.count()
    response = client_for(coordinator).post(url("rota"), {
        "action": "volunteer", "member": member, "profession_code": "10",
    })  # fmt: skip
    assert_refused(response, "Professionnel", field_id="volunteer_member_error")
    assert RotaVolunteer.objects.count() == before


def test_a_member_of_another_cpts_or_a_regulator_cannot_volunteer(
    client_for, coordinator, outsider, regulator
):
    for user, slug in ((outsider, "vals-du-dauphine"), (regulator, HOME)):
        member = Membership.objects.get(user=user, cpts__slug=slug)
        response = client_for(coordinator).post(url("rota"), {
            "action": "volunteer", "member": member.public_id, "profession_code": "10",
        })  # fmt: skip
        assert_refused(response, "Professionnel inconnu dans cette CPTS.")
    assert not RotaVolunteer.objects.filter(user__in=[outsider, regulator]).exists()


def test_a_volunteer_is_enrolled_with_the_profession_chosen(client_for, coordinator, nurse):
    response = client_for(coordinator).post(url("rota"), {
        "action": "volunteer", "member": _member(nurse).public_id, "profession_code": "60",
    })  # fmt: skip
    assert response.status_code == 302
    assert RotaVolunteer.objects.get(user=nurse).profession_code == "60"


@pytest.mark.parametrize(
    ("data", "message", "field_id"),
    [
        ({"start": "2031-02-01", "end": "2031-01-01"}, "précède", "id_end_error"),
        ({"start": "demain", "end": "2031-01-01"}, "date valide", "id_start_error"),
        ({"start": "2031-01-01", "end": "2033-01-01"}, "Au plus 366 jours", "id_end_error"),
    ],
)
@pytest.mark.parametrize("action", ["generate", "publish"])
def test_an_invalid_rota_range_is_a_400(client_for, coordinator, home_cpts, data, message,
                                         field_id, action):  # fmt: skip
    RotaPeriod.objects.create(cpts=home_cpts, label="Lundi", weekday=0,
                              start_time=datetime.time(18), end_time=datetime.time(20),
                              commune=Commune.objects.get(code="38053"))  # fmt: skip
    response = client_for(coordinator).post(url("rota"), {"action": action, **data})
    if action == "publish" and "366" in message:
        return  # publishing a long range is allowed: it publishes existing shifts only
    assert_refused(response, message, field_id=field_id)
    assert not RotaShift.objects.exists()


def test_generating_without_periods_is_a_400_with_the_reason(client_for, coordinator):
    response = client_for(coordinator).post(url("rota"), {
        "action": "generate", "start": "2031-01-01", "end": "2031-01-31",
    })  # fmt: skip
    assert_refused(response, "Définissez d'abord au moins une période", field_id="id_start_error")


def test_a_bogus_or_impossible_swap_is_a_400(client_for, coordinator, home_cpts, gp, nurse):
    period = RotaPeriod.objects.create(cpts=home_cpts, label="Lundi", weekday=0,
                                       start_time=datetime.time(18), end_time=datetime.time(20),
                                       commune=Commune.objects.get(code="38053"))  # fmt: skip
    day = timezone.localdate() + datetime.timedelta(days=7)
    shift = RotaShift.objects.create(cpts=home_cpts, period=period, date=day, assignee=gp)
    client = client_for(coordinator)
    response = client.post(url("rota"), {"action": "swap", "first": "nope",
                                         "second": shift.public_id})  # fmt: skip
    assert_refused(response, "Garde inconnue ou passée.", field_id="swap_first_error")
    response = client.post(url("rota"), {"action": "swap", "first": shift.public_id,
                                         "second": shift.public_id})  # fmt: skip
    assert_refused(response, "Choisissez deux gardes différentes.", field_id="swap_second_error")
    later = day + datetime.timedelta(days=7)
    other = RotaShift.objects.create(cpts=home_cpts, period=period, date=later, assignee=gp)
    response = client.post(url("rota"), {"action": "swap", "first": shift.public_id,
                                         "second": other.public_id})  # fmt: skip
    assert_refused(response, "même titulaire")
    assert set(RotaShift.objects.values_list("assignee", flat=True)) == {gp.pk}


# ------------------------------------------------------------------ slots page


def test_withdrawing_a_bogus_or_foreign_slot_is_a_400(client_for, gp, nurse, publish):
    mine = publish()[0]
    theirs = publish(who=nurse, hours_from_now=5)[0]
    client = client_for(gp)
    for value in ("nope", "00000000-0000-0000-0000-000000000000", theirs.public_id):
        response = client.post(url("slots"), {"withdraw": value})
        assert_refused(response, "Créneau inconnu : il n'est pas parmi les vôtres.",
                       field_id="withdraw_error")  # fmt: skip
    assert_refused(client.post(url("slots"), {"withdraw": ""}), "Choisissez : créneau à retirer.")
    assert set(Slot.objects.values_list("status", flat=True)) == {"free"}
    assert client.post(url("slots"), {"withdraw": mine.public_id}).status_code == 302


def test_withdrawing_a_booked_slot_is_a_409(client_for, gp, booked):
    response = client_for(gp).post(url("slots"), {"withdraw": booked.slot.public_id})
    assert_refused(response, "annulez d'abord le rendez-vous", status=409)
    assert Slot.objects.get(pk=booked.slot_id).status == "booked"


PUBLISH = {"day": "2031-01-07", "start": "18:00", "duration": "20", "count": "2", "weeks": "1",
           "profession_code": "10", "kind": "cpts", "mode": "practice", "commune": "38053",
           "site": ""}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message", "field_id"),
    [
        ({"kind": "vip"}, "vip", "id_kind_error"),
        ({"mode": "drone"}, "drone", "id_mode_error"),
        ({"duration": "3"}, "5", "id_duration_error"),
        ({"count": "0"}, "1", "id_count_error"),
        ({"count": "48", "weeks": "52"}, "Entre 1 et 500 créneaux", "id_count_error"),
        ({"commune": "38999"}, "Aucune commune avec le code 38999", "id_commune_error"),
        ({"profession_code": "77"}, "77", "id_profession_code_error"),
        ({"day": "2001-01-01"}, "créneau dans le passé", "id_start_error"),
        ({"day": "0001-01-01"}, "créneau dans le passé", "id_start_error"),
        ({"start": "midi"}, "heure valide", "id_start_error"),
    ],
)
def test_publishing_bad_values_is_a_400_next_to_the_field(client_for, gp, change, message,
                                                          field_id):  # fmt: skip
    before = Slot.objects.count()
    response = client_for(gp).post(url("slots"), {**PUBLISH, **change})
    assert_refused(response, message, field_id=field_id)
    assert Slot.objects.count() == before


# ------------------------------------------------------------------ my rota page

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "message", "field_id"),
    [
        ({"start_date": TOMORROW + datetime.timedelta(days=3), "end_date": TOMORROW},
         "La date de fin précède la date de début.", "id_end_date_error"),
        ({"start_date": TOMORROW - datetime.timedelta(days=3), "end_date": TOMORROW},
         "Cette date est passée", "id_start_date_error"),
        ({"start_date": TOMORROW, "end_date": TOMORROW + datetime.timedelta(days=400)},
         "au plus 366 jours", "id_end_date_error"),
        ({"start_date": "", "end_date": TOMORROW}, "obligatoire", "id_start_date_error"),
        ({"start_date": TOMORROW, "end_date": TOMORROW, "reason": "x" * 201}, "200",
         "id_reason_error"),
    ],
)  # fmt: skip
def test_an_invalid_unavailability_is_a_400_next_to_the_field(client_for, gp, data, message,
                                                               field_id):  # fmt: skip
    response = client_for(gp).post(url("my_rota"), {"action": "unavailability", **data})
    assert_refused(response, message, field_id=field_id)
    assert not Unavailability.objects.filter(user=gp).exists()


def test_an_unknown_action_on_my_rota_is_a_400(client_for, gp):
    response = client_for(gp).post(url("my_rota"), {"action": "feed_steal"})
    assert_refused(response, "Action inconnue")
    assert not Unavailability.objects.filter(user=gp).exists()


def test_an_ics_import_with_an_unknown_profession_is_a_400(client_for, gp):
    before = Slot.objects.count()
    upload = SimpleUploadedFile("a.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    response = client_for(gp).post(url("ics_import"), {
        "file": upload, "profession_code": "77", "kind": "cpts", "mode": "practice",
        "commune": "38053",
    })  # fmt: skip
    assert_refused(response, "77", field_id="id_profession_code_error")
    response = client_for(gp).post(url("ics_import"), {
        "profession_code": "10", "kind": "cpts", "mode": "practice", "commune": "38053",
    })  # fmt: skip
    assert_refused(response, "Choisissez un fichier .ics.", field_id="id_file_error")
    assert Slot.objects.count() == before


def test_rota_services_check_their_input_too(home_cpts, coordinator, regulator):
    with pytest.raises(Exception, match="Code profession inconnu"):
        rota.add_volunteer(cpts=home_cpts, member=_member(regulator), profession_code="77",
                           actor=coordinator)  # fmt: skip
