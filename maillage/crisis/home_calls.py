"""The caller's card on "Aujourd'hui" (core.home): calls still to make in live campaigns.
A count with a link: the names are on "Mes appels", where each one shown is audited."""

from django.urls import reverse

from maillage.core import home, permissions

from . import calls
from .access import calls_visible_to


@home.card("crisis.my_calls", permission=permissions.call_vulnerable, order=5)
def my_calls_card(membership, request):
    mine = calls_visible_to(membership).filter(
        caller=membership.user, campaign__closed_at__isnull=True,
        campaign__activation__ended_at__isnull=True)  # fmt: skip
    if not mine.exists():
        return None  # no live campaign gives this person a call: no card
    to_call = mine.filter(outcome__in=calls.OPEN_OUTCOMES).count()
    url = reverse("crisis:my_calls", args=[membership.cpts.slug])
    return home.Card(
        title="Appels aux personnes vulnérables", count=to_call,
        text=(f"{to_call} personne{'s' if to_call > 1 else ''} à appeler." if to_call
              else ""),
        empty="Tous vos appels sont faits.", link=url, link_label="Mes appels",
    )  # fmt: skip
