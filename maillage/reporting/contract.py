"""The contract as data: created from a shipped template (the standard grid, the real
year-5 example of the annexes), edited amount by amount, or replaced in one go by the
API's PUT; indicators with their tiers or targets, and the figures the CPAM supplies.
Every write is validated whole and written in one transaction, and audited."""

from __future__ import annotations

AUDIT_LABELS: dict = {"actions": {}, "places": {}}

# Shipped templates (data/*.json): code → French label.
TEMPLATES = {
    "standard": "Grille standard de l'ACI (montants de la taille du territoire)",
    "exemple-annee-5": "Exemple réel d'un contrat en 5e année",
}


def apply_template(*, cpts, template: str, signed_on, actor, request=None):
    """Create the CPTS's contract from a shipped template (refused when one exists).
    Returns the Contract."""
    raise NotImplementedError


def save_payload(*, cpts, payload: dict, actor, request=None):
    """PUT /api/v1/aci/contract: replace the contract's dates, size, grant, missions and
    their yearly amounts (indicators of a mission kept). ValidationError naming the field
    (e.g. "missions[2].years[0].fixed") when anything is wrong; nothing written then."""
    raise NotImplementedError


def as_payload(contract) -> dict:
    """GET /api/v1/aci/contract."""
    raise NotImplementedError


def ready():
    from maillage.core.audit_trail import register_labels

    from .access import AUDIT_LABELS as READS

    register_labels(**READS)
    register_labels(**AUDIT_LABELS)
