"""Same-day care pages: the regulator's request and suggestions, the professional's slots
and appointments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit
from maillage.core.access import get_by_public_id, member_view
from maillage.core.models import Role
from maillage.territory.models import Commune

from . import services
from .access import REQUESTER_ROLES, appointments_visible_to, get_request
from .forms import OutcomeForm, PublishForm, RequestForm
from .models import Slot


def _errors_to_form(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@member_view("can_see_patients")
@require_http_methods(["GET", "POST"])
def request_new_view(request):
    if request.membership.role not in REQUESTER_ROLES:
        raise Http404
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            snp_request = services.request_create(
                cpts=request.cpts, actor=request.user, origin=request.membership.role,
                data=dict(form.cleaned_data), request=request,
            )  # fmt: skip
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    return render(request, "same_day_care/request_new.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view("can_see_patients")
@require_http_methods(["GET", "POST"])
def request_view(request, public_id):
    snp_request = get_request(request.membership, public_id, request=request)
    status = 200
    if request.method == "POST":
        slot = get_by_public_id(Slot.objects.for_cpts(request.cpts), request.POST.get("slot"))
        try:
            services.book(slot=slot, snp_request=snp_request, actor=request.user,
                          request=request)  # fmt: skip
        except services.SlotTaken as exc:
            messages.error(request, f"{exc} Voici les créneaux encore libres.")
            status = 409
        else:
            messages.success(request, "Rendez-vous réservé : le patient est prévenu par SMS.")
            return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    snp_request.refresh_from_db()
    appointment = (
        snp_request.appointments.exclude(status="cancelled")
        .select_related("slot__professional", "slot__commune")
        .first()
    )
    return render(request, "same_day_care/request.html", {
        "snp_request": snp_request, "appointment": appointment,
        "suggestions": [] if appointment else services.suggestions(
            snp_request, role=request.membership.role),
    }, status=status)  # fmt: skip


@member_view("can_see_patients")
@require_http_methods(["GET", "POST"])
def slots_view(request):
    """The professional's same-day slots: publish, see, withdraw."""
    if request.membership.role != Role.PROFESSIONAL:
        raise Http404
    form = PublishForm(request.POST or None)
    if request.method == "POST" and request.POST.get("withdraw"):
        slot = get_by_public_id(Slot.objects.filter(professional=request.user),
                                request.POST["withdraw"])  # fmt: skip
        try:
            services.withdraw_slot(slot=slot, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Créneau retiré.")
        return redirect("same_day_care:slots", request.cpts.slug)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commune = Commune.objects.current().filter(code=data["commune"].upper()).first()
        if commune is None:
            form.add_error("commune", f"Commune inconnue : {data['commune']}.")
        else:
            try:
                times = services.slot_times(
                    day=data["day"],
                    start=data["start"],
                    duration_minutes=data["duration"],
                    count=data["count"],
                    weeks=data["weeks"],
                )
                slots = services.publish_slots(
                    cpts=request.cpts, professional=request.user, actor=request.user,
                    times=times, profession_code=data["profession_code"], kind=data["kind"],
                    mode=data["mode"], commune=commune, site=data["site"], request=request,
                )  # fmt: skip
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, f"{len(slots)} créneau(x) publié(s).")
                return redirect("same_day_care:slots", request.cpts.slug)
    slots = (
        Slot.objects.filter(professional=request.user, end__gt=timezone.now())
        .exclude(status=Slot.Status.WITHDRAWN)
        .select_related("commune")[:200]
    )
    return render(request, "same_day_care/slots.html", {"form": form, "slots": slots},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view("can_see_patients")
def appointments_view(request):
    appointments = (
        appointments_visible_to(request.membership)
        .select_related("slot__professional", "slot__commune", "request")
        .order_by("-slot__start")[:100]
    )
    audit.record(
        action="snp.appointments_list", actor=request.user, cpts=request.cpts, request=request
    )
    return render(request, "same_day_care/appointments.html", {"appointments": appointments})


@member_view("can_see_patients")
@require_POST
def outcome_view(request, public_id):
    appointment = get_by_public_id(appointments_visible_to(request.membership), public_id)
    is_professional = appointment.slot.professional_id == request.user.pk
    if not (is_professional or request.membership.role in (Role.COORDINATOR, Role.REGULATOR)):
        raise Http404
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(appointment=appointment, status=form.cleaned_data["status"],
                                actor=request.user, note=form.cleaned_data["note"],
                                request=request)  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Issue du rendez-vous enregistrée.")
    else:
        messages.error(request, "Issue inconnue.")
    return redirect("same_day_care:appointments", request.cpts.slug)
