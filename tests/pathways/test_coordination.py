"""Care-team coordination: who gets each task, the médecin traitant proposed first,
reassignment, notes and events that alert the team, and the daily reminder."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.directory.models import DirectoryEntry, Professional
from maillage.pathways import services
from maillage.pathways.models import CoordinationNote, ReminderLog, Task
from maillage.pathways.reminders import send_reminders
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


@pytest.fixture
def nurse_in_directory(home_cpts, nurse):
    professional = Professional.objects.create(
        national_id="10000000060", last_name="Infirmière", first_name="Test",
        profession_code="60", profession="Infirmier", search_name="infirmiere test",
    )  # fmt: skip
    DirectoryEntry.objects.filter(cpts=home_cpts, account=nurse).update(account=None)
    DirectoryEntry.objects.create(cpts=home_cpts, professional=professional, account=nurse)
    return nurse


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(
        cpts=home_cpts, actor=coordinator, consent_method="oral", allow_duplicate=True,
        data={"birth_name": "Roux", "first_names": "Hélène", "birth_date": "1950-06-01",
              "sex": "F", "commune": "38053", "phone": "0611223344"},
    )  # fmt: skip


@pytest.fixture
def enrolment(home_cpts, patient, diabetes, coordinator, gp, nurse_in_directory):
    return services.enrol(
        cpts=home_cpts, patient=patient, template=diabetes, actor=coordinator,
        team=[(gp, "médecin traitant", True), (nurse_in_directory, "IDEL", False)],
        on=datetime.date(2026, 1, 5),
    )  # fmt: skip


def open_task(enrolment, code):
    return Task.objects.get(enrolment=enrolment, step__code=code, status="due")


def test_tasks_go_to_the_member_of_the_step_profession_else_the_referent(enrolment, gp, nurse):
    # ETP is a nurse's step (profession 60); HbA1c a GP's; the dentist has no one: référent.
    assert open_task(enrolment, "etp").assignee == nurse
    assert open_task(enrolment, "hba1c").assignee == gp
    assert open_task(enrolment, "dentaire").assignee == gp


def test_recurring_task_keeps_its_holder(enrolment, gp, nurse):
    hba1c = open_task(enrolment, "hba1c")
    services.reassign(task=hba1c, assignee=nurse, actor=gp)
    services.complete(task=hba1c, actor=nurse, value="7,1", on=datetime.date(2026, 1, 6))
    assert open_task(enrolment, "hba1c").assignee == nurse


def test_attending_gp_is_proposed_first_and_as_referent(home_cpts, patient, gp, coordinator,
                                                        client_for):  # fmt: skip
    from maillage.patients.services import set_attending_gp

    set_attending_gp(patient=patient, gp=gp, actor=coordinator)
    members, proposed = services.proposed_team(home_cpts, patient)
    assert proposed == gp.pk and members[0].user == gp
    page = client_for(coordinator).get(
        reverse("pathways:enrol", args=[HOME]) + f"?patient={patient.public_id}"
    )
    html = page.content.decode()
    membership = members[0]
    assert f'id="team-{membership.public_id}" name="team" value="{membership.public_id}" checked' \
        in html  # fmt: skip
    assert f'id="ref-{membership.public_id}" name="referent" value="{membership.public_id}"' in html
    assert "médecin traitant" in text(page)


def test_attending_gp_must_be_a_professional_member(patient, coordinator, outsider, partner):
    from maillage.patients.services import set_attending_gp

    for stranger in (outsider, partner):
        with pytest.raises(ValidationError, match="professionnel membre"):
            set_attending_gp(patient=patient, gp=stranger, actor=coordinator)
    patient.refresh_from_db()
    assert patient.attending_gp is None


def test_declared_gp_request_sets_the_attending_gp(home_cpts, patient, gp, coordinator):
    from maillage.gp_access.models import GpRequest, Status
    from maillage.gp_access.services import transition

    gp_request = GpRequest.objects.create(cpts=home_cpts, patient=patient, status=Status.ACCEPTED)
    transition(gp_request=gp_request, to_status=Status.ASSIGNED, actor=coordinator,
               assigned_gp=gp)  # fmt: skip
    patient.refresh_from_db()
    assert patient.attending_gp == gp


def test_coordinator_reassigns_a_late_task_from_the_dashboard(enrolment, client_for, coordinator,
                                                              nurse):  # fmt: skip
    hba1c = open_task(enrolment, "hba1c")
    client = client_for(coordinator)
    dashboard = client.get(reverse("pathways:due", args=[HOME]))
    assert dashboard.status_code == 200 and "Réattribuer" in text(dashboard)
    response = client.post(reverse("pathways:reassign", args=[HOME, hba1c.public_id]),
                           {"assignee": str(nurse.public_id), "next": "due"})  # fmt: skip
    assert response.status_code == 302
    hba1c.refresh_from_db()
    assert hba1c.assignee == nurse
    assert AuditEvent.objects.filter(action="pathway.task_reassign", actor=coordinator).exists()


def test_reassignment_rules(enrolment, client_for, gp, nurse, pharmacist, outsider):
    hba1c = open_task(enrolment, "hba1c")
    url = reverse("pathways:reassign", args=[HOME, hba1c.public_id])
    # A team member who is not the référent cannot hand tasks over.
    assert client_for(nurse).post(url, {"assignee": str(nurse.public_id)}).status_code == 404
    assert client_for(outsider).post(url, {"assignee": str(gp.public_id)}).status_code == 404
    # The référent can, but only to someone of the care team.
    client_for(gp).post(url, {"assignee": str(pharmacist.public_id)})
    hba1c.refresh_from_db()
    assert hba1c.assignee == gp
    with pytest.raises(ValidationError, match="équipe de soins"):
        services.reassign(task=hba1c, assignee=pharmacist, actor=gp)
    client_for(gp).post(url, {"assignee": str(nurse.public_id)})
    hba1c.refresh_from_db()
    assert hba1c.assignee == nurse


def test_professional_sees_own_tasks_and_all_with_the_filter(enrolment, client_for, nurse):
    client = client_for(nurse)
    mine = text(client.get(reverse("pathways:due", args=[HOME])))
    assert "Éducation thérapeutique" in mine and "HbA1c" not in mine
    everything = text(client.get(reverse("pathways:due", args=[HOME]) + "?tout=1"))
    assert "HbA1c" in everything


def test_event_alerts_the_rest_of_the_team_without_health_data(enrolment, client_for, gp, nurse,
                                                                run_jobs):  # fmt: skip
    mail.outbox.clear()
    response = client_for(nurse).post(
        reverse("pathways:note", args=[HOME, enrolment.public_id]),
        {"kind": "hospitalised", "text": "Hospitalisée au CH Pierre Oudot pour décompensation."},
    )
    assert response.status_code == 302
    note = CoordinationNote.objects.get(enrolment=enrolment)
    assert note.author == nurse and note.kind == "hospitalised"
    run_jobs()
    assert [m.to for m in mail.outbox] == [[gp.email]]
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert "Roux" not in body and "décompensation" not in body
    assert str(enrolment.public_id) in body
    page = text(client_for(gp).get(reverse("pathways:enrolment", args=[HOME, enrolment.public_id])))
    assert "décompensation" in page and "Hospitalisation" in page
    due = text(client_for(gp).get(reverse("pathways:due", args=[HOME])))
    assert "Événements récents" in due and "ROUX Hélène" in due


def test_plain_note_sends_nothing_and_bad_notes_are_refused(enrolment, gp, run_jobs):
    mail.outbox.clear()
    services.add_note(enrolment=enrolment, author=gp, text="RAS, HbA1c stable.")
    run_jobs()
    assert mail.outbox == []
    for bad in ("", "   ", "x" * 4001):
        with pytest.raises(ValidationError):
            services.add_note(enrolment=enrolment, author=gp, text=bad)
    with pytest.raises(ValidationError, match="inconnu"):
        services.add_note(enrolment=enrolment, author=gp, text="ok", kind="gossip")
    assert CoordinationNote.objects.filter(enrolment=enrolment).count() == 1


def test_notes_are_hidden_from_outside_the_team(enrolment, client_for, gp, pharmacist, outsider):
    services.add_note(enrolment=enrolment, author=gp, text="Confidentiel")
    url = reverse("pathways:note", args=[HOME, enrolment.public_id])
    for user in (pharmacist, outsider):
        assert client_for(user).post(url, {"text": "intrus"}).status_code == 404
    assert CoordinationNote.objects.filter(enrolment=enrolment).count() == 1


def test_daily_reminder_counts_late_and_due_soon_once_a_day(enrolment, gp, nurse, run_jobs):
    mail.outbox.clear()
    day = datetime.date(2026, 2, 10)
    stats = send_reminders(day=day, horizon_days=7)
    run_jobs()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {gp.email, nurse.email}
    gp_late = Task.objects.filter(enrolment=enrolment, assignee=gp, status="due",
                                  due_date__lt=day).count()  # fmt: skip
    assert gp_late > 0
    assert f"{gp_late} en retard" in by_address[gp.email].subject
    assert "Roux" not in by_address[gp.email].body
    assert stats["sent"] == 2
    again = send_reminders(day=day, horizon_days=7)
    run_jobs()
    assert again["sent"] == 0 and again["already_sent"] == 2 and len(mail.outbox) == 2
    assert ReminderLog.objects.filter(day=day).count() == 2


def test_reminder_skips_ended_pathways_and_unassigned_go_to_the_referent(enrolment, gp,
                                                                         run_jobs):  # fmt: skip
    Task.objects.filter(enrolment=enrolment).update(assignee=None)
    mail.outbox.clear()
    send_reminders(day=datetime.date(2026, 2, 10))
    run_jobs()
    assert [m.to for m in mail.outbox] == [[gp.email]]
    enrolment.ended_at = datetime.datetime(2026, 2, 11, tzinfo=datetime.UTC)
    enrolment.save()
    mail.outbox.clear()
    send_reminders(day=datetime.date(2026, 2, 12))
    run_jobs()
    assert mail.outbox == []


def test_reminder_command(enrolment, capsys):
    call_command("pathway_reminders", "--date", "2026-02-10", "--cpts", HOME)
    assert "2 envoyé(s)" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("pathway_reminders", "--date", "10/02/2026")
    with pytest.raises(CommandError, match="CPTS inconnue"):
        call_command("pathway_reminders", "--cpts", "nowhere")


def test_ending_a_pathway_cancels_its_open_tasks_and_keeps_history(
    enrolment, client_for, gp, nurse, coordinator
):
    services.complete(task=open_task(enrolment, "hba1c"), actor=gp, value="7",
                      on=datetime.date(2026, 1, 6))  # fmt: skip
    url = reverse("pathways:end", args=[HOME, enrolment.public_id])
    # A team member who is not the référent cannot end it; a reason is required.
    assert client_for(nurse).post(url, {"reason": "fin"}).status_code == 404
    with pytest.raises(ValidationError, match="pourquoi"):
        services.end_enrolment(enrolment=enrolment, actor=gp, reason="  ")
    assert client_for(gp).post(url, {"reason": "Déménagement"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.ended_at is not None and enrolment.end_reason == "Déménagement"
    assert not enrolment.tasks.filter(status="due").exists()
    assert enrolment.tasks.filter(status="done").count() == 1
    assert AuditEvent.objects.filter(action="pathway.end", object_id=enrolment.public_id).exists()
    with pytest.raises(ValidationError, match="déjà terminé"):
        services.end_enrolment(enrolment=enrolment, actor=coordinator, reason="encore")
    page = text(client_for(gp).get(reverse("pathways:enrolment", args=[HOME, enrolment.public_id])))
    assert "Parcours terminé" in page and "Déménagement" in page


def test_partner_in_the_team_cannot_change_the_attending_gp(
    home_cpts, patient, diabetes, coordinator, gp, partner, client_for
):
    enrolment = services.enrol(
        cpts=home_cpts, patient=patient, template=diabetes, actor=coordinator,
        team=[(gp, "MT", True), (partner, "AS", False)],
    )  # fmt: skip
    url = reverse("pathways:attending_gp", args=[HOME, enrolment.public_id])
    assert client_for(partner).post(url, {"attending_gp": str(gp.public_id)}).status_code == 404
    patient.refresh_from_db()
    assert patient.attending_gp is None
    assert client_for(gp).post(url, {"attending_gp": str(gp.public_id)}).status_code == 302
    patient.refresh_from_db()
    assert patient.attending_gp == gp


def test_api_enrolment_without_team_takes_the_attending_gp_as_referent(
    client, patient, gp, coordinator
):
    from maillage.core.services import api_token_create
    from maillage.patients.services import set_attending_gp

    set_attending_gp(patient=patient, gp=gp, actor=coordinator)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    created = client.post(
        "/api/v1/pathways/enrolments",
        {"patient": str(patient.public_id), "template": "insuffisance-cardiaque"},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert created.status_code == 201
    enrolment = patient.enrolments.get()
    team = {m.user: m.is_referent for m in enrolment.team.all()}
    assert team == {gp: True, coordinator: False}


def test_the_enrolment_form_shows_only_the_patients_searched_each_one_audited(
    client_for, coordinator, patient
):
    client = client_for(coordinator)
    blank = client.get(reverse("pathways:enrol", args=[HOME]))
    assert blank.status_code == 200 and "ROUX" not in blank.content.decode().upper()
    assert not AuditEvent.objects.filter(action="patient.list", actor=coordinator).exists()
    found = client.get(reverse("pathways:enrol", args=[HOME]), {"q": "roux 01/06/1950"})
    assert "ROUX Hélène" in found.content.decode()
    shown = AuditEvent.objects.get(action="patient.list", actor=coordinator)
    assert shown.patient == patient.public_id
    assert shown.detail == {"via": "pathways.enrol_search"}
    assert "ROUX" not in client.get(reverse("pathways:enrol", args=[HOME]),
                                    {"q": "roux 02/06/1950"}).content.decode()  # fmt: skip
