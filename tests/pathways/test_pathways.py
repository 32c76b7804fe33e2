"""Pathways: shipped templates, enrolment with a care team, scheduling and rollover,
results with validation, conditional steps, access and API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.core.services import api_token_create
from maillage.pathways import services
from maillage.pathways.models import PathwayTemplate, Task
from maillage.patients.services import patient_create
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
DAY = datetime.date(2026, 1, 5)


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(
        cpts=home_cpts,
        actor=coordinator,
        consent_method="oral",
        data={
            "birth_name": "Girard",
            "first_names": "Paul",
            "birth_date": "1958-02-01",
            "sex": "M",
            "commune": "38053",
            "phone": "0612121212",
        },
        allow_duplicate=True,
    )


@pytest.fixture
def enrolment(home_cpts, patient, diabetes, coordinator, gp, nurse):
    return services.enrol(
        cpts=home_cpts,
        patient=patient,
        template=diabetes,
        actor=coordinator,
        team=[(gp, "médecin traitant", True), (nurse, "IDEL", False)],
        on=DAY,
    )


def task(enrolment, code):
    return Task.objects.get(enrolment=enrolment, step__code=code, status="due")


def test_four_templates_are_shipped():
    slugs = set(PathwayTemplate.objects.filter(cpts__isnull=True).values_list("slug", flat=True))
    assert {
        "diabete-type-2",
        "personne-agee-fragile",
        "retour-domicile",
        "insuffisance-cardiaque",
    } <= slugs


def test_enrolment_generates_the_first_tasks_but_not_conditional_ones(enrolment):
    codes = set(enrolment.tasks.values_list("step__code", flat=True))
    assert {"hba1c", "pieds", "fond-oeil", "lipides", "etp"} <= codes
    assert "podologue" not in codes
    assert task(enrolment, "hba1c").due_date == DAY
    assert task(enrolment, "pieds").due_date == DAY + datetime.timedelta(days=30)


def test_hba1c_completion_schedules_the_next_three_months_later(enrolment, gp):
    done = services.complete(task=task(enrolment, "hba1c"), actor=gp, value="7,2", on=DAY)
    assert done.result_number == Decimal("7.2")
    assert task(enrolment, "hba1c").due_date == DAY + datetime.timedelta(days=91)


def test_out_of_range_result_asks_for_confirmation(enrolment, gp):
    with pytest.raises(ValidationError) as excinfo:
        services.complete(task=task(enrolment, "hba1c"), actor=gp, value="17", on=DAY)
    assert "hors des valeurs plausibles" in excinfo.value.message_dict["value"][0]
    assert "17 % est hors des valeurs plausibles (4 à 15)" in excinfo.value.messages[0]
    assert task(enrolment, "hba1c").status == "due"
    services.complete(
        task=task(enrolment, "hba1c"), actor=gp, value="17", on=DAY, confirm_out_of_range=True
    )


def test_a_task_cannot_be_completed_twice(enrolment, gp):
    first = task(enrolment, "etp")
    services.complete(task=first, actor=gp, on=DAY)
    with pytest.raises(ValidationError, match="déjà faite"):
        services.complete(task=first, actor=gp, on=DAY)


def test_foot_grade_one_adds_podiatrist_follow_up(enrolment, gp):
    services.complete(task=task(enrolment, "pieds"), actor=gp, value="0", on=DAY)
    assert not enrolment.tasks.filter(step__code="podologue").exists()
    second = task(enrolment, "pieds")
    services.complete(task=second, actor=gp, value="2", on=DAY)
    assert task(enrolment, "podologue").due_date == DAY + datetime.timedelta(days=30)
    with pytest.raises(ValidationError, match="entier"):
        services.complete(task=task(enrolment, "pieds"), actor=gp, value="1.5", on=DAY)


def test_enrolment_rules(home_cpts, patient, diabetes, coordinator, gp, nurse, enrolment, outsider):
    with pytest.raises(ValidationError, match="déjà ce parcours"):
        services.enrol(
            cpts=home_cpts,
            patient=patient,
            template=diabetes,
            actor=coordinator,
            team=[(gp, "", True)],
        )
    other = PathwayTemplate.objects.get(slug="retour-domicile", cpts__isnull=True)
    for team in ([(gp, "", False)], [(gp, "", True), (nurse, "", True)]):
        with pytest.raises(ValidationError, match="un et un seul référent"):
            services.enrol(
                cpts=home_cpts, patient=patient, template=other, actor=coordinator, team=team
            )
    with pytest.raises(ValidationError, match="pas membre"):
        services.enrol(
            cpts=home_cpts,
            patient=patient,
            template=other,
            actor=coordinator,
            team=[(outsider, "", True)],
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 200), min_size=1, max_size=6))
def test_rollover_keeps_one_open_task_per_step_each_after_the_last(delays):
    """Whatever the completion dates, a recurring step has exactly one open task, due
    `recurrence` days after its last completion."""
    from django.db import transaction

    from maillage.core.models import Cpts, User

    with transaction.atomic():
        cpts = Cpts.objects.get(slug=HOME)
        gp_user = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
        coordinator = User.objects.get(email="coordination@pays-berjalliens.maillage.test")
        person = patient_create(
            cpts=cpts,
            actor=coordinator,
            consent_method="oral",
            data={
                "birth_name": "Prop",
                "first_names": "X",
                "birth_date": "1950-01-01",
                "sex": "F",
                "commune": "38053",
                "phone": "0612121212",
            },
            allow_duplicate=True,
        )
        template = PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True)
        # Far enough back that every completion date (at most 6 x 200 days later) is past.
        start = timezone.localdate() - datetime.timedelta(days=6 * 200 + 1)
        current = services.enrol(
            cpts=cpts,
            patient=person,
            template=template,
            actor=coordinator,
            team=[(gp_user, "", True)],
            on=start,
        )
        day = start
        for delay in delays:
            day += datetime.timedelta(days=delay)
            services.complete(task=task(current, "hba1c"), actor=gp_user, value="7", on=day)
        open_tasks = current.tasks.filter(step__code="hba1c", status="due")
        assert open_tasks.count() == 1
        assert open_tasks.get().due_date == day + datetime.timedelta(days=91)
        transaction.set_rollback(True)


def test_access_matrix_and_audit(
    enrolment, client_for, gp, nurse, pharmacist, partner, board_member, outsider, coordinator
):
    url = reverse("pathways:enrolment", args=[HOME, enrolment.public_id])
    for user in (gp, nurse, coordinator):
        assert client_for(user).get(url).status_code == 200
    for user in (pharmacist, partner, board_member, outsider):
        assert client_for(user).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="pathway.read", actor=gp, object_id=enrolment.public_id
    ).exists()
    due = text(client_for(gp).get(reverse("pathways:due", args=[HOME])))
    assert "GIRARD Paul" in due and "en retard" in due


def test_completion_page_shows_next_due_date(enrolment, client_for, gp):
    hba1c = task(enrolment, "hba1c")
    response = client_for(gp).post(
        reverse("pathways:complete", args=[HOME, hba1c.public_id]), {"value": "6,9"}, follow=True
    )
    assert "Prochaine échéance" in text(response)


def test_api(client, coordinator, patient, gp):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=coordinator)}"}
    templates = client.get("/api/v1/pathways/templates", **auth).json()
    assert "diabete-type-2" in [t["slug"] for t in templates]
    created = client.post(
        "/api/v1/pathways/enrolments",
        {
            "patient": str(patient.public_id),
            "template": "diabete-type-2",
            "team": [{"email": gp.email, "role": "médecin traitant", "referent": True}],
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201
    body = created.json()
    assert any(t["step"] == "hba1c" for t in body["tasks"])
    read = client.get(f"/api/v1/pathways/enrolments/{body['id']}", **auth)
    assert read.status_code == 200
    hba1c = next(t for t in body["tasks"] if t["step"] == "hba1c")
    done = client.post(
        f"/api/v1/pathways/tasks/{hba1c['id']}/complete",
        {"value": "7.1"},
        content_type="application/json",
        **auth,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = client.post(
        f"/api/v1/pathways/tasks/{hba1c['id']}/complete",
        {"value": "7.1"},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 400
    unknown = client.post(
        "/api/v1/pathways/enrolments",
        {"patient": str(patient.public_id), "template": "nimporte"},
        content_type="application/json",
        **auth,
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "template"
