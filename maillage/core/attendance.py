"""The attendance registry: each mission declares where professionals gave their time
(a concertation meeting, a rota shift, a prevention action, a crisis mobilisation), so
that the association can compensate them (community) without reading the missions'
internals.

A source is one function `records(cpts, period) -> list[Attendance]`, `period` a pair of
dates, both included.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attendance:
    user_id: int | None  # the professional's account, when they have one
    professional_id: int | None  # their directory row, when known
    name: str
    activity: str  # "meeting", "rota", "prevention", "crisis"
    started_at: datetime.datetime
    minutes: int
    proof: str  # what it rests on, in French ("Mobilisation crise … : réponse « disponible »")
    ref: str  # a stable reference to the source row, e.g. "crisis.recipient:<id>"


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    records: Callable[[object, tuple[datetime.date, datetime.date]], list[Attendance]]


REGISTRY: dict[str, Source] = {}


def register(code: str, *, label: str, records) -> Source:
    source = Source(code=code, label=label, records=records)
    REGISTRY[code] = source
    return source


def records(cpts, period) -> list[Attendance]:
    rows = []
    for source in REGISTRY.values():
        rows.extend(source.records(cpts, period))
    return rows
