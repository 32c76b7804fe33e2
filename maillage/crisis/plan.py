"""The crisis plan: a working draft edited section by section (each save a PlanRevision),
versions approved by the board, compared section by section, exported as a PDF.

OWNED BY THE PLAN WORK. Interface used by other parts of the app (keep the signatures):
"""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "objects": {}}


def record_revision(*, cpts, section: str, body: str, author, from_retex=None, request=None):
    """Save a new text for one section of the working draft; returns the PlanRevision."""
    raise NotImplementedError


def actions_for(cpts, crisis_type: str) -> list[tuple[str, str]]:
    """The actions of the action sheet of `crisis_type` in the newest approved version
    (the working draft if none is approved): [(code "<section>:<index>", text)]."""
    raise NotImplementedError
