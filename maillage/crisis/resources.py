"""Resources for a crisis: usable sites (with capacity, on a map) and stocks with a
minimum level.

Every figure carries when it was last confirmed (`confirmed_at`, `confirmed_by`): a
figure nobody confirmed for STALE_AFTER is flagged, since staff phone anyway when they do
not trust it. Saving a figure confirms it; "Confirmer" confirms without changing it.

A stock crossing below its minimum notifies the coordinators once (kind "crisis.stock")
and records `below_minimum_since`; back at or above its minimum, the mark is cleared, so
the next crossing notifies again. The check runs under a row lock, so two saves at once
cannot both notify.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core import audit
from maillage.core.models import Membership
from maillage.core.roles import Role
from maillage.notifications.services import notify

from .models import Site, Stock

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.site_create": "Lieu de crise ajouté",
        "crisis.site_update": "Lieu de crise modifié",
        "crisis.site_confirm": "Lieu de crise confirmé",
        "crisis.site_archive": "Lieu de crise archivé",
        "crisis.stock_create": "Stock de crise ajouté",
        "crisis.stock_update": "Stock de crise modifié",
        "crisis.stock_confirm": "Stock de crise confirmé",
        "crisis.stock_archive": "Stock de crise archivé",
    },
    "objects": {"crisis.Site": "Lieu de crise", "crisis.Stock": "Stock de crise"},
    "places": {},
}

STALE_AFTER = datetime.timedelta(days=90)
MAX_FIGURE = 10_000_000
SITE_FIELDS = ("name", "kind", "address", "commune", "latitude", "longitude", "capacity",
               "contact", "notes")  # fmt: skip
STOCK_FIELDS = ("item", "unit", "quantity", "minimum", "holder", "site")
STOCK_KIND = "crisis.stock"
BOTH_COORDINATES = ("Indiquez la latitude et la longitude, ou aucune des deux (le centre de "
                    "la commune sert alors).")  # fmt: skip


@dataclass(frozen=True)
class Freshness:
    days: int
    stale: bool

    @property
    def label(self) -> str:
        if self.days <= 0:
            return "confirmé aujourd'hui"
        if self.days == 1:
            return "confirmé hier"
        return f"confirmé il y a {self.days} jours"


def freshness(confirmed_at, now=None) -> Freshness:
    now = now or timezone.now()
    days = (timezone.localdate(now) - timezone.localdate(confirmed_at)).days
    return Freshness(days=max(days, 0), stale=now - confirmed_at > STALE_AFTER)


def is_below_minimum(stock: Stock) -> bool:
    return stock.quantity < stock.minimum


def stale_cutoff(now=None):
    return (now or timezone.now()) - STALE_AFTER


def active_sites(cpts):
    return Site.objects.for_cpts(cpts).filter(archived_at__isnull=True)


def active_stocks(cpts):
    return Stock.objects.for_cpts(cpts).filter(archived_at__isnull=True)


def _clean(obj, exclude):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


# Sites ---------------------------------------------------------------------------------


@transaction.atomic
def site_save(*, cpts, actor, data: dict, site: Site | None = None, request=None) -> Site:
    """Create or update a site; its figures count as confirmed now."""
    creating = site is None
    now = timezone.now()
    if creating:
        site = Site(cpts=cpts)
    else:
        site = Site.objects.select_for_update().get(pk=site.pk, cpts=cpts)
    for field in SITE_FIELDS:
        if field in data:
            setattr(site, field, data[field])
    if (site.latitude is None) != (site.longitude is None):
        raise ValidationError({"latitude": BOTH_COORDINATES})
    site.confirmed_at, site.confirmed_by = now, actor
    _clean(site, exclude=["cpts", "confirmed_by"])
    site.save()
    audit.record(action="crisis.site_create" if creating else "crisis.site_update",
                 actor=actor, cpts=cpts, obj=site, request=request)  # fmt: skip
    return site


@transaction.atomic
def _confirm(obj, *, actor, request, action: str):
    """The figures of a site or a stock are still right: only the confirmation moves."""
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    obj.confirmed_at, obj.confirmed_by = timezone.now(), actor
    obj.save(update_fields=["confirmed_at", "confirmed_by"])
    audit.record(action=action, actor=actor, cpts=obj.cpts, obj=obj, request=request)
    return obj


@transaction.atomic
def _archive(obj, *, actor, request, action: str):
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if obj.archived_at is None:
        obj.archived_at = timezone.now()
        obj.save(update_fields=["archived_at"])
        audit.record(action=action, actor=actor, cpts=obj.cpts, obj=obj, request=request)
    return obj


def site_confirm(*, site: Site, actor, request=None) -> Site:
    return _confirm(site, actor=actor, request=request, action="crisis.site_confirm")


def site_archive(*, site: Site, actor, request=None) -> Site:
    return _archive(site, actor=actor, request=request, action="crisis.site_archive")


# Stocks --------------------------------------------------------------------------------


def _coordinators(cpts):
    return [m.user for m in Membership.objects.active().filter(cpts=cpts, role=Role.COORDINATOR,
                                                               user__is_active=True)
            .select_related("user")]  # fmt: skip


def _check_minimum(stock: Stock, actor) -> None:
    """Mark and notify a crossing below the minimum once; clear the mark above it. The
    caller holds the row lock."""
    if is_below_minimum(stock):
        if stock.below_minimum_since is not None:
            return
        stock.below_minimum_since = timezone.now()
        stock.save(update_fields=["below_minimum_since"])
        link = settings.SITE_URL.rstrip("/") + reverse("crisis:stocks", args=[stock.cpts.slug])
        unit = f" {stock.unit}" if stock.unit else ""
        notify(
            cpts=stock.cpts, recipients=_coordinators(stock.cpts), kind=STOCK_KIND, link=link,
            sender=actor, ref=f"crisis.stock:{stock.public_id}",
            subject=f"Stock sous son minimum : {stock.item}"[:200],
            body=(f"Le stock « {stock.item} » détenu par {stock.holder} est à "
                  f"{stock.quantity}{unit}, sous son niveau minimum de {stock.minimum}{unit}."
                  f"\n\nVoir les stocks : {link}"),
        )  # fmt: skip
    elif stock.below_minimum_since is not None:
        stock.below_minimum_since = None
        stock.save(update_fields=["below_minimum_since"])


@transaction.atomic
def stock_save(*, cpts, actor, data: dict, stock: Stock | None = None,
               request=None) -> Stock:  # fmt: skip
    """Create or update a stock; its figures count as confirmed now. A quantity or a
    minimum below zero or past MAX_FIGURE is refused (the form, the model, the database)."""
    creating = stock is None
    if creating:
        stock = Stock(cpts=cpts)
    else:
        stock = Stock.objects.select_for_update().get(pk=stock.pk, cpts=cpts)
    for field in STOCK_FIELDS:
        if field in data:
            setattr(stock, field, data[field])
    if stock.site is not None and stock.site.cpts_id != cpts.pk:
        raise ValidationError({"site": "Lieu inconnu."})
    stock.confirmed_at, stock.confirmed_by = timezone.now(), actor
    _clean(stock, exclude=["cpts", "confirmed_by", "site"])
    stock.save()
    _check_minimum(stock, actor)
    audit.record(action="crisis.stock_create" if creating else "crisis.stock_update",
                 actor=actor, cpts=cpts, obj=stock, request=request,
                 detail={"quantity": stock.quantity, "minimum": stock.minimum})  # fmt: skip
    return stock


def stock_confirm(*, stock: Stock, actor, request=None) -> Stock:
    return _confirm(stock, actor=actor, request=request, action="crisis.stock_confirm")


def stock_archive(*, stock: Stock, actor, request=None) -> Stock:
    return _archive(stock, actor=actor, request=request, action="crisis.stock_archive")


def stocks_for_page(cpts, now=None) -> list[Stock]:
    """The active stocks, those below their minimum first (then by item), each with its
    `freshness` and `below` flag for the page."""
    now = now or timezone.now()
    stocks = list(active_stocks(cpts).select_related("site", "confirmed_by"))
    for stock in stocks:
        stock.below = is_below_minimum(stock)
        stock.freshness = freshness(stock.confirmed_at, now)
    stocks.sort(key=lambda s: (not s.below, s.item.lower(), s.pk))
    return stocks
