"""The crisis mission's first activity in the indicator registry: the first approved plan
version or the first real activation (an exercise does not start the mission)."""

import datetime

from django.utils import timezone

from maillage.core import indicators
from maillage.crisis.models import Activation, ActivationKind, CrisisType, PlanVersion


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(11),
                                     tzinfo=timezone.get_current_timezone())  # fmt: skip


def activation(cpts, day, kind):
    return Activation.objects.create(cpts=cpts, kind=kind, crisis_type=CrisisType.MASS_SICK,
                                     title="Canicule", started_at=at(day))  # fmt: skip


def test_first_activity_is_the_first_approval_or_real_activation(home_cpts):
    PlanVersion.objects.filter(cpts=home_cpts).delete()
    Activation.objects.filter(cpts=home_cpts).delete()
    assert indicators.first_activity(home_cpts, "crisis") is None

    activation(home_cpts, datetime.date(2024, 2, 1), ActivationKind.EXERCISE)
    PlanVersion.objects.create(cpts=home_cpts, number=1, frame_version="2023")  # a draft
    assert indicators.first_activity(home_cpts, "crisis") is None

    PlanVersion.objects.create(cpts=home_cpts, number=2, frame_version="2023",
                               approved_at=at(datetime.date(2024, 9, 12)))  # fmt: skip
    day, label = indicators.first_activity(home_cpts, "crisis")
    assert day == datetime.date(2024, 9, 12)
    assert "plan de crise" in label

    activation(home_cpts, datetime.date(2024, 7, 20), ActivationKind.VIGILANCE)
    assert indicators.first_activity(home_cpts, "crisis")[0] == datetime.date(2024, 7, 20)
