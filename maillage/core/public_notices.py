"""Notices a mission shows on a CPTS's public pages (a crisis, a heatwave watch): a
registry, so that the public pages of core and of the directory show them without
importing a mission. A provider is `provider(cpts) -> list[Notice]`, registered from the
mission's `ready()`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    key: str  # unique in the page (an id for its heading)
    heading: str
    text: str
    at: datetime.datetime
    link: str = ""  # a page to go on to (its label: `link_label`)
    link_label: str = ""
    # A warning (a crisis, a heatwave watch): dated, with the emergency number. An
    # announcement (the next prevention events) is neither.
    urgent: bool = True


PROVIDERS: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def for_cpts(cpts) -> list[Notice]:
    if cpts is None:
        return []
    return [notice for provider in PROVIDERS for notice in provider(cpts)]
