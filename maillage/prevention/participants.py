"""Entering the participants of a screening action: validation, score, duplicate warning,
measures taken after the questionnaire, and the follow-up opened by a positive result.

Area: screening.
"""


class DuplicateSuspected(Exception):
    """The same person seems already entered at this action: the caller asks to confirm
    (`confirm_duplicate=True`)."""

    def __init__(self, existing):
        super().__init__("participant probablement déjà saisi")
        self.existing = existing


def enter(*, action, actor, sex, age, commune, questionnaire, answers,
          confirm_duplicate=False, request=None):  # fmt: skip
    """Record one participant and return it (score, risk, next step and positive set).
    Raises ValidationError with field errors, or DuplicateSuspected."""
    raise NotImplementedError  # area: screening


def add_measure(*, participant, actor, kind, value, fasting=None, request=None):
    """Add a measure taken after the questionnaire (capillary glucose in g/L, a repeated
    blood pressure) and re-decide the next step; opens the follow-up when it turns
    positive."""
    raise NotImplementedError  # area: screening


def ready():
    pass
