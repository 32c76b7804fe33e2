"""The proofs the contract asks for, what the platform already holds, the files filed,
and what is still missing before the report."""

from __future__ import annotations

from dataclasses import dataclass, field

AUDIT_LABELS: dict = {"actions": {}, "places": {}}


@dataclass
class ProofStatus:
    requirement: object  # ProofRequirement
    have: int
    expected: int
    detail: str = ""  # in French: "3 réunions avec présences", "2 fichiers"
    files: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.have >= self.expected


def status(contract, year: int, *, today=None) -> list[ProofStatus]:
    """Every proof requirement of the included missions for a contract year."""
    return []


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
