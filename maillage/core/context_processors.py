from django.conf import settings

from . import permissions
from .navigation import for_membership as navigation_for


def navigation(request):
    """The current CPTS and membership (set by `member_view`) for the page header, and
    `can`: what the caller may do there (`{% if can.see_patients %}`), from core.permissions."""
    membership = getattr(request, "membership", None)
    nav_home, nav_groups = (navigation_for(membership, request.path)
                            if membership is not None else (None, []))  # fmt: skip
    return {
        "nav_home": nav_home,
        "nav_groups": nav_groups,
        "can": permissions.for_membership(membership),
        "current_membership": membership,
        "current_cpts": getattr(request, "cpts", None),
        "demo_mode": settings.DEMO_MODE,
    }
