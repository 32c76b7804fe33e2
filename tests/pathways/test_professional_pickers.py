"""Professionals are picked by name (or e-mail, or RPPS) on the pathway pages: the patient's
médecin traitant among the GPs linked to their directory entry only, and care-team members
added by name when the CPTS has too many members to list them all."""

import pytest
from django.urls import reverse

from maillage.core.models import Membership
from maillage.core.roles import Role
from maillage.pathways.forms import AttendingGpForm
from maillage.pathways.models import Enrolment
from maillage.pathways.views import enrolments as enrolment_views
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def url(name, *args):
    return reverse(f"pathways:{name}", args=[HOME, *args])


def test_the_gp_is_recorded_by_typing_their_name(client_for, coordinator, gp, enrolment):
    response = client_for(coordinator).post(url("attending_gp", enrolment.public_id), {
        "attending_gp": "", "attending_gp_search": gp.get_full_name()})
    assert response.status_code == 302
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp == gp


def test_the_former_select_value_a_users_id_is_still_accepted(client_for, gp, enrolment):
    response = client_for(gp).post(url("attending_gp", enrolment.public_id),
                                   {"attending_gp": str(gp.public_id)})  # fmt: skip
    assert response.status_code == 302
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp == gp


def test_a_non_gp_cannot_be_chosen_as_medecin_traitant(client_for, coordinator, nurse,
                                                        pharmacist, home_cpts, enrolment):
    client = client_for(coordinator)
    for person in (nurse, pharmacist):
        membership = Membership.objects.get(user=person, cpts=home_cpts)
        for posted in ({"attending_gp": str(membership.public_id)},
                       {"attending_gp": str(person.public_id)},
                       {"attending_gp": "", "attending_gp_search": person.email}):
            response = client.post(url("attending_gp", enrolment.public_id), posted)
            assert response.status_code == 400
            assert "Choisissez un médecin généraliste" in text(response)
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp is None


def test_an_empty_field_records_no_gp(client_for, coordinator, gp, enrolment):
    client = client_for(coordinator)
    client.post(url("attending_gp", enrolment.public_id), {"attending_gp": str(gp.public_id)})
    page = text(client.get(url("enrolment", enrolment.public_id)))
    assert gp.get_full_name() in page  # the current GP is shown in the picker
    response = client.post(url("attending_gp", enrolment.public_id),
                           {"attending_gp": "", "attending_gp_search": ""})  # fmt: skip
    assert response.status_code == 302
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp is None


def test_the_current_gp_is_kept_even_if_no_longer_offered(home_cpts, gp, nurse, patient):
    patient.attending_gp = nurse  # recorded before the GP-only rule
    patient.save(update_fields=["attending_gp"])
    form = AttendingGpForm({"attending_gp": str(nurse.public_id)}, cpts=home_cpts,
                           patient=patient)  # fmt: skip
    assert form.is_valid() and form.chosen() == nurse


def test_the_gp_suggestions_offer_gps_only(client_for, coordinator, gp, nurse):
    suggest = reverse("directory:member_suggestions", args=[HOME])
    client = client_for(coordinator)
    gps = client.get(suggest, {"scope": "gps", "q": gp.last_name}).content.decode()
    assert gp.get_full_name() in gps
    nurses = client.get(suggest, {"scope": "gps", "q": nurse.get_full_name()}).content.decode()
    assert nurse.get_full_name() not in nurses


# Care team ------------------------------------------------------------------------------


@pytest.fixture
def long_list(monkeypatch):
    monkeypatch.setattr(enrolment_views, "TEAM_LIST_MAX", 1)


def _membership(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def test_a_long_member_list_is_replaced_by_a_picker(client_for, coordinator, nurse, pharmacist,
                                                     home_cpts, patient, long_list):  # fmt: skip
    page = client_for(coordinator).get(url("enrol") + f"?patient={patient.public_id}")
    html = page.content.decode()
    assert 'name="add_member_search"' in html
    assert f'value="{_membership(nurse, home_cpts).public_id}"' not in html
    assert "ajoutez chaque membre de l'équipe par son nom" in text(page)


def test_a_member_added_by_name_is_ticked_then_enrolled_as_referent(
        client_for, coordinator, gp, nurse, home_cpts, patient, diabetes, long_list):  # fmt: skip
    client = client_for(coordinator)
    nurse_id = str(_membership(nurse, home_cpts).public_id)
    base = {"patient": str(patient.public_id), "template": str(diabetes.public_id)}
    added = client.post(url("enrol"), {**base, "add_member": "",
                                       "add_member_search": nurse.get_full_name(), "add": "1"})
    assert added.status_code == 200
    html = added.content.decode()
    assert f'id="team-{nurse_id}" name="team" value="{nurse_id}" checked' in html
    assert not Enrolment.objects.filter(patient=patient).exists()
    gp_membership = _membership(gp, home_cpts)
    done = client.post(url("enrol"), {
        **base, "team": [nurse_id], "referent": nurse_id,
        "add_member": str(gp_membership.public_id), "add_member_search": gp.get_full_name()})
    assert done.status_code == 302
    team = Enrolment.objects.get(patient=patient).team.all()
    assert {m.user for m in team} == {gp, nurse}
    assert [m.user for m in team if m.is_referent] == [nurse]


def test_a_board_member_cannot_be_added_to_a_team(client_for, coordinator, board_member,
                                                   home_cpts, patient, diabetes):  # fmt: skip
    membership = _membership(board_member, home_cpts)
    assert membership.role == Role.BOARD
    response = client_for(coordinator).post(url("enrol"), {
        "patient": str(patient.public_id), "template": str(diabetes.public_id),
        "add_member": str(membership.public_id), "add_member_search": "x"})
    assert response.status_code == 400
    assert "Aucun professionnel de la CPTS ne correspond" in text(response)
    assert not Enrolment.objects.filter(patient=patient).exists()


# Meeting invitations --------------------------------------------------------------------


@pytest.fixture
def planned_meeting(home_cpts, coordinator):
    import datetime

    from django.utils import timezone

    from maillage.pathways import meetings

    starts = timezone.localtime() + datetime.timedelta(days=2)
    return meetings.schedule(
        cpts=home_cpts, organiser_membership=_membership(coordinator, home_cpts), title="RCP",
        starts_at=starts.replace(minute=0, second=0, microsecond=0), duration_minutes=60,
        place="MSP", participants=[],
    )  # fmt: skip


def test_a_long_invitation_list_gives_way_to_a_picker(client_for, coordinator, nurse, home_cpts,
                                                      planned_meeting, monkeypatch):  # fmt: skip
    from maillage.pathways.views import meetings as meeting_views

    monkeypatch.setattr(meeting_views, "INVITE_LIST_MAX", 1)
    client = client_for(coordinator)
    page = client.get(url("meeting", planned_meeting.public_id)).content.decode()
    assert 'name="add_member_search"' in page and 'name="participants"' not in page
    response = client.post(url("meeting_invite", planned_meeting.public_id),
                           {"add_member": "", "add_member_search": nurse.email})  # fmt: skip
    assert response.status_code == 302
    assert planned_meeting.attendance.filter(user=nurse).exists()


def test_a_board_member_is_never_invited_by_name(client_for, coordinator, board_member,
                                                 home_cpts, planned_meeting):  # fmt: skip
    response = client_for(coordinator).post(url("meeting_invite", planned_meeting.public_id), {
        "add_member": str(_membership(board_member, home_cpts).public_id),
        "add_member_search": "x"})
    assert response.status_code == 400
    assert "Aucun professionnel de la CPTS ne correspond" in text(response)
    assert not planned_meeting.attendance.filter(user=board_member).exists()


def test_a_meeting_is_planned_with_a_participant_picked_by_name(client_for, coordinator, nurse,
                                                                monkeypatch):  # fmt: skip
    import datetime

    from django.utils import timezone

    from maillage.pathways.models import Meeting
    from maillage.pathways.views import meetings as meeting_views

    monkeypatch.setattr(meeting_views, "INVITE_LIST_MAX", 1)
    client = client_for(coordinator)
    form = client.get(url("meeting_new")).content.decode()
    assert 'name="add_member_search"' in form and 'name="participants"' not in form
    starts = timezone.localtime() + datetime.timedelta(days=4)
    response = client.post(url("meeting_new"), {
        "title": "RCP plaies", "starts_at": f"{starts:%Y-%m-%dT14:00}", "duration_minutes": "60",
        "add_member": "", "add_member_search": nurse.email})
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="RCP plaies")
    assert meeting.attendance.filter(user=nurse).exists()
