"""Spending per mission, entered or imported from the accounting (CSV), against the
funding received."""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "places": {}}


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
