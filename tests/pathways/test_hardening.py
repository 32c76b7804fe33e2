"""Hardening of the pathways pages: bad input never gives a 500, nothing is half-written,
outsiders and members outside the care team get 404 on every page naming a patient, and
every read or write of a patient's data leaves an audit event."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership
from maillage.pathways import editor, meetings, reminders, services
from maillage.pathways.models import (
    CaseDecision,
    CoordinationNote,
    Enrolment,
    Meeting,
    PathwayTemplate,
    ReminderLog,
    Task,
)

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
MISSING = str(uuid.uuid4())


def member(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def url(name, *args):
    return reverse(f"pathways:{name}", args=[HOME, *args])


@pytest.fixture
def meeting(home_cpts, coordinator, gp, pharmacist):
    moment = timezone.now() + datetime.timedelta(days=3)
    return meetings.schedule(
        cpts=home_cpts, organiser_membership=member(coordinator, home_cpts),
        title="RCP diabète", starts_at=moment, duration_minutes=90,
        participants=[gp, pharmacist],
    )  # fmt: skip


@pytest.fixture
def case(meeting, enrolment, home_cpts, coordinator):
    case = meetings.add_case(meeting=meeting, membership=member(coordinator, home_cpts),
                             enrolment=enrolment, question="Équilibre glycémique ?")  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    meeting.refresh_from_db()
    return case


@pytest.fixture
def draft(home_cpts, coordinator):
    draft = editor.template_create(cpts=home_cpts, actor=coordinator, name="Parcours test")
    editor.step_save(draft=draft, actor=coordinator,
                     data={"label": "Pesée", "result_kind": "number", "unit": "kg",
                           "plausible_min": 20, "plausible_max": 300})  # fmt: skip
    return draft


URL_NAMES = {p.name for p in __import__("maillage.pathways.urls", fromlist=["x"]).urlpatterns}


@pytest.fixture
def objects(enrolment, case, draft):
    """Every kind of object the pathways URLs name, by URL name."""
    task = enrolment.tasks.filter(step__code="hba1c").get()
    published = PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True)
    step = draft.steps.get()
    return {
        "enrolments": (), "due": (), "enrol": (), "editor_list": (), "editor_new": (),
        "meetings": (), "meeting_new": (), "meeting_attendance_report": (),
        "meeting_attendance_csv": (), "meeting_attendance_totals_csv": (),
        "indicators": (), "indicators_csv": (),
        "enrolment": (enrolment.public_id,), "note": (enrolment.public_id,),
        "end": (enrolment.public_id,), "attending_gp": (enrolment.public_id,),
        "link_account": (enrolment.public_id,),
        "complete": (task.public_id,), "reassign": (task.public_id,),
        "editor_template": (published.public_id,), "editor_modify": (published.public_id,),
        "editor_draft": (draft.public_id,), "editor_step_new": (draft.public_id,),
        "editor_step": (draft.public_id, step.code),
        "editor_step_delete": (draft.public_id, step.code),
        "editor_publish": (draft.public_id,), "editor_discard": (draft.public_id,),
        "meeting": (case.meeting.public_id,), "meeting_add_case": (case.meeting.public_id,),
        "meeting_invite": (case.meeting.public_id,),
        "meeting_attendance": (case.meeting.public_id,),
        "meeting_status": (case.meeting.public_id,),
        "meeting_decision": (case.public_id,),
        "pps": (enrolment.patient.public_id,), "pps_pdf": (enrolment.patient.public_id,),
        "fhir": (enrolment.patient.public_id,),
    }


GARBAGE = [
    "", "pas-un-uuid", MISSING, "x" * 20000, "-5", "abc", "2026-02-30", "9999-12-31",
    "0001-01-01", "1e400", "NaN", "-Infinity", "12\x00", "\x00", "99999999999999999999",
    "2026-03-29T02:30", "0", "1e9", "99999999.99",
]
NO_ID = {"enrolments", "due", "enrol", "editor_list", "editor_new", "meetings", "meeting_new",
         "meeting_attendance_report", "meeting_attendance_csv",
         "meeting_attendance_totals_csv", "indicators", "indicators_csv"}  # fmt: skip
GET_ONLY = {"enrolments", "due", "editor_list", "editor_template", "meetings",
            "meeting_attendance_report", "meeting_attendance_csv",
            "meeting_attendance_totals_csv", "indicators", "indicators_csv", "enrolment",
            "meeting", "pps", "pps_pdf", "fhir"}  # fmt: skip


def _client(client_for, user):
    client = client_for(user)
    client.raise_request_exception = False
    return client


def _payloads(home_cpts, objects, enrolment, gp, nurse, draft):
    """A valid payload for each URL: each test spoils one field of it at a time."""
    soon = timezone.localtime() + datetime.timedelta(days=5)
    gp_member, nurse_member = member(gp, home_cpts), member(nurse, home_cpts)
    other_template = next(t for t in services.templates_for(home_cpts)
                          if t.slug != "diabete-type-2")  # fmt: skip
    step = {"label": "Tour de taille", "profession_code": "", "due_offset_days": "0",
            "recurrence_days": "30", "result_kind": "number", "unit": "cm",
            "plausible_min": "40", "plausible_max": "200", "condition_step": "",
            "condition_min": ""}  # fmt: skip
    period = {"du": "2026-01-01", "au": "2026-12-31"}
    return {
        "enrolments": {}, "editor_list": {}, "meetings": {}, "meeting": {}, "pps": {},
        "pps_pdf": {}, "fhir": {}, "enrolment": {}, "editor_template": {},
        "due": {"page": "2", "tout": "1", "parcours": "diabete-type-2", "retard": "non",
                "evenements": "1"},
        "meeting_attendance_report": period, "meeting_attendance_csv": period,
        "meeting_attendance_totals_csv": period, "indicators": period,
        "indicators_csv": period,
        "enrol": {"patient": str(enrolment.patient.public_id),
                  "template": str(other_template.public_id),
                  "team": [str(gp_member.public_id), str(nurse_member.public_id)],
                  "referent": str(gp_member.public_id)},
        "note": {"text": "Hospitalisée hier.", "kind": "hospitalised"},
        "end": {"reason": "Objectif atteint"},
        "attending_gp": {"attending_gp": str(gp.public_id)},
        "link_account": {"member": str(nurse.public_id), "professional": ""},
        "complete": {"value": "7,2", "note": "à jeun", "confirm": "on"},
        "reassign": {"assignee": str(nurse.public_id), "next": "due"},
        "editor_new": {"name": "Asthme", "description": "Suivi de l'asthme"},
        "editor_modify": {}, "editor_step_delete": {}, "editor_discard": {},
        "editor_draft": {"name": "Parcours test", "description": "Description"},
        "editor_step_new": step, "editor_step": step,
        "editor_publish": {"apply_to_existing": "on"},
        "meeting_new": {"title": "RCP", "starts_at": f"{soon:%Y-%m-%dT%H:%M}",
                        "duration_minutes": "60", "place": "MSP",
                        "participants": [str(gp_member.public_id)]},
        "meeting_add_case": {"enrolment": str(enrolment.public_id), "question": "Suite ?"},
        "meeting_invite": {"participants": [str(nurse_member.public_id)]},
        "meeting_attendance": {f"present-{gp.public_id}": "on",
                               f"minutes-{gp.public_id}": "60", "held": "on",
                               "summary": "Compte rendu"},
        "meeting_status": {"status": "held", "summary": "Compte rendu"},
        "meeting_decision": {"text": "Avis diététique", "task_label": "Diététicienne",
                             "task_profession": "", "task_due": f"{soon:%Y-%m-%d}",
                             "task_assignee": str(gp.public_id), "advance_task": "",
                             "advance_to": ""},
    }


@pytest.mark.parametrize("name", sorted(URL_NAMES))
def test_a_spoilt_field_on_any_pathways_url_never_gives_a_500(
    name, client_for, coordinator, home_cpts, objects, enrolment, gp, nurse, draft
):
    client = _client(client_for, coordinator)
    payload = _payloads(home_cpts, objects, enrolment, gp, nurse, draft)[name]
    path = url(name, *objects[name])
    method = "get" if name in GET_ONLY else "post"
    failures = []
    for field in list(payload) or [None]:
        for value in GARBAGE:
            data = dict(payload)
            if field is not None:
                data[field] = value
            # Each try starts from the same state (a valid value must not end the
            # enrolment or publish the draft before the next value is tried).
            with transaction.atomic():
                response = getattr(client, method)(path, data)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append((field, value[:20], response.status_code))
    # The valid payload twice (a double submission), then a GET on a POST-only URL.
    for _ in range(2):
        assert getattr(client, method)(path, payload).status_code < 500
    assert client.get(path).status_code < 500
    assert failures == []


@pytest.mark.parametrize("name", sorted(URL_NAMES - NO_ID))
def test_a_malformed_or_unknown_id_in_a_pathways_url_gives_404(name, client_for, coordinator,
                                                               objects):  # fmt: skip
    args = objects[name]
    client = _client(client_for, coordinator)
    method = "get" if name in GET_ONLY else "post"
    for bad in ("pas-un-uuid", MISSING):
        response = getattr(client, method)(url(name, bad, *args[1:]), {})
        assert response.status_code == 404, (name, bad)


# Need-to-know ----------------------------------------------------------------------

# URLs naming one patient: the care team and the coordinators only.
PATIENT_URLS = ["enrolment", "note", "end", "attending_gp", "complete", "reassign", "pps",
                "pps_pdf", "fhir", "meeting_decision"]  # fmt: skip


@pytest.mark.parametrize("persona", ["pharmacist", "outsider", "board_member", "partner"])
def test_members_outside_the_care_team_get_404_on_every_url_naming_a_patient(
    persona, request, client_for, objects, meeting, home_cpts
):
    user = request.getfixturevalue(persona)
    client = _client(client_for, user)
    before = Task.objects.open().count(), CoordinationNote.objects.count()
    for name in PATIENT_URLS:
        method = "get" if name in GET_ONLY else "post"
        response = getattr(client, method)(url(name, *objects[name]),
                                           {"text": "x", "reason": "x", "value": "7"})
        assert response.status_code == 404, (persona, name)
    assert (Task.objects.open().count(), CoordinationNote.objects.count()) == before
    assert not Enrolment.objects.filter(ended_at__isnull=False).exists()


def test_board_sees_the_indicators_and_no_other_pathways_page(client_for, board_member,
                                                               objects):  # fmt: skip
    client = _client(client_for, board_member)
    assert client.get(url("indicators")).status_code == 200
    assert client.get(url("indicators_csv")).status_code == 200
    for name, args in objects.items():
        if name in ("indicators", "indicators_csv"):
            continue
        assert client.get(url(name, *args)).status_code in (404, 405), name


def test_a_post_cannot_hand_a_task_to_someone_outside_the_care_team(client_for, gp, pharmacist,
                                                                     objects):  # fmt: skip
    task = Task.objects.get(public_id=objects["reassign"][0])
    client = _client(client_for, gp)  # the référent
    client.post(url("reassign", task.public_id), {"assignee": str(pharmacist.public_id)})
    task.refresh_from_db()
    assert task.assignee_id != pharmacist.pk


# Audit -----------------------------------------------------------------------------

READS = {"enrolment": "pathway.read", "enrolments": "patient.list", "pps": "pathway.pps_read",
         "pps_pdf": "pathway.pps_pdf", "fhir": "pathway.fhir_export",
         "meeting": "pathway.meeting_read", "meeting_decision": "pathway.meeting_read"}


@pytest.mark.parametrize("name", sorted(READS))
def test_every_page_showing_patient_data_leaves_an_audit_event(name, client_for, coordinator,
                                                               objects):  # fmt: skip
    client = _client(client_for, coordinator)
    events = AuditEvent.objects.filter(actor=coordinator, action=READS[name])
    before = events.count()
    assert client.get(url(name, *objects[name])).status_code == 200
    assert events.count() == before + 1


WRITES = {
    "note": ({"text": "Vue en consultation.", "kind": "note"}, "pathway.note_add"),
    "end": ({"reason": "Déménagement"}, "pathway.end"),
    "complete": ({"value": "7,1"}, "pathway.task_complete"),
    "editor_draft": ({"name": "Parcours renommé"}, "pathway.template_update"),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_leaves_an_audit_event(name, client_for, coordinator, objects):
    data, action = WRITES[name]
    client = _client(client_for, coordinator)
    assert client.post(url(name, *objects[name]), data).status_code == 302
    assert AuditEvent.objects.filter(action=action, actor=coordinator).exists()


def test_reassigning_and_recording_the_attending_gp_are_audited(client_for, coordinator, gp,
                                                                 nurse, objects):  # fmt: skip
    client = _client(client_for, coordinator)
    client.post(url("reassign", *objects["reassign"]), {"assignee": str(nurse.public_id)})
    client.post(url("attending_gp", *objects["attending_gp"]),
                {"attending_gp": str(gp.public_id)})  # fmt: skip
    actions = set(AuditEvent.objects.filter(actor=coordinator).values_list("action", flat=True))
    assert {"pathway.task_reassign", "patient.attending_gp"} <= actions


def test_the_list_of_enrolments_names_the_enrolments_read_in_the_audit(client_for, gp,
                                                                        enrolment):  # fmt: skip
    _client(client_for, gp).get(url("enrolments"))
    event = AuditEvent.objects.get(action="patient.list", actor=gp)
    assert event.patient == enrolment.patient.public_id
    assert event.detail == {"via": "pathways.enrolments"}


# Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["indicators", "indicators_csv", "meeting_attendance_report",
                                  "meeting_attendance_csv", "meeting_attendance_totals_csv"])
@pytest.mark.parametrize("bounds", [{"au": "9999-12-31"}, {"du": "0001-01-01"},
                                    {"du": "2026-02-30"}])  # fmt: skip
def test_a_period_out_of_range_is_a_400_with_a_message_not_a_500(name, bounds, client_for,
                                                                 coordinator):  # fmt: skip
    response = _client(client_for, coordinator).get(url(name), bounds)
    assert response.status_code == 400


def test_a_result_the_database_cannot_hold_is_refused_even_when_confirmed(enrolment, gp):
    task = enrolment.tasks.get(step__code="hba1c")
    with pytest.raises(ValidationError) as error:
        services.complete(task=task, actor=gp, value="1000000000", confirm_out_of_range=True)
    assert "trop grande" in str(error.value)
    task.refresh_from_db()
    assert task.status == Task.Status.DUE


def test_a_result_is_stored_rounded_to_two_decimals(enrolment, gp):
    task = enrolment.tasks.get(step__code="hba1c")
    done = services.complete(task=task, actor=gp, value="7,256")
    done.refresh_from_db()
    assert done.result_number == Decimal("7.26")


def test_a_completion_comment_over_300_characters_is_refused(enrolment, gp):
    task = enrolment.tasks.get(step__code="hba1c")
    with pytest.raises(ValidationError):
        services.complete(task=task, actor=gp, value="7", note="x" * 301)
    task.refresh_from_db()
    assert task.status == Task.Status.DUE


def test_the_same_note_posted_twice_is_kept_once(client_for, gp, enrolment):
    # As for a decision: the second post says, next to the note, that it is already there.
    client = _client(client_for, gp)
    statuses = [client.post(url("note", enrolment.public_id),
                            {"text": "Hospitalisée hier.", "kind": "hospitalised"}).status_code
                for _ in range(2)]  # fmt: skip
    assert statuses == [302, 400]
    assert CoordinationNote.objects.filter(enrolment=enrolment).count() == 1


def test_the_same_decision_posted_twice_creates_one_decision_and_one_task(client_for, gp,
                                                                          case):  # fmt: skip
    soon = timezone.localdate() + datetime.timedelta(days=10)
    data = {"text": "Avis diététique", "task_label": "Diététicienne",
            "task_due": f"{soon:%Y-%m-%d}", "task_assignee": str(gp.public_id)}  # fmt: skip
    client = _client(client_for, gp)
    first = client.post(url("meeting_decision", case.public_id), data)
    second = client.post(url("meeting_decision", case.public_id), data)
    assert (first.status_code, second.status_code) == (302, 400)
    assert CaseDecision.objects.filter(case=case).count() == 1
    assert Task.objects.filter(label="Diététicienne").count() == 1


def test_a_note_is_kept_when_the_alert_email_cannot_be_sent(client_for, gp, enrolment,
                                                            monkeypatch, run_jobs):  # fmt: skip
    from django.core.mail import EmailMessage

    from maillage.notifications.models import Delivery

    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "get_connection", lambda self, fail_silently=False: Down())
    client = _client(client_for, gp)
    response = client.post(url("note", enrolment.public_id),
                           {"text": "Chute à domicile.", "kind": "event"}, follow=True)
    assert response.status_code == 200
    run_jobs()
    assert CoordinationNote.objects.filter(enrolment=enrolment, kind="event").exists()
    # The e-mail waits for its next attempt; the alert is in the team's bell meanwhile.
    email = Delivery.objects.get(notification__kind="pathways.event_alert", channel="email")
    assert email.status == "pending" and "SMTP down" in email.last_error
    assert email.notification.in_app


def test_reminders_are_recorded_and_retried_when_the_mail_server_fails(enrolment, monkeypatch,
                                                                       run_jobs):  # fmt: skip
    from django.core.mail import EmailMessage

    from maillage.notifications.models import Delivery

    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "get_connection", lambda self, fail_silently=False: Down())
    assert reminders.reminder_counts(day=timezone.localdate(), horizon_days=7)
    stats = reminders.send_reminders()
    run_jobs()
    assert ReminderLog.objects.count() == stats["sent"] > 0
    emails = Delivery.objects.filter(notification__kind="pathways.reminder", channel="email")
    assert emails.count() == stats["sent"]
    assert all(e.status == "pending" and e.next_attempt_at for e in emails)


# Accessibility ---------------------------------------------------------------------


def test_every_form_control_of_the_pathways_pages_has_a_label_and_every_button_a_name(
    client_for, coordinator, objects
):
    from html.parser import HTMLParser

    class Controls(HTMLParser):
        def __init__(self):
            super().__init__()
            self.labels, self.controls, self.buttons, self.in_button = set(), [], [], False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "label" and attrs.get("for"):
                self.labels.add(attrs["for"])
            if tag in ("input", "select", "textarea") and attrs.get("type") not in (
                "hidden", "submit"
            ):
                self.controls.append(attrs)
            if tag == "button":
                self.in_button, self.text = True, attrs.get("aria-label", "")

        def handle_data(self, data):
            if self.in_button:
                self.text += data.strip()

        def handle_endtag(self, tag):
            if tag == "button":
                self.buttons.append(self.text)
                self.in_button = False

    client = _client(client_for, coordinator)
    pages = ["enrolment", "enrolments", "due", "enrol", "editor_list", "editor_new",
             "editor_draft", "editor_step_new", "editor_template", "meetings", "meeting_new",
             "meeting", "meeting_attendance", "meeting_decision",
             "meeting_attendance_report", "indicators", "pps"]  # fmt: skip
    for name in pages:
        response = client.get(url(name, *objects[name]))
        assert response.status_code == 200, name
        parser = Controls()
        parser.feed(response.content.decode())
        for control in parser.controls:
            named = control.get("id") in parser.labels or control.get("aria-label") \
                or control.get("aria-labelledby")  # fmt: skip
            assert named, (name, control)
        assert all(parser.buttons), (name, parser.buttons)


def test_a_former_team_member_cannot_change_the_attending_gp_after_the_pathway_ended(
    client_for, coordinator, gp, nurse, enrolment
):
    services.end_enrolment(enrolment=enrolment, actor=coordinator, reason="Déménagement")
    client = _client(client_for, nurse)
    client.post(url("attending_gp", enrolment.public_id), {"attending_gp": str(gp.public_id)})
    enrolment.patient.refresh_from_db()
    assert enrolment.patient.attending_gp_id is None
    page = client.get(url("enrolment", enrolment.public_id)).content.decode()
    assert "Enregistrer le médecin traitant" not in page


# Invalid input: 400, the message next to the field, nothing stored -----------------------


def pathways_state():
    """What a refused post must leave as it was."""
    from maillage.patients.models import Patient

    return (
        list(CoordinationNote.objects.values_list("pk", "kind", "text")),
        list(Task.objects.values_list("pk", "status", "assignee_id", "result_number",
                                      "result_note")),
        list(Enrolment.objects.values_list("pk", "ended_at")),
        list(Patient.objects.values_list("pk", "attending_gp_id")),
        list(Meeting.objects.values_list("pk", "status", "summary")),
        CaseDecision.objects.count(),
        list(PathwayTemplate.objects.values_list("pk", "name", "version")),
        sorted(PathwayTemplate.objects.values_list("steps__pk", "steps__profession_code")),
    )  # fmt: skip


def error_next_to(body: str, field: str) -> str:
    """The message shown under the field `field` (whatever the form's id prefix)."""
    import re

    found = re.search(rf'<p class="error" id="[\w-]*?{field}_error" role="alert">([^<]+)</p>',
                      body)  # fmt: skip
    assert found, f"no error next to {field}"
    return found.group(1)


BAD_INPUT = [
    # (URL name, field, bad value, part of the message)
    ("note", "text", "", "Écrivez la note."),
    ("note", "text", "   ", "Écrivez la note."),
    ("note", "text", "x" * 4001, "4000 caractères"),
    ("note", "kind", "anniversaire", "Choisissez un type de note dans la liste."),
    ("end", "reason", "", "Indiquez pourquoi le parcours se termine."),
    ("end", "reason", "x" * 201, "200 caractères"),
    ("attending_gp", "attending_gp", MISSING, "Choisissez un médecin généraliste membre de la "
                                              "CPTS"),
    ("complete", "value", "", "Indiquez le résultat."),
    ("complete", "value", "abc", "Valeur numérique attendue"),
    ("complete", "value", "1000000000", "Valeur trop grande"),
    ("complete", "value", "1e9", "sans exposant"),
    ("complete", "note", "x" * 301, "300 caractères"),
    ("reassign", "assignee", MISSING, "Choisissez un membre de l'équipe de soins"),
    ("reassign", "assignee", "pharmacist", "Choisissez un membre de l'équipe de soins"),
    ("enrol", "patient", MISSING, "Choisissez un patient parmi ceux que vous suivez."),
    ("enrol", "template", "pas-un-parcours", "Choisissez un parcours dans la liste."),
    ("enrol", "team", [], "un et un seul référent"),
    ("editor_new", "name", "", "Indiquez le nom du parcours."),
    ("editor_step_new", "profession_code", "99", "choix valide"),
    ("editor_step", "result_kind", "couleur", "choix valide"),
    ("editor_step", "due_offset_days", "-5", "supérieure ou égale à 0"),
    ("meeting_new", "title", "", "Indiquez l'intitulé de la réunion."),
    ("meeting_new", "duration_minutes", "3", "au moins 5 minutes"),
    ("meeting_new", "participants", MISSING, "Participant inconnu"),
    ("meeting_add_case", "enrolment", MISSING, "Choisissez un patient parmi vos parcours."),
    ("meeting_add_case", "patient", MISSING, "Aucun patient ne correspond"),
    ("meeting_add_case", "question", "", "Indiquez la question posée."),
    ("meeting_invite", "participants", MISSING, "Participant inconnu"),
    ("meeting_decision", "text", "", "Indiquez la décision prise."),
    ("meeting_decision", "task_assignee", MISSING, "choix valide"),
    ("meeting_decision", "advance_task", MISSING, "choix valide"),
    ("meeting_decision", "task_due", "2026-02-30", "Date invalide."),
    ("meeting_decision", "task_profession", "99", "choix valide"),
]


@pytest.mark.parametrize(("name", "field", "value", "message"), BAD_INPUT,
                         ids=[f"{c[0]}-{c[1]}-{str(c[2])[:8]}" for c in BAD_INPUT])  # fmt: skip
def test_a_bad_value_on_a_pathways_form_is_a_400_with_its_message_next_to_the_field(
    name, field, value, message, client_for, coordinator, home_cpts, objects, enrolment, gp,
    nurse, pharmacist, draft,
):
    client = _client(client_for, coordinator)
    payload = _payloads(home_cpts, objects, enrolment, gp, nurse, draft)[name]
    if value == "pharmacist":
        value = str(pharmacist.public_id)  # a member of the CPTS, outside the care team
    if name == "enrol" and field == "team":
        payload = {**payload, "referent": ""}
    before = pathways_state()
    response = client.post(url(name, *objects[name]), {**payload, field: value})
    assert response.status_code == 400
    assert message in error_next_to(text_of(response), ERROR_AT.get((name, field), field))
    assert pathways_state() == before


# The case's pathway is a hidden field until a patient in several pathways asks for it: its
# errors are shown next to the patient picker.
ERROR_AT = {("meeting_add_case", "enrolment"): "patient"}


@pytest.mark.parametrize(("status", "message"), [
    ("reportée", "Statut inconnu : la réunion est tenue ou annulée."),
    ("", "Indiquez si la réunion est tenue ou annulée."),
    ("held", "Enregistrez les présences"),  # the meeting has started, nobody recorded
])  # fmt: skip
def test_a_bogus_meeting_status_is_a_400_that_says_why(status, message, client_for,
                                                        coordinator, case):  # fmt: skip
    client = _client(client_for, coordinator)
    before = pathways_state()
    response = client.post(url("meeting_status", case.meeting.public_id), {"status": status})
    assert response.status_code == 400
    assert message in text_of(response)
    assert pathways_state() == before


def test_a_task_already_done_says_so_at_the_top_of_the_page(client_for, gp, enrolment):
    task = enrolment.tasks.filter(step__code="hba1c").get()
    client = _client(client_for, gp)
    assert client.post(url("complete", task.public_id), {"value": "7,1"}).status_code == 302
    again = client.post(url("complete", task.public_id), {"value": "7,2"})
    assert again.status_code == 400
    assert "Cette tâche est déjà faite." in text_of(again)


def text_of(response) -> str:
    import html

    return html.unescape(response.content.decode())
