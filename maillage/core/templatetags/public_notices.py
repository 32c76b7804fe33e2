"""`{% load public_notices %}{% public_notices cpts %}`: the missions' notices on a CPTS's
public pages (core/public_notices.py), nothing when there is none."""

from django import template

from ..public_notices import for_cpts

register = template.Library()


@register.inclusion_tag("core/_public_notices.html")
def public_notices(cpts, level=2):
    """`level`: the heading level of the notices in the page (3 inside a CPTS's section)."""
    return {"notices": for_cpts(cpts), "level": 3 if str(level) == "3" else 2}
