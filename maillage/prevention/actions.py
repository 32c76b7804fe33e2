"""Actions of the programme: vaccination campaigns, screening days, awareness sessions;
their places, partners, professionals (attendance), materials and proofs checklist.

Area: programme.
"""


def ready():
    pass
