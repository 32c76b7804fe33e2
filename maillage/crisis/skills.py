"""Skills useful in a crisis, offered when a contact is recorded and when someone answers
an alert. Codes are stable (they are used in "skill:<code>" alert groups)."""

SKILLS = {
    "vaccinator": "Vaccinateur",
    "home-visits": "Visites à domicile",
    "emergency": "Médecine d'urgence / soins urgents",
    "triage": "Tri et régulation",
    "wound-care": "Soins de plaies",
    "pediatrics": "Pédiatrie",
    "psychological": "Soutien psychologique",
    "logistics": "Logistique",
    "driver": "Véhicule, peut se déplacer",
    "pharmacy-supply": "Approvisionnement en produits de santé",
    "nrbc": "Formé au risque NRBC",
}


def label(code: str) -> str:
    return SKILLS.get(code, code)
