"""API of the prevention mission: /api/v1/prevention/..."""

from ninja import Router

router = Router(tags=["prévention"])

# Each area adds its operations in its own block (programme, screening, indicators).

# -- programme --

# -- screening --

# -- indicators --
