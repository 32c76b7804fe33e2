"""Screening questionnaires and their scoring: FINDRISC (exactly as in
domain/prevention.md), blood pressure, capillary glucose, and the questionnaires a
coordinator defines as data. Pure functions: no database.

Area: screening.
"""

from dataclasses import dataclass, field

from django.db import models


class NextStep(models.TextChoices):
    NONE = "none", "Pas de suite particulière"
    ADVICE = "advice", "Conseils de prévention"
    GLUCOSE = "glucose", "Glycémie capillaire à faire"
    REPEAT = "repeat", "Mesure à répéter"
    REFER = "refer", "À adresser au médecin traitant"
    URGENT = "urgent", "À adresser au médecin dans la journée"


# The next steps that make a screening positive (a follow-up is opened).
POSITIVE_STEPS = frozenset({NextStep.REFER, NextStep.URGENT})


@dataclass(frozen=True)
class Result:
    score: int | None
    risk: str  # code of the band ("low", "slight", "moderate", "high", "very_high", ...)
    risk_label: str
    next_step: str  # a NextStep value
    details: dict = field(default_factory=dict)  # points per item, averages...

    @property
    def next_step_label(self) -> str:
        return NextStep(self.next_step).label

    @property
    def positive(self) -> bool:
        return self.next_step in POSITIVE_STEPS


# The questionnaires shipped as code; a CPTS adds its own as data (models.Questionnaire).
SHIPPED = {
    "findrisc": "FINDRISC (risque de diabète de type 2)",
    "tension": "Tension artérielle (mesures répétées)",
    "glycemie": "Glycémie capillaire",
}


def choices(cpts) -> list[tuple[str, str]]:
    """(code, label) of the questionnaires a CPTS may use: the shipped ones, then its own."""
    from .models import Questionnaire

    own = Questionnaire.objects.for_cpts(cpts).filter(archived_at__isnull=True)
    return [*SHIPPED.items(), *own.values_list("code", "label")]


def findrisc(answers: dict, *, sex: str, age: int) -> Result:
    """Score the FINDRISC questionnaire. Raises ValidationError naming the field of an
    answer missing or out of range."""
    raise NotImplementedError  # area: screening
