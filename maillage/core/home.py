"""Aujourd'hui: each member's home, made of the cards the missions contribute.

One seam, so that core never imports a mission: each mission declares its card providers
in its own `home.py`, imported from its AppConfig.ready():

    from maillage.core import home, permissions

    @home.card("gp_access.proposals", permission=permissions.answer_gp_proposals, order=10)
    def proposals(membership, request):
        return home.Card(title="Propositions à répondre", count=..., link=..., ...)

The page asks, in `order`, every provider whose permission (a predicate of
core.permissions) the caller holds. A provider returns None when its card means nothing
for this person (a nurse has no proposal to answer) rather than an empty card.

Need-to-know: a card that names people shows only those the caller may see (through the
mission's access helpers) and records them with `patients.access.record_shown`, as list
pages do; a count with a link is preferred wherever a list adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .permissions import Permission


@dataclass
class Item:
    """One line of a card: what it is, where it leads, and a detail (a time, a state)."""

    label: str
    url: str = ""
    detail: str = ""
    late: bool = False


@dataclass
class Figure:
    """A number with what it counts (indicators, counts of several kinds)."""

    label: str
    value: int | str
    url: str = ""


@dataclass
class Card:
    title: str
    # The number that says whether something waits (None: the card is not a count).
    count: int | None = None
    items: list[Item] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # What the card says when nothing waits ("Aucune proposition en attente.").
    empty: str = ""
    # A sentence under the title (a capacity, a next shift).
    text: str = ""
    link: str = ""
    link_label: str = "Tout voir"
    # A primary action, one tap away ("Nouvelle demande").
    action: str = ""
    action_label: str = ""
    # Set by the page: which provider made it (an anchor, the tests).
    name: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.count or self.items or self.figures or self.text)


@dataclass(frozen=True)
class Provider:
    name: str
    permission: Permission
    order: int
    compute: Callable


PROVIDERS: dict[str, Provider] = {}
# Items shown on a card at most: the rest is one tap away on the mission's page.
MAX_ITEMS = 5


def card(name: str, *, permission: Permission, order: int):
    """Register a card provider `compute(membership, request) -> Card | None`."""
    if not isinstance(permission, Permission):
        raise TypeError("a home card declares a permission of core.permissions")

    def decorator(compute):
        PROVIDERS[name] = Provider(name=name, permission=permission, order=order,
                                   compute=compute)  # fmt: skip
        return compute

    return decorator


def providers_for(membership) -> list[Provider]:
    return sorted((p for p in PROVIDERS.values() if p.permission(membership)),
                  key=lambda p: (p.order, p.name))  # fmt: skip


def cards_for(membership, request=None) -> list[Card]:
    """The cards of one member's home, in order."""
    cards = []
    for provider in providers_for(membership):
        result = provider.compute(membership, request)
        if result is not None:
            result.name = provider.name
            cards.append(result)
    return cards
