"""Actions of the programme: vaccination campaigns, screening days, awareness sessions;
their places, partners, professionals (attendance), materials and proofs checklist.

Area: programme.
"""


def target_of(action) -> tuple[int | None, object, str]:
    """(target population size, objective rate in %, where the size comes from) of an
    action: its own figures, else its programme theme's."""
    theme = action.programme_theme
    size = action.target_size if action.target_size is not None else (
        theme.target_size if theme else None)
    rate = action.objective_rate if action.objective_rate is not None else (
        theme.objective_rate if theme else None)
    if action.target_size is not None:
        note = "saisie sur l'action"
    elif theme is not None and theme.target_size is not None:
        note = theme.target_note or theme.get_target_source_display()
    else:
        note = ""
    return size, rate, note


def ready():
    pass
