"""Alerts to groups of the contact tree, answers by signed link, escalation, the board.

OWNED BY THE ALERTS WORK. Interface used by other parts of the app (keep the signatures):
"""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "objects": {}}


def send_alert(*, cpts, actor, activation, groups: list[str], channels: list[str], message: str,
               is_test: bool = False, escalate_after_minutes: int = 15, request=None):  # fmt: skip
    """Validate, create the Alert and its AlertRecipients, notify everyone (kind
    "crisis.alert", mandatory) after the commit; ValidationError naming the field on bad
    input (no recipient, no channel...). Returns the Alert."""
    raise NotImplementedError
