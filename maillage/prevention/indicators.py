"""Prevention indicators: per action (informed, screened, positive, referred, seen), per
campaign (doses, coverage), per theme; the contract's screening rates with baseline,
tiers and amounts. Declared in core.indicators for the ACI report.

Area: vaccination (with indicators).
"""


def action_figures(action) -> dict:
    """{"informed", "screened", "positive", "referred", "seen", "lost"} of one action."""
    raise NotImplementedError  # area: vaccination


def ready():
    pass
