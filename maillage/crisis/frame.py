"""The national frame of a CPTS crisis plan (trame nationale, December 2022), shipped as
versioned data in crisis/data/frame-<version>.json: the sections every plan has, in order,
with a title and guidance for the coordinator. A plan version records the frame version
it followed.

Action sheets: one section per crisis type, code "sheet-<crisis type>"; in its body, each
line starting with "- " is an action that can be ticked in the crisis log.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from .models import CrisisType

CURRENT = "2022-12"
DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    guidance: str
    crisis_type: str = ""  # for an action sheet


@functools.cache
def load(version: str = CURRENT) -> tuple[Section, ...]:
    rows = json.loads((DATA / f"frame-{version}.json").read_text(encoding="utf-8"))["sections"]
    return tuple(Section(**row) for row in rows)


def sections(version: str = CURRENT) -> tuple[Section, ...]:
    return load(version)


def section(code: str, version: str = CURRENT) -> Section | None:
    return next((s for s in load(version) if s.code == code), None)


def sheet_code(crisis_type: str) -> str:
    return f"sheet-{crisis_type}"


SHEET_CODES = tuple(sheet_code(t) for t in CrisisType.values)
