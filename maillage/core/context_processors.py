from django.conf import settings

from . import permissions


def navigation(request):
    """The current CPTS and membership (set by `member_view`) for the page header, and
    `can`: what the caller may do there (`{% if can.see_patients %}`), from core.permissions."""
    membership = getattr(request, "membership", None)
    return {
        "can": permissions.for_membership(membership),
        "current_membership": membership,
        "current_cpts": getattr(request, "cpts", None),
        "demo_mode": settings.DEMO_MODE,
    }
