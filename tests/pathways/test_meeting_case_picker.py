"""A case is put on a concertation meeting's agenda by typing the patient's name (picker over
the patients the caller follows, need-to-know): no list of pathways cut at 500, an
outsider's patient is never suggested, every patient suggested is audited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership
from maillage.pathways import meetings, services
from maillage.pathways.models import CareTeamMember, Enrolment, PathwayTemplate
from maillage.patients.models import Patient, match_key
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


def member(user, cpts):
    return Membership.objects.get(user=user, cpts=cpts)


def url(name, *args, slug=HOME):
    return reverse(f"pathways:{name}", args=[slug, *args])


@pytest.fixture
def meeting(home_cpts, coordinator, gp, pharmacist):
    starts = timezone.localtime() + datetime.timedelta(days=3)
    return meetings.schedule(
        cpts=home_cpts, organiser_membership=member(coordinator, home_cpts), title="RCP",
        starts_at=starts.replace(minute=0, second=0, microsecond=0), duration_minutes=60,
        place="MSP", participants=[gp, pharmacist],
    )  # fmt: skip


def _many_followed(home_cpts, diabetes, gp, count):
    """`count` patients in a pathway whose care team is the GP, named so that they all sort
    before "Zola" (the old select stopped at the 500th)."""
    born = datetime.date(1950, 1, 1)
    patients = Patient.objects.bulk_create([
        Patient(cpts=home_cpts, birth_name=f"Aaron{i:04d}", first_names="Paul", birth_date=born,
                sex="M", match_key=match_key(f"Aaron{i:04d}", "Paul", born))
        for i in range(count)
    ])  # fmt: skip
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(cpts=home_cpts, patient=p, template=diabetes) for p in patients
    ])
    CareTeamMember.objects.bulk_create([
        CareTeamMember(enrolment=e, user=gp, role="MT", is_referent=True) for e in enrolments
    ])


def test_a_patient_beyond_the_500th_is_added_by_typing_their_name(
        client_for, home_cpts, diabetes, coordinator, gp, meeting):  # fmt: skip
    _many_followed(home_cpts, diabetes, gp, 501)
    zola = patient_create(cpts=home_cpts, actor=coordinator, consent_method="oral",
                          allow_duplicate=True,
                          data={"birth_name": "Zola", "first_names": "Émile", "sex": "M",
                                "birth_date": "1940-04-02", "commune": "38053"})  # fmt: skip
    late = services.enrol(cpts=home_cpts, patient=zola, template=diabetes, actor=coordinator,
                          team=[(gp, "médecin traitant", True)])  # fmt: skip
    client = client_for(gp)
    page = text(client.get(url("meeting", meeting.public_id)))
    assert "Aaron0000" not in page  # the page lists nobody: the picker asks for a name
    suggestions = client.get(reverse("patients:suggestions", args=[HOME]),
                             {"field": "patient_search", "patient_search": "zola emile"})
    assert "ZOLA Émile" in text(suggestions)
    response = client.post(url("meeting_add_case", meeting.public_id), {
        "patient": "", "patient_search": "Zola Émile", "enrolment": "", "question": "Suite ?"})
    assert response.status_code == 302
    assert meeting.cases.get().enrolment == late


def test_the_chosen_id_from_a_suggestion_is_enough(client_for, gp, meeting, enrolment, patient):
    response = client_for(gp).post(url("meeting_add_case", meeting.public_id), {
        "patient": str(patient.public_id), "patient_search": "x", "question": "Insuline ?"})
    assert response.status_code == 302
    assert meeting.cases.get().enrolment == enrolment


def test_suggestions_of_the_case_picker_are_audited(client_for, gp, meeting, enrolment,
                                                    patient):  # fmt: skip
    client = client_for(gp)
    body = text(client.get(url("meeting", meeting.public_id)))
    assert reverse("patients:suggestions", args=[HOME]) in client.get(
        url("meeting", meeting.public_id)).content.decode()
    assert patient.display_name not in body.split("Ajouter un dossier")[-1]
    client.get(reverse("patients:suggestions", args=[HOME]),
               {"field": "patient_search", "patient_search": "Vasseur"})
    assert AuditEvent.objects.filter(patient=patient.public_id, action="patient.list",
                                     detail__via="patients.picker").exists()


def test_an_outsiders_or_unfollowed_patient_is_never_offered(client_for, home_cpts, other_cpts,
                                                             pharmacist, outsider, meeting,
                                                             enrolment, patient):  # fmt: skip
    # The pharmacist is invited but not in the care team: the patient is not theirs.
    client = client_for(pharmacist)
    suggestions = client.get(reverse("patients:suggestions", args=[HOME]),
                             {"field": "patient_search", "patient_search": "Vasseur"})
    assert "VASSEUR" not in text(suggestions)
    for posted in ({"patient": str(patient.public_id)}, {"patient_search": "Vasseur Lucienne"},
                   {"enrolment": str(enrolment.public_id)}):
        response = client.post(url("meeting_add_case", meeting.public_id),
                               {"question": "?", **posted})  # fmt: skip
        assert response.status_code == 400
        assert patient.display_name not in text(response)  # only what was typed comes back
    assert meeting.cases.count() == 0
    # Someone of another CPTS is not even let in.
    other = client_for(outsider)
    assert other.get(reverse("patients:suggestions", args=[HOME]),
                     {"field": "patient_search", "patient_search": "Vasseur"}).status_code == 404
    assert other.post(url("meeting_add_case", meeting.public_id), {
        "patient": str(patient.public_id), "question": "?"}).status_code == 404


def test_a_patient_in_two_pathways_is_asked_which(client_for, home_cpts, coordinator, gp,
                                                  meeting, enrolment, patient):  # fmt: skip
    other_template = PathwayTemplate.objects.filter(cpts__isnull=True).exclude(
        pk=enrolment.template_id).first()  # fmt: skip
    second = services.enrol(cpts=home_cpts, patient=patient, template=other_template,
                            actor=coordinator, team=[(gp, "MT", True)])  # fmt: skip
    client = client_for(gp)
    asked = client.post(url("meeting_add_case", meeting.public_id), {
        "patient": str(patient.public_id), "patient_search": "Vasseur", "question": "?"})
    assert asked.status_code == 400
    body = text(asked)
    assert "plusieurs parcours" in body and other_template.name in body
    assert meeting.cases.count() == 0
    chosen = client.post(url("meeting_add_case", meeting.public_id), {
        "patient": str(patient.public_id), "patient_search": "Vasseur",
        "enrolment": str(second.public_id), "question": "?"})
    assert chosen.status_code == 302
    assert meeting.cases.get().enrolment == second


def test_no_patient_typed_is_a_clear_error(client_for, gp, meeting, enrolment):
    response = client_for(gp).post(url("meeting_add_case", meeting.public_id),
                                   {"patient": "", "patient_search": "", "question": "?"})
    assert response.status_code == 400
    assert "Choisissez un patient" in text(response)
    assert meeting.cases.count() == 0


def test_a_case_already_on_the_agenda_is_said_next_to_the_patient(client_for, gp, meeting,
                                                                  enrolment, patient):  # fmt: skip
    client = client_for(gp)
    data = {"patient": str(patient.public_id), "patient_search": "Vasseur", "question": "?"}
    assert client.post(url("meeting_add_case", meeting.public_id), data).status_code == 302
    again = client.post(url("meeting_add_case", meeting.public_id), data)
    assert again.status_code == 400
    assert 'id="id_patient_error"' in again.content.decode()
    assert "déjà à l'ordre du jour" in text(again)
