import datetime

import pytest
from django.utils import timezone

from maillage.notifications.sms import MemorySms
from maillage.same_day_care import services
from maillage.territory.models import Commune


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "maillage.notifications.sms.MemorySms"
    MemorySms.outbox.clear()


@pytest.fixture
def publish(home_cpts, gp):
    def make(
        *,
        hours_from_now=2.0,
        minutes=20,
        count=1,
        who=None,
        commune="38053",
        profession="10",
        mode="practice",
        kind="cpts",
    ):
        start = timezone.now() + datetime.timedelta(hours=hours_from_now)
        start = start.replace(second=0, microsecond=0)
        times = [
            (
                start + datetime.timedelta(minutes=minutes * i),
                start + datetime.timedelta(minutes=minutes * (i + 1)),
            )
            for i in range(count)
        ]
        return services.publish_slots(
            cpts=home_cpts,
            professional=who or gp,
            actor=who or gp,
            times=times,
            profession_code=profession,
            kind=kind,
            mode=mode,
            commune=Commune.objects.get(code=commune),
        )

    return make


@pytest.fixture
def snp_request(home_cpts, regulator):
    def make(**extra):
        data = {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": datetime.date(1990, 4, 2),
            "phone": "0611223344",
            "commune": Commune.objects.get(code="38193"),
            "reason": "fever",
            "profession_code": "10",
            "mode": "practice",
            "urgency": "24h",
            "home_visit": False,
        }
        data.update(extra)
        return services.request_create(
            cpts=home_cpts, actor=regulator, origin="regulator", data=data
        )

    return make


@pytest.fixture(autouse=True)
def _no_demo_slots(db):
    """Start without the demo's slots and permanence (removed inside the test's
    transaction, so they are back afterwards)."""
    from maillage.same_day_care.models import RotaPeriod, RotaVolunteer, Slot

    RotaPeriod.objects.all().delete()
    RotaVolunteer.objects.all().delete()
    Slot.objects.all().delete()
