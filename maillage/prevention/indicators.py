"""Prevention indicators: per action (informed, screened, positive, referred, seen), per
campaign (doses, coverage), per theme; the contract's screening rates with baseline,
tiers and amounts. Declared in core.indicators for the ACI report.

Area: vaccination (with indicators).
"""


def action_figures(action) -> dict:
    """{"informed", "screened", "positive", "referred", "seen", "lost"} of one action:
    participants entered on a phone plus the counts entered from paper."""
    from django.db.models import Count, Q

    from .models import FollowUp, FollowUpStatus, Participant

    screened = Participant.objects.filter(action=action).aggregate(
        screened=Count("pk"), positive=Count("pk", filter=Q(positive=True)))
    follow = FollowUp.objects.filter(participant__action=action).aggregate(
        referred=Count("pk", filter=Q(status__in=(FollowUpStatus.REFERRED, FollowUpStatus.SEEN,
                                                  FollowUpStatus.LOST))),
        seen=Count("pk", filter=Q(status=FollowUpStatus.SEEN)),
        lost=Count("pk", filter=Q(status=FollowUpStatus.LOST)),
    )  # fmt: skip
    return {
        "informed": action.informed_count,
        "screened": screened["screened"] + action.paper_screened,
        "positive": screened["positive"],
        "referred": follow["referred"] + action.paper_referred,
        "seen": follow["seen"],
        "lost": follow["lost"],
    }


def ready():
    pass
