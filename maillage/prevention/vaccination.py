"""Vaccination counts: doses reported by pharmacies and practices, per day or week, per
vaccine and age band; coverage of a campaign against its target and objective.

Area: vaccination.
"""


def ready():
    pass
