"""Concertation meetings (RCP): scheduling, cases, who sees what, attendance, decisions
that create tasks, and the attendance export for compensation."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership
from maillage.pathways import meetings
from maillage.pathways.models import Meeting, MeetingAttendance, Task
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def in_days(days, hour=14):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def member(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


@pytest.fixture
def meeting(home_cpts, coordinator, gp, pharmacist):
    """Organised by the coordinator; the GP and the pharmacist are invited, the nurse not."""
    return meetings.schedule(
        cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
        title="RCP diabète", starts_at=in_days(3), duration_minutes=90,
        place="Maison de santé", participants=[gp, pharmacist],
    )  # fmt: skip


@pytest.fixture
def case(meeting, enrolment, home_cpts, coordinator):
    return meetings.add_case(meeting=meeting, membership=member(coordinator, home_cpts),
                             enrolment=enrolment, question="Équilibre glycémique ?")  # fmt: skip


def start(meeting, days_ago=0, hours_ago=2):
    """Move a meeting into the past (one cannot be created there)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=days_ago, hours=hours_ago)
    )
    meeting.refresh_from_db()
    return meeting


def url(name, *args):
    return reverse(f"pathways:{name}", args=[HOME, *args])


# Scheduling ----------------------------------------------------------------------------


def test_meeting_in_the_past_is_refused(home_cpts, coordinator, client_for):
    with pytest.raises(ValidationError) as exc:
        meetings.schedule(cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
                          title="RCP", starts_at=in_days(-1), duration_minutes=60)  # fmt: skip
    assert "starts_at" in exc.value.message_dict
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(coordinator).post(url("meeting_new"), {
        "title": "RCP", "starts_at": past, "duration_minutes": "60"})  # fmt: skip
    assert response.status_code == 400
    assert "La date de la réunion est passée" in text(response)
    assert not Meeting.objects.filter(cpts=home_cpts, title="RCP").exists()


def test_scheduling_invites_participants_and_the_organiser(home_cpts, coordinator, gp,
                                                           pharmacist, client_for):  # fmt: skip
    future = in_days(5).strftime("%Y-%m-%dT%H:%M")
    response = client_for(gp).post(url("meeting_new"), {
        "title": "RCP pieds", "starts_at": future, "duration_minutes": "45",
        "place": "https://visio.example/rcp",
        "participants": [str(member(pharmacist, home_cpts).public_id)],
    })  # fmt: skip
    assert response.status_code == 302
    created = Meeting.objects.get(cpts=home_cpts, title="RCP pieds")
    assert created.organiser == gp and created.duration_minutes == 45
    assert set(created.attendance.values_list("user", flat=True)) == {gp.pk, pharmacist.pk}


def test_stranger_cannot_be_invited(home_cpts, other_cpts, coordinator, outsider, client_for):
    with pytest.raises(ValidationError) as exc:
        meetings.schedule(cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
                          title="RCP", starts_at=in_days(2), duration_minutes=60,
                          participants=[outsider])  # fmt: skip
    assert "participants" in exc.value.message_dict
    response = client_for(coordinator).post(url("meeting_new"), {
        "title": "RCP", "starts_at": in_days(2).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60",
        "participants": [str(member(outsider, other_cpts).public_id)],
    })  # fmt: skip
    assert response.status_code == 400
    assert "Participant inconnu dans cette CPTS" in text(response)
    assert not Meeting.objects.filter(cpts=home_cpts, title="RCP").exists()


def test_board_member_cannot_be_invited(home_cpts, coordinator, board_member):
    with pytest.raises(ValidationError):
        meetings.schedule(cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
                          title="RCP", starts_at=in_days(2), duration_minutes=60,
                          participants=[board_member])  # fmt: skip


def test_only_coordinators_and_professionals_organise(client_for, coordinator, gp, regulator,
                                                      partner, board_member):  # fmt: skip
    assert client_for(coordinator).get(url("meeting_new")).status_code == 200
    assert client_for(gp).get(url("meeting_new")).status_code == 200
    for user in (regulator, partner, board_member):
        assert client_for(user).get(url("meeting_new")).status_code == 404


# Cases ---------------------------------------------------------------------------------


def test_same_case_twice_in_a_meeting_is_refused(case, meeting, enrolment, home_cpts,
                                                 coordinator, client_for):  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        meetings.add_case(meeting=meeting, membership=member(coordinator, home_cpts),
                          enrolment=enrolment, question="Encore ?")  # fmt: skip
    assert "déjà à l'ordre du jour" in str(exc.value)
    response = client_for(coordinator).post(url("meeting_add_case", meeting.public_id), {
        "enrolment": str(enrolment.public_id), "question": "Encore ?"})  # fmt: skip
    assert response.status_code == 400
    assert "Ce dossier est déjà à l'ordre du jour de cette réunion." in text(response)
    assert meeting.cases.count() == 1


def test_case_must_be_an_enrolment_the_adder_can_see(meeting, enrolment, home_cpts,
                                                     pharmacist, client_for):  # fmt: skip
    with pytest.raises(ValidationError):
        meetings.add_case(meeting=meeting, membership=member(pharmacist, home_cpts),
                          enrolment=enrolment, question="?")  # fmt: skip
    response = client_for(pharmacist).post(url("meeting_add_case", meeting.public_id), {
        "enrolment": str(enrolment.public_id), "question": "?"})  # fmt: skip
    assert response.status_code == 400
    assert meeting.cases.count() == 0


def test_invited_care_team_member_adds_a_case(meeting, enrolment, gp, client_for):
    response = client_for(gp).post(url("meeting_add_case", meeting.public_id), {
        "enrolment": str(enrolment.public_id), "question": "Insuline ?"})  # fmt: skip
    assert response.status_code == 302
    assert meeting.cases.get().question == "Insuline ?"


# Who sees what -------------------------------------------------------------------------


def test_visibility_matrix(case, meeting, patient, client_for, coordinator, gp, pharmacist,
                           nurse, partner, board_member, outsider):  # fmt: skip
    page = url("meeting", meeting.public_id)
    for user in (coordinator, gp):  # coordinator, invited care team member
        body = text(client_for(user).get(page))
        assert patient.display_name in body and "Équilibre glycémique ?" in body
    invited_outside_team = client_for(pharmacist).get(page)
    assert invited_outside_team.status_code == 200
    body = text(invited_outside_team)
    assert "Dossier n° 1 — réservé à l'équipe de soins" in body
    assert patient.display_name not in body and "Équilibre glycémique" not in body
    assert "Ajouter un dossier" not in body  # none of the pharmacist's patients to add
    # the nurse is in the care team but not invited; the others have no business there
    for user in (nurse, partner, board_member, outsider):
        assert client_for(user).get(page).status_code == 404
    assert "RCP diabète" in text(client_for(pharmacist).get(url("meetings")))
    assert "RCP diabète" not in text(client_for(nurse).get(url("meetings")))


def test_outsider_gets_404_on_every_meeting_page(case, meeting, outsider, client_for):
    client = client_for(outsider)
    for name, arg in (("meeting", meeting.public_id), ("meeting_attendance", meeting.public_id),
                      ("meeting_decision", case.public_id)):  # fmt: skip
        assert client.get(url(name, arg)).status_code == 404


def test_case_details_display_is_audited(case, meeting, enrolment, patient, client_for, gp,
                                         pharmacist):  # fmt: skip
    client_for(gp).get(url("meeting", meeting.public_id))
    event = AuditEvent.objects.filter(action="pathway.meeting_read", actor=gp).get()
    assert event.patient == patient.public_id
    assert event.detail == {"meeting": str(meeting.public_id)}
    client_for(pharmacist).get(url("meeting", meeting.public_id))
    # Nothing about the patient was shown to the pharmacist: nothing to audit.
    assert not AuditEvent.objects.filter(action="pathway.meeting_read", actor=pharmacist).exists()


# Attendance ----------------------------------------------------------------------------


def test_attendance_defaults_to_the_meeting_duration_and_is_validated(meeting, coordinator,
                                                                      gp, pharmacist,
                                                                      client_for):  # fmt: skip
    start(meeting)
    page = url("meeting_attendance", meeting.public_id)
    gp_key, ph_key = str(gp.public_id), str(pharmacist.public_id)
    bad = client_for(coordinator).post(page, {f"present-{gp_key}": "on",
                                              f"minutes-{gp_key}": "601",
                                              f"present-{ph_key}": "on",
                                              f"minutes-{ph_key}": "30"})  # fmt: skip
    assert bad.status_code == 400 and "entre 0 et 600 minutes" in text(bad)
    assert not MeetingAttendance.objects.filter(meeting=meeting, present=True).exists()
    for wrong in ("-1", "beaucoup"):
        response = client_for(coordinator).post(page, {f"present-{gp_key}": "on",
                                                       f"minutes-{gp_key}": wrong})  # fmt: skip
        assert response.status_code == 400
    ok = client_for(coordinator).post(page, {f"present-{gp_key}": "on",
                                             f"present-{ph_key}": "on",
                                             f"minutes-{ph_key}": "30"})  # fmt: skip
    assert ok.status_code == 302
    rows = {a.user_id: (a.present, a.minutes) for a in meeting.attendance.all()}
    assert rows[gp.pk] == (True, 90) and rows[pharmacist.pk] == (True, 30)
    assert rows[coordinator.pk] == (False, 0)


def test_attendance_is_not_recorded_before_the_meeting(meeting, coordinator, gp):
    with pytest.raises(ValidationError):
        meetings.record_attendance(meeting=meeting, actor=coordinator,
                                   entries={gp.pk: (True, None)})  # fmt: skip


def test_held_requires_attendance(meeting, coordinator, gp, client_for):
    start(meeting)
    with pytest.raises(ValidationError) as exc:
        meetings.mark_held(meeting=meeting, actor=coordinator)
    assert "Enregistrez les présences" in str(exc.value)
    client_for(coordinator).post(url("meeting_status", meeting.public_id), {"status": "held"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    meetings.record_attendance(meeting=meeting, actor=coordinator, entries={gp.pk: (True, None)})
    meetings.mark_held(meeting=meeting, actor=coordinator, summary="Deux dossiers vus.")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.summary == "Deux dossiers vus."


def test_cancelled_meeting_cannot_be_held(meeting, coordinator, gp):
    start(meeting)
    meetings.record_attendance(meeting=meeting, actor=coordinator, entries={gp.pk: (True, 60)})
    meetings.cancel(meeting=meeting, actor=coordinator)
    with pytest.raises(ValidationError) as exc:
        meetings.mark_held(meeting=meeting, actor=coordinator)
    assert "annulée" in str(exc.value)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_only_organiser_or_coordinator_records_attendance(meeting, gp, client_for):
    start(meeting)
    assert client_for(gp).get(url("meeting_attendance", meeting.public_id)).status_code == 404


# Decisions -----------------------------------------------------------------------------


def test_decision_creates_a_task_seen_in_the_enrolment_and_the_due_list(
    case, meeting, enrolment, gp, nurse, client_for
):
    start(meeting)
    due = timezone.localdate() + datetime.timedelta(days=7)
    response = client_for(gp).post(url("meeting_decision", case.public_id), {
        "text": "Orienter vers la diététicienne.", "task_label": "Consultation diététicienne",
        "task_profession": "70", "task_due": due.isoformat(),
        "task_assignee": str(nurse.public_id),
    })  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(enrolment=enrolment, label="Consultation diététicienne")
    assert task.step is None and task.due_date == due and task.assignee == nurse
    assert task.decision.text == "Orienter vers la diététicienne."
    assert task.decision.case == case
    case.refresh_from_db()
    assert case.reviewed
    event = AuditEvent.objects.get(action="pathway.decision")
    assert event.detail["tasks"] == [str(task.public_id)]
    enrolment_page = text(client_for(nurse).get(url("enrolment", enrolment.public_id)))
    assert "Consultation diététicienne" in enrolment_page
    assert "Consultation diététicienne" in text(client_for(nurse).get(url("due")))


def test_decision_with_a_bad_task_writes_nothing(case, meeting, enrolment, gp, pharmacist,
                                                 home_cpts, client_for):  # fmt: skip
    start(meeting)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client_for(gp).post(url("meeting_decision", case.public_id), {
        "text": "Revoir.", "task_label": "Bilan", "task_due": yesterday.isoformat()})  # fmt: skip
    assert response.status_code == 400 and "L'échéance de la tâche est passée." in text(response)
    with pytest.raises(ValidationError) as exc:
        meetings.record_decision(
            case=case, membership=member(gp, home_cpts), text="Revoir.", task_label="Bilan",
            task_due=timezone.localdate(), task_assignee=pharmacist,
        )  # fmt: skip
    assert "task_assignee" in exc.value.message_dict
    case.refresh_from_db()
    assert not case.decisions.exists() and not case.reviewed
    assert not Task.objects.filter(enrolment=enrolment, step__isnull=True).exists()


def test_decision_can_bring_an_open_task_forward(case, meeting, enrolment, gp, home_cpts):
    start(meeting)
    feet = Task.objects.get(enrolment=enrolment, step__code="pieds", status="due")
    earlier = feet.due_date - datetime.timedelta(days=20)
    decision = meetings.record_decision(case=case, membership=member(gp, home_cpts),
                                        text="Examen des pieds rapidement.",
                                        advance_task=feet, advance_to=earlier)  # fmt: skip
    feet.refresh_from_db()
    assert feet.due_date == earlier and feet.decision == decision
    with pytest.raises(ValidationError) as exc:
        meetings.record_decision(case=case, membership=member(gp, home_cpts), text="Plus tard.",
                                 advance_task=feet,
                                 advance_to=earlier + datetime.timedelta(days=1))  # fmt: skip
    assert "advance_to" in exc.value.message_dict


def test_participant_outside_the_care_team_cannot_decide(case, meeting, pharmacist, client_for):
    start(meeting)
    assert client_for(pharmacist).get(url("meeting_decision", case.public_id)).status_code == 404


def test_no_decision_before_the_meeting_starts(case, gp, client_for):
    assert client_for(gp).get(url("meeting_decision", case.public_id)).status_code == 404


# Attendance export ---------------------------------------------------------------------


def _csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_attendance_csv_for_compensation(meeting, home_cpts, coordinator, gp, pharmacist,
                                         client_for):  # fmt: skip
    start(meeting, days_ago=1)
    meetings.record_attendance(meeting=meeting, actor=coordinator,
                               entries={gp.pk: (True, 45), pharmacist.pk: (False, None)})
    meetings.mark_held(meeting=meeting, actor=coordinator)
    older = meetings.schedule(cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
                              title="RCP ancienne", starts_at=in_days(1), duration_minutes=60,
                              participants=[gp])  # fmt: skip
    start(older, days_ago=400)
    meetings.record_attendance(meeting=older, actor=coordinator, entries={gp.pk: (True, 60)})
    meetings.mark_held(meeting=older, actor=coordinator)
    day = timezone.localtime(meeting.starts_at).date()
    period = {"du": (day - datetime.timedelta(days=30)).isoformat(), "au": day.isoformat()}
    client = client_for(coordinator)
    rows = _csv(client.get(url("meeting_attendance_csv"), period))
    assert rows[0] == ["Date", "Réunion", "Professionnel", "E-mail", "Présent", "Minutes"]
    by_email = {r[3]: r for r in rows[1:]}
    assert set(by_email) == {coordinator.email, gp.email, pharmacist.email}
    assert by_email[gp.email] == [f"{day:%d/%m/%Y}", "RCP diabète", gp.get_full_name(),
                                  gp.email, "oui", "45"]  # fmt: skip
    assert by_email[pharmacist.email][4:] == ["non", "0"]
    totals = _csv(client.get(url("meeting_attendance_totals_csv"), period))
    assert totals[0] == ["Professionnel", "E-mail", "Réunions (présent)", "Minutes"]
    assert [gp.get_full_name(), gp.email, "1", "45"] in totals  # the old meeting is outside
    page = client.get(url("meeting_attendance_report"), period)
    assert page.status_code == 200 and "RCP diabète" in text(page)
    assert client.get(url("meeting_attendance_csv"), {"du": "2026-02-01",
                                                      "au": "2026-01-01"}).status_code == 400


def test_attendance_export_is_for_coordinators_only(client_for, gp, board_member):
    for user in (gp, board_member):
        assert client_for(user).get(url("meeting_attendance_csv")).status_code == 404
        assert client_for(user).get(url("meeting_attendance_report")).status_code == 404


def test_every_meeting_page_renders_for_the_coordinator(case, meeting, coordinator, client_for):
    start(meeting)
    client = client_for(coordinator)
    for page in (url("meetings"), url("meeting_new"), url("meeting", meeting.public_id),
                 url("meeting_attendance", meeting.public_id),
                 url("meeting_decision", case.public_id), url("meeting_attendance_report")):
        response = client.get(page)
        assert response.status_code == 200, page
    decision_page = text(client.get(url("meeting_decision", case.public_id)))
    assert 'for="id_task_due"' in decision_page and "Examen des pieds" in decision_page
