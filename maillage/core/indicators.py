"""The indicator registry: each mission declares its indicators here (in its `ready()`),
and pages, CSV exports and the ACI report read them through this module, never a
mission's internals.

An indicator is computed by one signature, `compute(cpts, period) -> Value`, where
`period` is a pair of dates (first day, last day), both included.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """A figure: `value` alone (a count), or numerator / denominator (a rate, in %)."""

    value: float | int | None
    numerator: float | int | None = None
    denominator: float | int | None = None
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    mission: str
    label: str
    definition: str
    unit: str
    source: str
    compute: Callable[[object, tuple[datetime.date, datetime.date]], Value]


REGISTRY: dict[str, Indicator] = {}


def register(code: str, *, mission: str, label: str, definition: str, unit: str = "nombre",
             source: str = "calculé par Maillage", compute) -> Indicator:  # fmt: skip
    if code in REGISTRY and REGISTRY[code].compute is not compute:
        raise ValueError(f"indicator {code!r} registered twice")
    indicator = Indicator(code=code, mission=mission, label=label, definition=definition,
                          unit=unit, source=source, compute=compute)  # fmt: skip
    REGISTRY[code] = indicator
    return indicator


def period_bounds(period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's first and last day as aware datetimes in the local time zone: from the
    first day's midnight (included) to the midnight after the last day (excluded)."""
    from django.utils import timezone

    start, end = period
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                     tzinfo=tz)  # fmt: skip
    return low, high


# Several indicators of a mission often rest on one costly computation (prevention's eight
# figures of a period come from one pass over its participants). A page or report that
# computes many indicators at once opens a `batch()`; inside it, `shared(key, fn)` runs
# `fn` once per key. Outside a batch nothing is kept, so no figure is ever stale.
_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("indicator_batch",
                                                                    default=None)  # fmt: skip


@contextlib.contextmanager
def batch():
    if _batch.get() is not None:
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def shared(key, function):
    memo = _batch.get()
    if memo is None:
        return function()
    if key not in memo:
        memo[key] = function()
    return memo[key]


def for_mission(mission: str) -> list[Indicator]:
    return [i for i in REGISTRY.values() if i.mission == mission]


def compute(code: str, cpts, period) -> Value:
    return REGISTRY[code].compute(cpts, period)


# When did a mission start? Each mission may declare the date of its first activity (the
# first prevention action, the first request for a médecin traitant...), so that the
# contract can suggest a mission's start date without reading the mission's internals.
STARTS: dict[str, tuple[str, Callable]] = {}


def register_start(mission: str, *, label: str, first_activity) -> None:
    """`first_activity(cpts) -> datetime.date | None`; `label` says what it is, in French
    ("première action de prévention")."""
    STARTS[mission] = (label, first_activity)


def first_activity(cpts, mission: str) -> tuple[datetime.date, str] | None:
    """(date, label) of the mission's first activity in this CPTS, None when none yet or
    when the mission declares nothing."""
    if mission not in STARTS:
        return None
    label, function = STARTS[mission]
    day = function(cpts)
    return (day, label) if day is not None else None
