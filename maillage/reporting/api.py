"""API of the ACI contract: /api/v1/aci/..."""

from ninja import Router

router = Router(tags=["contrat ACI"])

# Each area adds its operations in its own block (contract, funding, report).

# -- contract --

# -- funding --

# -- report --
