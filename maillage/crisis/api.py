"""API of the crisis mission: /api/v1/crisis/..."""

from ninja import Router

router = Router(tags=["crise"])

# -- plan --


# -- activations --


# -- alerts --
