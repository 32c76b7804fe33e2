"""The public notice of a live crisis or vigilance, on the CPTS's public pages:
`{% load crisis_public %}{% crisis_public_notice cpts %}` (nothing when there is none, and
never an exercise's)."""

from django import template

from ..activations import public_notices

register = template.Library()


@register.inclusion_tag("crisis/activation_public_notice.html")
def crisis_public_notice(cpts, level=2):
    """`level`: the heading level of the notice in the page (3 inside a CPTS's section)."""
    return {"notices": public_notices(cpts) if cpts is not None else [],
            "level": 3 if str(level) == "3" else 2}
