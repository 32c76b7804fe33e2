"""The médecin-traitant mission's background jobs (registered in apps.py)."""

from maillage.core.models import Cpts

from .services import expire_overdue_proposals


def expire_proposals() -> int:
    """Every day: proposals left without an answer past their deadline expire in every
    active CPTS (the proposal pages also do it when they open). Idempotent."""
    return sum(expire_overdue_proposals(cpts=cpts) for cpts in Cpts.objects.active())
