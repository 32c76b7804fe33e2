"""At the door of an action (phone or tablet): the registrations with a big « Présent »
button each, a search by name, the counts, a walk-in; the « émargement a posteriori »
from the paper sheet; the coordination's CSV export of the registrations.

Each button is a plain form post (works without JavaScript); with htmx only the row is
swapped, so the list keeps its place and its search."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form

from .. import registrations
from ..models import Action, ActionStatus, Registration, RegistrationStatus

LIST_MAX = 1000
SEARCH_MAX = 100


class WalkInForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=registrations.NAME_MAX)
    last_name = forms.CharField(label="Nom", max_length=registrations.NAME_MAX)


def _action(request, public_id):
    return get_by_public_id(Action.objects.for_cpts(request.cpts), public_id)


def _registration(action, public_id):
    return get_by_public_id(Registration.objects.filter(action=action), public_id)


def _listed(action, query=""):
    rows = Registration.objects.filter(action=action).exclude(status=RegistrationStatus.CANCELLED)
    if query:
        for word in query.split()[:4]:
            rows = rows.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    # Present last would move rows under the finger; the order is the name only.
    return rows.order_by("last_name", "first_name", "pk")


def _page(request, action, *, walk_in=None, status=200):
    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX].replace("\x00", "")
    rows = list(_listed(action, query)[:LIST_MAX])
    audit.record(action="prevention.registration_list", actor=request.user, cpts=request.cpts,
                 obj=action, request=request, detail={"shown": len(rows)})  # fmt: skip
    return render(request, "prevention/checkin/list.html", {
        "action": action, "rows": rows, "query": query,
        "figures": registrations.counts(action), "cut": len(rows) >= LIST_MAX,
        "walk_in": walk_in or WalkInForm(), "closed": action.status == ActionStatus.CANCELLED,
        "can_export": permissions.manage_prevention(request.membership),
    }, status=status)  # fmt: skip


@member_view(permissions.check_in_participants)
def checkin_view(request, public_id):
    return _page(request, _action(request, public_id))


@member_view(permissions.check_in_participants)
@require_POST
def mark_present_view(request, public_id, registration_id):
    action = _action(request, public_id)
    registration = _registration(action, registration_id)
    error = ""
    try:
        registration = registrations.check_in(registration=registration, actor=request.user,
                                              request=request)  # fmt: skip
    except ValidationError as exc:
        error = exc.messages[0]
    if request.htmx:
        return render(request, "prevention/checkin/_marked.html",
                      {"action": action, "r": registration, "error": error,
                       "figures": registrations.counts(action)},
                      status=400 if error else 200)  # fmt: skip
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{registration.first_name} {registration.last_name} : "
                                  "présent(e).")  # fmt: skip
    url = redirect("prevention:checkin", request.cpts.slug, action.public_id).url
    query = (request.POST.get("q") or "").strip()[:SEARCH_MAX]
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode({"q": query})
    return redirect(url)


@member_view(permissions.check_in_participants)
@require_POST
def walk_in_view(request, public_id):
    action = _action(request, public_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            person = registrations.add_walk_in(
                action=action, first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"], actor=request.user, request=request)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"{person.first_name} {person.last_name} : ajouté(e) et "
                                      "présent(e).")  # fmt: skip
            return redirect("prevention:checkin", request.cpts.slug, action.public_id)
    return _page(request, action, walk_in=form, status=400)


@member_view(permissions.check_in_participants)
@require_http_methods(["GET", "POST"])
def bulk_view(request, public_id):
    """Émargement a posteriori: every registration as a checkbox, ticked from the paper
    sheet, recorded all at once or not at all."""
    action = _action(request, public_id)
    error = ""
    ticked: set[str] = set()
    if request.method == "POST":
        ticked = set(request.POST.getlist("present"))
        if not ticked:
            error = "Cochez au moins une personne présente."
        else:
            try:
                marked = registrations.check_in_many(action=action, public_ids=ticked,
                                                     actor=request.user, request=request)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                messages.success(request, f"Émargement enregistré : {marked} personne(s) "
                                          "marquée(s) présente(s).")  # fmt: skip
                return redirect("prevention:checkin", request.cpts.slug, action.public_id)
    rows = list(_listed(action)[:LIST_MAX])
    audit.record(action="prevention.registration_list", actor=request.user, cpts=request.cpts,
                 obj=action, request=request, detail={"shown": len(rows), "page": "bulk"})
    return render(request, "prevention/checkin/bulk.html", {
        "action": action, "rows": rows, "error": error, "ticked": ticked,
        "figures": registrations.counts(action),
    }, status=400 if error else 200)  # fmt: skip


@member_view(permissions.manage_prevention)
def export_view(request, public_id):
    action = _action(request, public_id)
    rows = list(Registration.objects.filter(action=action).order_by("created_at", "pk"))
    audit.record(action="prevention.registration_export", actor=request.user,
                 cpts=request.cpts, obj=action, request=request,
                 detail={"rows": len(rows)})  # fmt: skip
    header = ["Nom", "Prénom", "E-mail", "Téléphone", "Statut", "Inscrit le", "Présent",
              "Arrivée"]  # fmt: skip

    def when(value):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""

    return csv_response(
        f"inscrits-{action.start:%Y-%m-%d}.csv", header,
        ([r.last_name, r.first_name, r.email, r.phone, r.get_status_display(),
          when(r.created_at), "oui" if r.checked_in_at else "non", when(r.checked_in_at)]
         for r in rows),
    )  # fmt: skip


BASE = "c/<slug:cpts_slug>/prevention/actions/<str:public_id>/"

urls = [
    path(BASE + "accueil/", checkin_view, name="checkin"),
    path(BASE + "accueil/<str:registration_id>/present/", mark_present_view,
         name="checkin_mark"),
    path(BASE + "accueil-sans-inscription/", walk_in_view, name="checkin_walk_in"),
    path(BASE + "emargement/", bulk_view, name="checkin_bulk"),
    path(BASE + "inscrits.csv", export_view, name="registrations_export"),
]
