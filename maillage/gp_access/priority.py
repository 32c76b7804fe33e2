"""Priority of a request for a médecin traitant, from the CPTS's rules."""

import datetime

from .models import DEFAULT_WEIGHTS, Criterion, PriorityRule


def weights_for(cpts) -> dict[str, int]:
    weights = {str(k): v for k, v in DEFAULT_WEIGHTS.items()}
    for rule in PriorityRule.objects.filter(cpts=cpts):
        weights[rule.criterion] = rule.weight
    return weights


def criteria_met(patient, on: datetime.date) -> list[tuple[str, str]]:
    """(criterion, explanation) for each priority criterion the patient meets."""
    met = []
    if patient.ald:
        met.append((Criterion.ALD, f"ALD ({patient.ald_detail})" if patient.ald_detail else "ALD"))
    age = patient.age(on)
    if age >= 70:
        met.append((Criterion.AGE70, f"{age} ans"))
    if patient.c2s or patient.ame:
        met.append((Criterion.PRECARITY, "C2S" if patient.c2s else "AME"))
    if patient.isolated:
        met.append((Criterion.ISOLATION, "isolement"))
    if patient.disability:
        met.append((Criterion.DISABILITY, "handicap"))
    if patient.pregnant:
        met.append((Criterion.PREGNANCY, "grossesse"))
    if patient.chronic_treatment:
        met.append((Criterion.CHRONIC, "traitement chronique"))
    return met


def priority(patient, weights: dict[str, int], on: datetime.date) -> tuple[int, str]:
    """Score (sum of the weights of the criteria met) and its explanation, e.g.
    "ALD + 74 ans", in the order of the weights (the heaviest first)."""
    met = [(weights.get(str(c), 0), text) for c, text in criteria_met(patient, on)]
    met = [m for m in met if m[0] > 0]
    met.sort(key=lambda m: -m[0])
    return sum(w for w, _ in met), " + ".join(text for _, text in met)
