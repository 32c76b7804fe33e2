"""Resources' pages: sites on a map with their list, stocks with their minimum, each figure
with when it was last confirmed."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import permissions
from maillage.core.access import get_object_for_member, member_view
from maillage.core.forms import errors_to_form
from maillage.territory.fields import CommuneField
from maillage.territory.services import territory_communes
from maillage.territory.views import feature_collection

from .. import resources
from ..models import Site, Stock

MAX = resources.MAX_FIGURE
FIGURE_ERRORS = {
    "required": "Indiquez un nombre.",
    "invalid": "Indiquez un nombre entier (ex. : 250).",
    "min_value": "Un nombre négatif n'a pas de sens ici : indiquez 0 ou plus.",
    "max_value": f"Nombre trop grand : {MAX:,} au plus.".replace(",", "\u202f"),
}


def _figure(label, *, required=True, help_text=""):
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=MAX,
                              help_text=help_text, error_messages=FIGURE_ERRORS,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))  # fmt: skip


class SiteForm(forms.Form):
    name = forms.CharField(
        label="Nom du lieu", max_length=200, error_messages={"required": "Indiquez le nom du lieu."}
    )
    kind = forms.CharField(
        label="Type de lieu (facultatif)",
        max_length=100,
        required=False,
        help_text="Ex. : gymnase, salle des fêtes, maison de santé.",
    )
    address = forms.CharField(label="Adresse (facultatif)", max_length=300, required=False)
    commune = CommuneField(label="Commune")
    latitude = forms.FloatField(
        label="Latitude (facultatif)", required=False, min_value=-90, max_value=90,
        help_text="Ex. : 45.5867. Sans coordonnées, le lieu est placé au centre de la commune.",
        error_messages={"invalid": "Latitude invalide (ex. : 45.5867).",
                        "min_value": "Latitude entre -90 et 90.",
                        "max_value": "Latitude entre -90 et 90."})  # fmt: skip
    longitude = forms.FloatField(
        label="Longitude (facultatif)", required=False, min_value=-180, max_value=180,
        help_text="Ex. : 5.2747.",
        error_messages={"invalid": "Longitude invalide (ex. : 5.2747).",
                        "min_value": "Longitude entre -180 et 180.",
                        "max_value": "Longitude entre -180 et 180."})  # fmt: skip
    capacity = _figure("Capacité en personnes (facultatif)", required=False)
    contact = forms.CharField(label="Contact sur place (facultatif)", max_length=200,
                              required=False, help_text="Nom et téléphone du gardien, de "
                                                        "la mairie...")  # fmt: skip
    notes = forms.CharField(
        label="Notes (facultatif)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.errors.get("latitude") and not (
                self.errors.get("longitude")):  # fmt: skip
            self.add_error("latitude", resources.BOTH_COORDINATES)
        return data


class StockForm(forms.Form):
    item = forms.CharField(
        label="Matériel ou produit",
        max_length=200,
        help_text="Ex. : masques FFP2, groupe électrogène, oxygène.",
        error_messages={"required": "Indiquez le matériel ou le produit."},
    )
    unit = forms.CharField(
        label="Unité (facultatif)",
        max_length=40,
        required=False,
        help_text="Ex. : boîtes de 50, bouteilles, unités.",
    )
    quantity = _figure("Quantité")
    minimum = _figure("Niveau minimum", help_text="Sous ce niveau, la coordination est "
                                                  "alertée une fois.")  # fmt: skip
    holder = forms.CharField(
        label="Détenu par",
        max_length=200,
        help_text="Ex. : pharmacie du centre, mairie de Four.",
        error_messages={"required": "Indiquez qui détient ce stock."},
    )
    site = forms.ModelChoiceField(
        label="Lieu (facultatif)",
        queryset=Site.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="— aucun —",
        error_messages={"invalid_choice": "Lieu inconnu."},
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = resources.active_sites(cpts)


def _markers(sites) -> str:
    points = []
    for site in sites:
        lat, lon = site.latitude, site.longitude
        if lat is None and site.commune_id:
            lat, lon = site.commune.latitude, site.commune.longitude
        if lat is None:
            continue
        capacity = f", {site.capacity} personnes" if site.capacity is not None else ""
        points.append({"lat": lat, "lon": lon, "label": f"{site.name} ({site.commune.name}"
                       f"{capacity})", "url": str(site.public_id)})  # fmt: skip
    return json.dumps(points, ensure_ascii=False).replace("<", "\\u003c")


@member_view(permissions.see_crisis_board)
def sites_view(request):
    now = timezone.now()
    sites = list(resources.active_sites(request.cpts).select_related("commune", "confirmed_by")
                 .order_by("name", "pk"))  # fmt: skip
    for site in sites:
        site.freshness = resources.freshness(site.confirmed_at, now)
    outline = feature_collection(territory_communes(request.cpts)
                                 .only("code", "name", "population", "geometry"))  # fmt: skip
    return render(request, "crisis/resources_sites.html", {
        "sites": sites, "markers": _markers(sites), "outline": outline,
        "total_capacity": sum(s.capacity or 0 for s in sites),
    })  # fmt: skip


def _site(request, public_id):
    return get_object_for_member(Site.objects.select_related("commune"), request.membership,
                                 public_id)  # fmt: skip


def _site_form(request, site):
    if request.method == "POST":
        form = SiteForm(request.POST)
        if form.is_valid():
            try:
                saved = resources.site_save(
                    cpts=request.cpts,
                    actor=request.user,
                    data=form.cleaned_data,
                    site=site,
                    request=request,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Lieu enregistré : {saved.name}.")
                return redirect("crisis:sites", cpts_slug=request.cpts.slug)
    else:
        initial = {f: getattr(site, f) for f in resources.SITE_FIELDS} if site else {}
        form = SiteForm(initial=initial)
    freshness = resources.freshness(site.confirmed_at) if site else None
    return render(request, "crisis/resources_site_form.html", {
        "form": form, "site": site, "freshness": freshness,
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_crisis)
def site_new_view(request):
    return _site_form(request, None)


@member_view(permissions.manage_crisis)
def site_view(request, public_id):
    return _site_form(request, _site(request, public_id))


@member_view(permissions.manage_crisis)
@require_POST
def site_confirm_view(request, public_id):
    site = resources.site_confirm(site=_site(request, public_id), actor=request.user,
                                  request=request)  # fmt: skip
    messages.success(request, f"Lieu confirmé : {site.name}.")
    return redirect("crisis:sites", cpts_slug=request.cpts.slug)


@member_view(permissions.manage_crisis)
@require_POST
def site_archive_view(request, public_id):
    site = resources.site_archive(site=_site(request, public_id), actor=request.user,
                                  request=request)  # fmt: skip
    messages.success(request, f"Lieu archivé : {site.name}.")
    return redirect("crisis:sites", cpts_slug=request.cpts.slug)


@member_view(permissions.see_crisis_board)
def stocks_view(request):
    stocks = resources.stocks_for_page(request.cpts)
    return render(request, "crisis/resources_stocks.html", {
        "stocks": stocks, "below": sum(1 for s in stocks if s.below),
        "stale": sum(1 for s in stocks if s.freshness.stale),
    })  # fmt: skip


def _stock(request, public_id):
    return get_object_for_member(Stock.objects.select_related("site"), request.membership,
                                 public_id)  # fmt: skip


def _stock_form(request, stock):
    if request.method == "POST":
        form = StockForm(request.POST, cpts=request.cpts)
        if form.is_valid():
            try:
                saved = resources.stock_save(cpts=request.cpts, actor=request.user,
                                             data=form.cleaned_data, stock=stock,
                                             request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                note = (" Il est sous son niveau minimum : la coordination est alertée."
                        if resources.is_below_minimum(saved) else "")  # fmt: skip
                messages.success(request, f"Stock enregistré : {saved.item}.{note}")
                return redirect("crisis:stocks", cpts_slug=request.cpts.slug)
    else:
        initial = {f: getattr(stock, f) for f in resources.STOCK_FIELDS} if stock else {}
        form = StockForm(initial=initial, cpts=request.cpts)
    freshness = resources.freshness(stock.confirmed_at) if stock else None
    return render(request, "crisis/resources_stock_form.html", {
        "form": form, "stock": stock, "freshness": freshness,
    }, status=400 if form.is_bound and form.errors else 200)  # fmt: skip


@member_view(permissions.manage_crisis)
def stock_new_view(request):
    return _stock_form(request, None)


@member_view(permissions.manage_crisis)
def stock_view(request, public_id):
    return _stock_form(request, _stock(request, public_id))


@member_view(permissions.manage_crisis)
@require_POST
def stock_confirm_view(request, public_id):
    stock = resources.stock_confirm(stock=_stock(request, public_id), actor=request.user,
                                    request=request)  # fmt: skip
    messages.success(request, f"Stock confirmé : {stock.item} ({stock.quantity}).")
    return redirect("crisis:stocks", cpts_slug=request.cpts.slug)


@member_view(permissions.manage_crisis)
@require_POST
def stock_archive_view(request, public_id):
    stock = resources.stock_archive(stock=_stock(request, public_id), actor=request.user,
                                    request=request)  # fmt: skip
    messages.success(request, f"Stock archivé : {stock.item}.")
    return redirect("crisis:stocks", cpts_slug=request.cpts.slug)
