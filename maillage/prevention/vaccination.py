"""Vaccination counts: doses reported by pharmacies and practices, per day or week, per
vaccine and age band; coverage of a campaign against its target and objective.

Area: vaccination.
"""

# Vaccines a campaign counts, and the age bands of the counts (the HPV bands follow the
# schedule: 2 doses at 11-14, 3 at 15-26; 65+ is the flu campaign's main target).
VACCINES = {
    "grippe": "Grippe",
    "covid": "COVID-19",
    "hpv": "Papillomavirus (HPV)",
    "pneumocoque": "Pneumocoque",
    "zona": "Zona",
    "dtp": "Diphtérie, tétanos, poliomyélite (rappel)",
}
AGE_BANDS = {
    "0-10": "0-10 ans",
    "11-14": "11-14 ans",
    "15-26": "15-26 ans",
    "27-64": "27-64 ans",
    "65+": "65 ans et plus",
}


def ready():
    pass
