from django.conf import settings


def navigation(request):
    """The current CPTS and membership (set by `member_view`) for the page header."""
    return {
        "current_membership": getattr(request, "membership", None),
        "current_cpts": getattr(request, "cpts", None),
        "demo_mode": settings.DEMO_MODE,
    }
