"""Payments received, matched against the schedule."""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "places": {}}


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
