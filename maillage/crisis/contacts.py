"""The contact tree: who is reached in a crisis, and the alert groups that select them.

A group is "all", "cell", "profession:<RPPS profession code>", "commune:<INSEE code>" or
"skill:<code of crisis/skills.py>".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q

from maillage.core.text import echo

from .models import Contact
from .skills import SKILLS

AUDIT_LABELS: dict = {"actions": {}, "objects": {"crisis.Contact": "Contact de l'arbre d'alerte"}}

GROUP_KINDS = ("all", "cell", "profession", "commune", "skill")


def parse_group(value: str) -> tuple[str, str]:
    """("profession", "10") from "profession:10"; ValidationError with a French message
    naming the value otherwise."""
    text = (value or "").strip()
    kind, _, arg = text.partition(":")
    if kind in ("all", "cell") and not arg:
        return kind, ""
    if kind == "profession" and arg.isdigit() and len(arg) <= 3:
        return kind, arg
    if kind == "commune" and len(arg) == 5 and arg[:2].isalnum() and arg[2:].isdigit():
        return kind, arg.upper()
    if kind == "skill" and arg in SKILLS:
        return kind, arg
    raise ValidationError(
        f"Groupe inconnu : {echo(text)}. Groupes possibles : all, cell, profession:<code>, "
        "commune:<code INSEE>, skill:<compétence>."
    )


def group_filter(groups: list[str]) -> Q:
    """One Q selecting the contacts of any of the groups (validated by parse_group)."""
    query = Q(pk__in=[])
    for value in groups:
        kind, arg = parse_group(value)
        if kind == "all":
            return Q()
        if kind == "cell":
            query |= Q(in_cell=True)
        elif kind == "profession":
            query |= Q(profession_code=arg)
        elif kind == "commune":
            query |= Q(commune__code=arg)
        elif kind == "skill":
            query |= Q(skills__code=arg)
    return query


def recipients_for(cpts, groups: list[str]):
    """The active contacts of the CPTS in any of the groups, each once."""
    ids = Contact.objects.for_cpts(cpts).active().filter(group_filter(groups)).values("pk")
    return Contact.objects.filter(pk__in=ids).select_related("account", "commune")
