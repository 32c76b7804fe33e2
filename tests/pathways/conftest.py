import pytest

from maillage.pathways import services
from maillage.pathways.models import (
    CaseDecision,
    Enrolment,
    Meeting,
    PathwayTemplate,
    ReminderLog,
    Task,
)
from maillage.patients.services import patient_create


@pytest.fixture(autouse=True)
def _without_demo_pathways(db):
    """The demo follows a few patients in pathways; tests start from none (inside each
    test's transaction, so the demo is back afterwards)."""
    Task.objects.all().delete()
    CaseDecision.objects.all().delete()
    Meeting.objects.all().delete()
    ReminderLog.objects.all().delete()
    Enrolment.objects.all().delete()


@pytest.fixture
def diabetes(db):
    return PathwayTemplate.objects.get(slug="diabete-type-2", cpts__isnull=True)


@pytest.fixture
def patient(home_cpts, coordinator):
    return patient_create(
        cpts=home_cpts, actor=coordinator, consent_method="oral",
        data={"birth_name": "Vasseur", "first_names": "Lucienne", "birth_date": "1950-05-04",
              "sex": "F", "commune": "38053", "phone": "0611223344"},
        allow_duplicate=True,
    )  # fmt: skip


@pytest.fixture
def enrolment(home_cpts, patient, diabetes, coordinator, gp, nurse):
    """The GP (referent) and the nurse form the care team; the pharmacist is not in it."""
    return services.enrol(
        cpts=home_cpts, patient=patient, template=diabetes, actor=coordinator,
        team=[(gp, "médecin traitant", True), (nurse, "IDEL", False)],
    )  # fmt: skip
