"""The contract of the caller's CPTS, and the audit of what a funder reads.

A funder (a CPAM or ARS contact with the "financeur" role) reads the contract, its
indicators, proofs and reports, and nothing else; every such read leaves an audit row
(`reporting.funder_read`, with the page), so the CPTS knows what its funders looked at.
"""

from __future__ import annotations

from maillage.core import audit, permissions

from .models import Contract


def contract_of(cpts) -> Contract | None:
    return Contract.objects.for_cpts(cpts).first()


def audit_read(request, what: str, obj=None, **detail) -> None:
    """One audit row per page or file a funder opens (others' reads are not logged: they
    are the CPTS's own people)."""
    if permissions.reads_audited(request.membership):
        audit.record(action="reporting.funder_read", request=request, cpts=request.cpts,
                     obj=obj, detail={"where": what, **detail})  # fmt: skip


AUDIT_LABELS = {
    "actions": {"reporting.funder_read": "Consultation par un financeur"},
    "places": {},
}
