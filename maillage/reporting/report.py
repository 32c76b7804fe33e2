"""The annual activity report of a contract year: gathered from the contract, the
indicators, the proofs and the coordinator's comments into a snapshot, written as PDF
(paged, table of contents) and XLSX (one sheet per mission); versions kept, a version
sent to the CPAM frozen."""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "places": {}}


def generate(*, contract, year: int, actor, request=None):
    """A new version (Report) of the year's report."""
    raise NotImplementedError


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
