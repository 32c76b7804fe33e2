import pytest

from maillage.pathways.models import CaseDecision, Enrolment, Meeting, ReminderLog, Task


@pytest.fixture(autouse=True)
def _without_demo_pathways(db):
    """The demo follows a few patients in pathways; tests start from none (inside each
    test's transaction, so the demo is back afterwards)."""
    Task.objects.all().delete()
    CaseDecision.objects.all().delete()
    Meeting.objects.all().delete()
    ReminderLog.objects.all().delete()
    Enrolment.objects.all().delete()
