"""Same-day care pages: the regulator's request and suggestions, the professional's slots
and appointments."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.core.models import Membership
from maillage.patients.access import record_shown
from maillage.territory.models import Commune

from . import ics, indicators, rota, services
from .access import appointments_visible_to, get_request
from .forms import (
    IcsImportForm,
    OutcomeForm,
    PublishForm,
    RequestForm,
    RotaPeriodForm,
    RotaRangeForm,
    UnavailabilityForm,
)
from .models import (
    Appointment,
    RotaPeriod,
    RotaShift,
    RotaVolunteer,
    Slot,
    Unavailability,
)


@member_view(permissions.record_same_day_request)
@require_http_methods(["GET", "POST"])
def request_new_view(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            snp_request = services.request_create(
                cpts=request.cpts, actor=request.user, origin=request.membership.role,
                data=dict(form.cleaned_data), request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    return render(request, "same_day_care/request_new.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.see_patients)
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


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def slots_view(request):
    """The professional's same-day slots: publish, see, withdraw."""
    form = PublishForm(request.POST or None)
    if request.method == "POST" and request.POST.get("withdraw"):
        slot = get_by_public_id(
            Slot.objects.for_cpts(request.cpts).filter(professional=request.user),
            request.POST["withdraw"],
        )
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
                errors_to_form(form, exc)
            else:
                messages.success(request, f"{len(slots)} créneau(x) publié(s).")
                return redirect("same_day_care:slots", request.cpts.slug)
    slots = (
        Slot.objects.for_cpts(request.cpts)
        .filter(professional=request.user, end__gt=timezone.now())
        .exclude(status=Slot.Status.WITHDRAWN)
        .select_related("commune")[:200]
    )
    return render(request, "same_day_care/slots.html", {"form": form, "slots": slots},
                  status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.see_appointments)
def appointments_view(request):
    appointments = list(
        appointments_visible_to(request.membership)
        .select_related("slot__professional", "slot__commune", "request")
        .order_by("-slot__start")[:100]
    )
    record_shown(request.membership, [a.request for a in appointments], request=request,
                 where="same_day_care.appointments")  # fmt: skip
    return render(request, "same_day_care/appointments.html", {"appointments": appointments})


@member_view(permissions.see_appointments)
@require_POST
def outcome_view(request, public_id):
    appointment = get_by_public_id(appointments_visible_to(request.membership), public_id)
    is_professional = appointment.slot.professional_id == request.user.pk
    if not (is_professional or permissions.follow_appointments(request.membership)):
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


# iCalendar ------------------------------------------------------------------------------


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def ics_import_view(request):
    form = IcsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        commune = Commune.objects.current().filter(code=data["commune"].upper()).first()
        try:
            if commune is None:
                raise ValidationError({"commune": f"Commune inconnue : {data['commune']}."})
            times, skipped = ics.parse_slots(data["file"].read(ics.MAX_BYTES + 1))
            if not times:
                raise ValidationError({"file": "Aucun créneau à venir dans ce calendrier."})
            slots = services.publish_slots(
                cpts=request.cpts, professional=request.user, actor=request.user, times=times,
                profession_code=data["profession_code"], kind=data["kind"], mode=data["mode"],
                commune=commune, request=request,
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors_to_form(form, exc)
            else:
                form.add_error("file", exc.messages)
        else:
            note = f" {len(skipped)} événement(s) ignoré(s)." if skipped else ""
            messages.success(request, f"{len(slots)} créneau(x) importé(s).{note}")
            for reason in skipped[:10]:
                messages.info(request, reason)
            return redirect("same_day_care:slots", request.cpts.slug)
    return render(request, "same_day_care/ics_import.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def ics_feed_view(request, token):
    """The professional's private agenda feed (no login: the signed token is the key)."""
    try:
        claims = ics.read_feed_token(token.removesuffix(".ics"))
    except signing.BadSignature as exc:
        raise Http404 from exc
    membership = (
        Membership.objects.active().filter(user_id=claims["u"], cpts_id=claims["c"]).first()
    )
    if membership is None:
        raise Http404
    since = timezone.now() - timezone.timedelta(days=30)
    appointments = Appointment.objects.filter(
        cpts=membership.cpts, slot__professional=membership.user, slot__start__gte=since
    ).select_related("slot__commune", "request")
    appointments = list(appointments)
    record_shown(membership, [a.request for a in appointments], request=request,
                 where="same_day_care.ics_feed")  # fmt: skip
    body = ics.appointments_calendar(appointments, cpts_name=membership.cpts.name)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# Permanence rota ----------------------------------------------------------------------


@member_view(permissions.manage_rota)
@require_http_methods(["GET", "POST"])
def rota_view(request):
    cpts = request.cpts
    period_form = RotaPeriodForm(request.POST if request.POST.get("action") == "period"
                                 else None)  # fmt: skip
    range_form = RotaRangeForm(request.POST if request.POST.get("action") in
                               ("generate", "publish") else None)  # fmt: skip
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "period" and period_form.is_valid():
                data = period_form.cleaned_data
                commune = Commune.objects.current().filter(code=data.pop("commune").upper()).first()
                if commune is None:
                    raise ValidationError({"commune": "Commune inconnue."})
                RotaPeriod.objects.create(cpts=cpts, commune=commune, **data)
                messages.success(request, "Période ajoutée.")
                return redirect("same_day_care:rota", cpts.slug)
            if action == "volunteer":
                member = get_by_public_id(
                    Membership.objects.active().filter(cpts=cpts).professionals(),
                    request.POST.get("member", ""),
                )
                RotaVolunteer.objects.update_or_create(
                    cpts=cpts, user=member.user,
                    defaults={"profession_code": request.POST.get("profession_code", "10"),
                              "active": True},
                )  # fmt: skip
                messages.success(
                    request, f"{member.user.get_full_name()} participe à la permanence."
                )
                return redirect("same_day_care:rota", cpts.slug)
            if action in ("generate", "publish") and range_form.is_valid():
                start, end = range_form.cleaned_data["start"], range_form.cleaned_data["end"]
                if action == "generate":
                    plan = rota.generate(cpts=cpts, start=start, end=end, actor=request.user,
                                         request=request)  # fmt: skip
                    messages.success(request, f"{len(plan.assignments)} garde(s) attribuée(s)"
                                     + (f", {len(plan.uncovered)} sans volontaire disponible."
                                        if plan.uncovered else "."))  # fmt: skip
                else:
                    count = rota.publish(cpts=cpts, start=start, end=end, actor=request.user,
                                         request=request)  # fmt: skip
                    messages.success(request, f"{count} garde(s) publiée(s) en créneaux.")
                return redirect("same_day_care:rota", cpts.slug)
            if action == "swap":
                shifts = RotaShift.objects.filter(cpts=cpts)
                rota.swap(first=get_by_public_id(shifts, request.POST.get("first", "")),
                          second=get_by_public_id(shifts, request.POST.get("second", "")),
                          actor=request.user, request=request)  # fmt: skip
                messages.success(request, "Gardes échangées.")
                return redirect("same_day_care:rota", cpts.slug)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    shifts = RotaShift.objects.filter(cpts=cpts, date__gte=timezone.localdate()).select_related(
        "period", "assignee"
    )[:200]
    counts = {}
    for shift in shifts:
        counts[shift.assignee] = counts.get(shift.assignee, 0) + 1
    return render(request, "same_day_care/rota.html", {
        "period_form": period_form, "range_form": range_form,
        "periods": RotaPeriod.objects.filter(cpts=cpts, archived_at__isnull=True),
        "volunteers": RotaVolunteer.objects.filter(cpts=cpts, active=True).select_related("user"),
        "members": Membership.objects.active().filter(cpts=cpts).professionals()
        .select_related("user"),
        "shifts": shifts, "counts": sorted(counts.items(), key=lambda kv: -kv[1]),
    })  # fmt: skip


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def my_rota_view(request):
    """The professional's shifts and unavailability."""
    form = UnavailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Unavailability.objects.create(cpts=request.cpts, user=request.user, **form.cleaned_data)
        audit.record(
            action="snp.unavailability", actor=request.user, cpts=request.cpts, request=request
        )
        messages.success(request, "Indisponibilité enregistrée : elle sera respectée à la "
                         "prochaine génération de la permanence.")  # fmt: skip
        return redirect("same_day_care:my_rota", request.cpts.slug)
    return render(request, "same_day_care/my_rota.html", {
        "form": form,
        "shifts": RotaShift.objects.filter(cpts=request.cpts, assignee=request.user,
                                           date__gte=timezone.localdate()).select_related("period"),
        "unavailabilities": Unavailability.objects.filter(cpts=request.cpts, user=request.user,
                                                          end_date__gte=timezone.localdate()),
        "feed_url": request.build_absolute_uri(
            reverse("same_day_care:ics_feed", args=[ics.feed_token(request.user, request.cpts)])
        ),
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.member)
def indicators_view(request):
    data = indicators.compute(request.cpts)
    if request.GET.get("format") == "csv":
        return csv_response(f"snp-{request.cpts.slug}.csv", ["Indicateur", "Valeur"],
                            indicators.as_rows(data))  # fmt: skip
    return render(request, "same_day_care/indicators.html", {"data": data})
