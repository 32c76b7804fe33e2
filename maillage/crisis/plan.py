"""The crisis plan: a working draft edited section by section (each save a PlanRevision),
versions approved by the board, compared section by section, exported as a PDF.

Interface used by other parts of the app (keep the signatures): `record_revision`,
`draft`, `append_retex`, `actions_for`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from maillage.core import audit

from . import frame
from .models import PlanRevision, PlanVersion

AUDIT_LABELS: dict = {
    "actions": {"crisis.plan_edit": "Section du plan de crise modifiée"},
    "objects": {"crisis.PlanRevision": "Section du plan de crise",
                "crisis.PlanVersion": "Version du plan de crise"},
}  # fmt: skip


def draft(cpts) -> dict[str, PlanRevision]:
    """The newest revision of each section of the working draft, by section code."""
    newest = {}
    for revision in PlanRevision.objects.for_cpts(cpts).select_related("author"):
        newest[revision.section] = revision  # ordered oldest first: the last one wins
    return newest


@transaction.atomic
def record_revision(*, cpts, section: str, body: str, author, from_retex=None, request=None):
    """Save a new text for one section of the working draft; returns the PlanRevision."""
    if frame.section(section) is None:
        raise ValueError(f"unknown plan section {section!r}")
    revision = PlanRevision.objects.create(
        cpts=cpts, section=section, body=body.replace("\x00", ""), author=author,
        from_retex=from_retex, created_at=timezone.now(),
    )  # fmt: skip
    audit.record(action="crisis.plan_edit", actor=author, cpts=cpts, obj=revision,
                 request=request, detail={"section": section})  # fmt: skip
    return revision


def append_retex(*, cpts, retex, actor, request=None):
    """A completed RETEX's conclusions go into the draft's "exercises" section (dated), so
    that the plan's next version carries them."""
    current = draft(cpts).get("exercises")
    activation = retex.activation
    paragraph = (f"RETEX du {timezone.localdate():%d/%m/%Y} ({activation.title}) :\n"
                 f"{retex.conclusions.strip()}")  # fmt: skip
    body = f"{current.body.rstrip()}\n\n{paragraph}" if current and current.body else paragraph
    return record_revision(cpts=cpts, section="exercises", body=body, author=actor,
                           from_retex=retex, request=request)  # fmt: skip


def actions_for(cpts, crisis_type: str) -> list[tuple[str, str]]:
    """The actions of the action sheet of `crisis_type` in the newest approved version
    (the working draft if none is approved): [(code "<section>:<index>", text)]."""
    code = frame.sheet_code(crisis_type)
    version = PlanVersion.objects.for_cpts(cpts).filter(approved_at__isnull=False).first()
    if version is not None:
        body = next((s.get("body", "") for s in version.sections if s.get("code") == code), "")
    else:
        revision = draft(cpts).get(code)
        body = revision.body if revision else ""
    actions = []
    for line in body.splitlines():
        if line.strip().startswith("- "):
            actions.append((f"{code}:{len(actions)}", line.strip()[2:].strip()))
    return actions
