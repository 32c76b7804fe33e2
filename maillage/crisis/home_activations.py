"""The activations' cards of the home page (core.home): a live crisis or vigilance for every
member, the RETEX still to write for the coordination. Exercises get no banner: a member
must not mistake one for a real crisis on their home page."""

from django.urls import reverse
from django.utils import timezone

from maillage.core import home, permissions

from .models import Activation, ActivationKind, Retex


def _link(membership, activation) -> tuple[str, str]:
    """Where this member follows the activation: the coordination runs it from the board,
    a professional writes in the log, the board follows the board."""
    slug, key = membership.cpts.slug, activation.public_id
    if permissions.manage_crisis(membership):
        return reverse("crisis:board", args=[slug, key]), "Tableau de bord"
    if permissions.write_crisis_log(membership):
        return reverse("crisis:activation", args=[slug, key]), "Main courante"
    if permissions.see_crisis_board(membership):
        return reverse("crisis:board", args=[slug, key]), "Tableau de bord"
    return reverse("crisis:index", args=[slug]), "Gestion de crise"


@home.card("crisis.live", permission=permissions.see_crisis_plan, order=1)
def live_card(membership, request):
    live = list(Activation.objects.for_cpts(membership.cpts).live().real()
                .order_by("-started_at")[: home.MAX_ITEMS])  # fmt: skip
    if not live:
        return None
    items = []
    for a in live:
        url, label = _link(membership, a)
        since = timezone.localtime(a.started_at)
        items.append(home.Item(f"{a.get_kind_display()} : {a.title}", url,
                               f"depuis le {since:%d/%m à %H:%M} · {label}", late=True))
    crisis = any(a.kind == ActivationKind.CRISIS for a in live)
    return home.Card(title="Crise en cours" if crisis else "Vigilance en cours",
                     count=len(live), items=items,
                     link=reverse("crisis:index", args=[membership.cpts.slug]),
                     link_label="Gestion de crise")  # fmt: skip


@home.card("crisis.retex", permission=permissions.manage_crisis, order=2)
def retex_card(membership, request):
    pending = list(Retex.objects.for_cpts(membership.cpts).filter(completed_at__isnull=True)
                   .select_related("activation").order_by("activation__ended_at"))  # fmt: skip
    if not pending:
        return None
    slug = membership.cpts.slug
    items = [home.Item(r.activation.title, reverse("crisis:retex",
                                                   args=[slug, r.activation.public_id]),
                       f"terminée le {timezone.localtime(r.activation.ended_at):%d/%m/%Y}")
             for r in pending[: home.MAX_ITEMS]]  # fmt: skip
    return home.Card(title="RETEX à compléter", count=len(pending), items=items,
                     text="Les conclusions du RETEX entrent dans le brouillon du plan.")
