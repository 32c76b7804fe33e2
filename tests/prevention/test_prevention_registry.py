"""Prevention's first activity in the indicator registry: the contract suggests the
mission's start date from it."""

import datetime

from django.utils import timezone

from maillage.core import indicators
from maillage.prevention.models import Action, ActionKind, ActionStatus, Theme


def action(cpts, day, status=ActionStatus.DONE):
    start = datetime.datetime.combine(day, datetime.time(9),
                                      tzinfo=timezone.get_current_timezone())  # fmt: skip
    return Action.objects.create(cpts=cpts, kind=ActionKind.AWARENESS,
                                 theme=Theme.objects.get(cpts=None, code="chutes"),
                                 title="Prévention des chutes", start=start,
                                 end=start + datetime.timedelta(hours=2),
                                 status=status)  # fmt: skip


def test_first_activity_is_the_first_action_not_cancelled(home_cpts, other_cpts):
    Action.objects.filter(cpts=home_cpts).delete()
    assert indicators.first_activity(home_cpts, "prevention") is None
    action(home_cpts, datetime.date(2024, 1, 10), status=ActionStatus.CANCELLED)
    action(home_cpts, datetime.date(2024, 3, 5))
    action(home_cpts, datetime.date(2024, 6, 1), status=ActionStatus.PLANNED)
    action(other_cpts, datetime.date(2023, 1, 1))
    assert indicators.first_activity(home_cpts, "prevention") == (
        datetime.date(2024, 3, 5),
        "première action de prévention",
    )
