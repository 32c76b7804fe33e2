"""The coordinator's home card of the crisis resources (core.home): stocks below their
minimum, and figures (stocks, sites) nobody confirmed for 90 days."""

from django.db.models import F
from django.urls import reverse

from maillage.core import home, permissions

from .resources import active_sites, active_stocks, stale_cutoff


@home.card("crisis.resources", permission=permissions.manage_crisis, order=70)
def resources_card(membership, request):
    cpts = membership.cpts
    stocks = active_stocks(cpts)
    if not stocks.exists() and not active_sites(cpts).exists():
        return None
    stocks_url = reverse("crisis:stocks", args=[cpts.slug])
    sites_url = reverse("crisis:sites", args=[cpts.slug])
    below = list(stocks.filter(quantity__lt=F("minimum")).order_by("item", "pk")
                 .values("public_id", "item", "quantity", "minimum", "unit"))  # fmt: skip
    cutoff = stale_cutoff()
    stale_stocks = stocks.filter(confirmed_at__lt=cutoff).count()
    stale_sites = active_sites(cpts).filter(confirmed_at__lt=cutoff).count()
    items = [home.Item(f"⚠ {s['item']} : {s['quantity']} {s['unit']}".rstrip(),
                       reverse("crisis:stock", args=[cpts.slug, s["public_id"]]),
                       f"sous le minimum de {s['minimum']}", late=True)
             for s in below[: home.MAX_ITEMS]]  # fmt: skip
    figures = []
    if stale_stocks:
        figures.append(home.Figure("stocks à confirmer (plus de 90 jours)", stale_stocks,
                                   stocks_url))  # fmt: skip
    if stale_sites:
        figures.append(home.Figure("lieux à confirmer (plus de 90 jours)", stale_sites,
                                   sites_url))  # fmt: skip
    return home.Card(
        title="Ressources de crise", count=len(below) + stale_stocks + stale_sites,
        items=items, figures=figures,
        empty="Stocks au-dessus de leur minimum, chiffres confirmés depuis moins de 90 jours.",
        link=stocks_url, link_label="Stocks de crise",
    )  # fmt: skip
