"""Mission status: not started / started on a date / deployed, set by the coordinator and
suggested by the data (prévention starts with its first action...), against the
deadlines of the avenant."""

from __future__ import annotations


def suggested_start(contract_mission):
    """(date, reason in French) the data suggests the mission started, or None."""
    return None
