"""Pathway indicators: patients per pathway, up-to-date follow-up, late tasks, meetings;
exact figures on a small built dataset, access, CSV."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import Cpts, Membership, Role, User
from maillage.pathways import indicators, services
from maillage.pathways.models import (
    Meeting,
    MeetingAttendance,
    MeetingCase,
    PathwayTemplate,
    Task,
)
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"


@pytest.fixture
def world(db):
    """A CPTS of its own, so that no other data changes the figures."""
    cpts = Cpts.objects.create(slug="cpts-indicateurs", name="CPTS des indicateurs")
    coordinator = User.objects.create_user("coord@indicateurs.test", first_name="Léa",
                                           last_name="Coord")  # fmt: skip
    gp = User.objects.create_user("gp@indicateurs.test", first_name="Marc", last_name="Med")
    nurse = User.objects.create_user("ide@indicateurs.test", first_name="Ines", last_name="Ide")
    Membership.objects.create(user=coordinator, cpts=cpts, role=Role.COORDINATOR)
    Membership.objects.create(user=gp, cpts=cpts, role=Role.PROFESSIONAL)
    Membership.objects.create(user=nurse, cpts=cpts, role=Role.PROFESSIONAL)
    return cpts, coordinator, gp, nurse


def _template(slug):
    return PathwayTemplate.objects.get(slug=slug, cpts__isnull=True)


def _enrol(world, name, slug):
    cpts, coordinator, gp, nurse = world
    patient = patient_create(
        cpts=cpts, actor=coordinator, consent_method="oral",
        data={"birth_name": name, "first_names": "Test", "birth_date": "1955-01-01",
              "sex": "F", "commune": "38053", "phone": "0600000000"},
        allow_duplicate=True,
    )  # fmt: skip
    enrolment = services.enrol(cpts=cpts, patient=patient, template=_template(slug),
                               actor=coordinator, team=[(gp, "MT", True)])  # fmt: skip
    # Nothing late unless a test says so.
    enrolment.tasks.update(due_date=timezone.localdate() + datetime.timedelta(days=10))
    return enrolment


def _hba1c(enrolment, days_ago, gp):
    task = Task.objects.get(enrolment=enrolment, step__code="hba1c", status="due")
    services.complete(task=task, actor=gp, value="7",
                      on=timezone.localdate() - datetime.timedelta(days=days_ago))  # fmt: skip


def _late(enrolment, code, days=1):
    Task.objects.filter(enrolment=enrolment, step__code=code, status="due").update(
        due_date=timezone.localdate() - datetime.timedelta(days=days)
    )


def _meeting(cpts, days_ago, status, cases=(), present=()):
    meeting = Meeting.objects.create(
        cpts=cpts, title=f"RCP J-{days_ago}", status=status, duration_minutes=60,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
    )  # fmt: skip
    for position, (enrolment, reviewed) in enumerate(cases):
        MeetingCase.objects.create(meeting=meeting, enrolment=enrolment, question="?",
                                   reviewed=reviewed, position=position)  # fmt: skip
    for user, minutes in present:
        MeetingAttendance.objects.create(meeting=meeting, user=user, present=minutes > 0,
                                         minutes=minutes)  # fmt: skip
    return meeting


@pytest.fixture
def dataset(world):
    cpts, coordinator, gp, nurse = world
    a, b, c, d = (_enrol(world, n, "diabete-type-2") for n in ("Alpha", "Beta", "Gamma", "Delta"))
    _hba1c(a, 30, gp)  # recent: up to date; next one due in 61 days
    _hba1c(b, 200, gp)  # too old; the next one became late 109 days ago
    _late(c, "lipides")  # C: no HbA1c at all, one late task
    _late(d, "lipides")
    d.ended_at = timezone.now()  # an ended enrolment counts nowhere
    d.save()
    e, f = (_enrol(world, n, "insuffisance-cardiaque") for n in ("Epsilon", "Phi"))
    _late(e, "bnp", days=5)
    _meeting(cpts, 10, Meeting.Status.HELD, cases=[(a, True), (b, True), (c, False)],
             present=[(coordinator, 60), (gp, 45), (nurse, 0)])
    _meeting(cpts, 5, Meeting.Status.HELD, cases=[(a, True)], present=[(gp, 30)])
    _meeting(cpts, 3, Meeting.Status.CANCELLED, cases=[(e, True)], present=[(gp, 60)])
    _meeting(cpts, 100, Meeting.Status.HELD, cases=[(f, True)], present=[(gp, 90)])
    return cpts


def _period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=60), today


def test_pathway_figures_on_a_small_dataset(dataset):
    start, end = _period()
    data = indicators.compute(dataset, start=start, end=end)
    rows = {p["slug"]: p for p in data["pathways"]}
    diabetes = rows["diabete-type-2"]
    assert (diabetes["patients"], diabetes["up_to_date"], diabetes["up_to_date_share"]) == (
        3, 1, 33.3)
    assert diabetes["late_tasks"] == 2  # B's HbA1c and C's lipid profile; D has ended
    heart = rows["insuffisance-cardiaque"]
    assert (heart["patients"], heart["up_to_date"], heart["up_to_date_share"]) == (2, 1, 50.0)
    assert heart["late_tasks"] == 1
    frail = rows["personne-agee-fragile"]
    assert (frail["patients"], frail["up_to_date_share"], frail["late_tasks"]) == (0, None, 0)


def test_meeting_figures_count_held_meetings_of_the_period(dataset):
    start, end = _period()
    data = indicators.compute(dataset, start=start, end=end)
    assert data["meetings"] == {"meetings_held": 2, "cases_reviewed": 3,
                                "patients_reviewed": 2, "attendance_minutes": 135}  # fmt: skip
    wider = indicators.compute(dataset, start=start - datetime.timedelta(days=60), end=end)
    assert wider["meetings"] == {"meetings_held": 3, "cases_reviewed": 4,
                                 "patients_reviewed": 3, "attendance_minutes": 225}  # fmt: skip


def test_figures_take_a_fixed_number_of_queries(dataset, django_assert_max_num_queries):
    start, end = _period()
    with django_assert_max_num_queries(8):
        indicators.compute(dataset, start=start, end=end)


def test_coordinator_and_board_see_the_page_others_get_404(client_for, coordinator,
                                                           board_member, gp, partner,
                                                           outsider):  # fmt: skip
    page = reverse("pathways:indicators", args=[HOME])
    for user in (coordinator, board_member):
        response = client_for(user).get(page)
        assert response.status_code == 200
        assert "Diabète de type 2" in text(response)
    for user in (gp, partner, outsider):
        assert client_for(user).get(page).status_code == 404
        assert client_for(user).get(reverse("pathways:indicators_csv",
                                            args=[HOME])).status_code == 404  # fmt: skip


def test_indicators_csv(client_for, world, dataset):
    cpts = world[0]
    # A board member (no second factor needed: no patient data) reads the aggregates.
    treasurer = User.objects.create_user("ca@indicateurs.test")
    Membership.objects.create(user=treasurer, cpts=cpts, role=Role.BOARD)
    start, end = _period()
    response = client_for(treasurer).get(
        reverse("pathways:indicators_csv", args=[cpts.slug]),
        {"du": start.isoformat(), "au": end.isoformat()},
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == ["Indicateur", "Valeur"]
    values = dict(rows[1:])
    assert values["Diabète de type 2 : patients inclus"] == "3"
    assert values["Diabète de type 2 : part avec suivi à jour (%)"] == "33.3"
    assert values["Insuffisance cardiaque chronique : tâches en retard"] == "1"
    period = f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
    assert values[f"Réunions de concertation tenues ({period})"] == "2"
    assert values[f"Temps de présence en réunion, minutes ({period})"] == "135"


def test_bad_period_is_a_clear_400(client_for, coordinator):
    response = client_for(coordinator).get(reverse("pathways:indicators", args=[HOME]),
                                           {"du": "2026-03-01", "au": "2026-01-01"})  # fmt: skip
    assert response.status_code == 400
    assert "La date de début est après la date de fin." in text(response)
