"""Same-day care pages: the regulator's request and suggestions, the professional's slots
and appointments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.patients.access import record_shown

from . import feeds, ics, indicators, rota, services
from .access import appointments_visible_to, get_request, requests_visible_to
from .forms import (
    CriteriaForm,
    IcsImportForm,
    OutcomeForm,
    PublishForm,
    RequestForm,
    RotaPeriodForm,
    RotaRangeForm,
    SwapForm,
    UnavailabilityForm,
    VolunteerForm,
    WithdrawForm,
)
from .models import (
    Appointment,
    IcsImport,
    RotaPeriod,
    RotaShift,
    RotaVolunteer,
    SameDayRequest,
    Slot,
    Unavailability,
)


@member_view(permissions.record_same_day_request)
@require_http_methods(["GET", "POST"])
def request_new_view(request):
    form = RequestForm(request.POST or None)
    existing, hidden_existing = [], 0
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_duplicate", False)
        in_progress = list(services.open_requests_for(
            request.cpts, last_name=data["last_name"], first_name=data["first_name"],
            birth_date=data["birth_date"]).select_related("commune")[:5])  # fmt: skip
        if in_progress and not confirmed:
            # The same person has a request in progress: show it (to whoever may see it,
            # audited) rather than record the same need twice; the user may confirm.
            visible = set(requests_visible_to(request.membership).filter(
                pk__in=[r.pk for r in in_progress]).values_list("pk", flat=True))  # fmt: skip
            existing = [r for r in in_progress if r.pk in visible]
            hidden_existing = len(in_progress) - len(existing)
            record_shown(request.membership, existing, request=request,
                         where="same_day_care.request_new")  # fmt: skip
            return render(request, "same_day_care/request_new.html", {
                "form": form, "existing": existing, "hidden_existing": hidden_existing,
                "duplicate": True,
            }, status=409)  # fmt: skip
        try:
            snp_request = services.request_create(
                cpts=request.cpts, actor=request.user, origin=request.membership.role,
                data=data, request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    return render(request, "same_day_care/request_new.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


REQUESTS_SHOWN = 200


@member_view(permissions.follow_same_day_requests)
def requests_view(request):
    """The same-day requests still without an appointment, oldest first: nobody is left
    waiting because the first search found nothing."""
    open_requests = list(
        requests_visible_to(request.membership)
        .filter(status=SameDayRequest.Status.OPEN)
        .select_related("commune", "created_by")
        .order_by("created_at")[:REQUESTS_SHOWN]
    )
    record_shown(request.membership, open_requests, request=request,
                 where="same_day_care.requests")  # fmt: skip
    return render(request, "same_day_care/requests.html", {
        "open_requests": open_requests, "now": timezone.now(),
    })  # fmt: skip


def _suggestions_context(request, snp_request, **extra):
    found = services.suggestions(snp_request, role=request.membership.role)
    alternatives = [] if found else services.alternatives(snp_request,
                                                          role=request.membership.role)
    return {
        "snp_request": snp_request, "suggestions": found,
        "useful_alternatives": [a for a in alternatives if a["count"]],
        "criteria_form": extra.pop("criteria_form", None) or CriteriaForm(initial={
            "urgency": snp_request.urgency,
            "mode": "home" if snp_request.home_visit else snp_request.mode}),
        **extra,
    }  # fmt: skip


@member_view(permissions.record_same_day_request)
@require_POST
def request_criteria_view(request, public_id):
    """Widen the delay or change the mode, in place (htmx swaps the suggestions)."""
    snp_request = get_request(request.membership, public_id, request=request)
    form = CriteriaForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            snp_request = services.request_change_criteria(
                snp_request=snp_request, actor=request.user, request=request,
                urgency=form.cleaned_data["urgency"], mode=form.cleaned_data["mode"])  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
    if form.errors:
        status = 400
    elif not request.htmx:
        return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    snp_request.refresh_from_db()
    context = _suggestions_context(request, snp_request,
                                   criteria_form=form if form.errors else None)
    template = ("same_day_care/_suggestions.html" if request.htmx
                else "same_day_care/request.html")
    return render(request, template, context, status=status)


@member_view(permissions.see_patients)
@require_http_methods(["GET", "POST"])
def request_view(request, public_id):
    snp_request = get_request(request.membership, public_id, request=request)
    status = 200
    if request.method == "POST":
        slot = get_by_public_id(Slot.objects.for_cpts(request.cpts), request.POST.get("slot"))
        move = request.POST.get("move") == "1"
        try:
            services.book(slot=slot, snp_request=snp_request, actor=request.user, move=move,
                          request=request)  # fmt: skip
        except services.AlreadyBooked as exc:
            messages.error(request, str(exc))
            status = 409
        except services.SlotTaken as exc:
            messages.error(request, f"{exc} Voici les créneaux encore libres.")
            status = 409
        else:
            messages.success(request, "Rendez-vous déplacé : le patient est prévenu par SMS."
                             if move else
                             "Rendez-vous réservé : le patient est prévenu par SMS.")  # fmt: skip
            return redirect("same_day_care:request", request.cpts.slug, snp_request.public_id)
    snp_request.refresh_from_db()
    appointment = (
        snp_request.appointments.exclude(status="cancelled")
        .select_related("slot__professional", "slot__commune")
        .first()
    )
    # With an appointment, the free slots are where it can be moved.
    return render(request, "same_day_care/request.html", _suggestions_context(
        request, snp_request, appointment=appointment), status=status)  # fmt: skip


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def slots_view(request):
    """The professional's same-day slots: publish, see, withdraw."""
    withdrawing = request.method == "POST" and "withdraw" in request.POST
    publishing = request.method == "POST" and not withdrawing
    form = PublishForm(request.POST if publishing else None)
    withdraw_form = WithdrawForm(request.POST if withdrawing else None, cpts=request.cpts,
                                 professional=request.user)  # fmt: skip
    status = 200
    if withdrawing:
        status = 400
        if withdraw_form.is_valid():
            try:
                services.withdraw_slot(slot=withdraw_form.cleaned_data["withdraw"],
                                       actor=request.user, request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(withdraw_form, exc)
                status = 409  # booked meanwhile: the state changed, not the input
            else:
                messages.success(request, "Créneau retiré.")
                return redirect("same_day_care:slots", request.cpts.slug)
    if publishing:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
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
                    mode=data["mode"], commune=data["commune"], site=data["site"],
                    request=request,
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
    return render(request, "same_day_care/slots.html", {
        "form": form, "withdraw_form": withdraw_form, "slots": slots,
    }, status=status)  # fmt: skip


@member_view(permissions.see_appointments)
def appointments_view(request):
    return _appointments_page(request)


def _appointments_page(request, *, refused=None, error="", status=200):
    """The appointments list; `refused` is the appointment whose outcome form was refused,
    shown with `error` next to its buttons."""
    appointments = list(
        appointments_visible_to(request.membership)
        .select_related("slot__professional", "slot__commune", "request")
        .order_by("-slot__start")[:100]
    )
    record_shown(request.membership, [a.request for a in appointments], request=request,
                 where="same_day_care.appointments")  # fmt: skip
    now = timezone.now()
    for appointment in appointments:
        # Honoured / not honoured only once it has started; a slip may be undone that day.
        appointment.started = appointment.slot.start <= now
        appointment.undoable = services.can_undo(appointment, now=now)
    return render(request, "same_day_care/appointments.html", {
        "appointments": appointments, "refused": refused, "outcome_error": error,
    }, status=status)  # fmt: skip


@member_view(permissions.see_appointments)
@require_POST
def outcome_view(request, public_id):
    appointment = get_by_public_id(appointments_visible_to(request.membership), public_id)
    is_professional = appointment.slot.professional_id == request.user.pk
    if not (is_professional or permissions.follow_appointments(request.membership)):
        raise Http404
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        error = " ".join(message for errors in form.errors.values() for message in errors)
        return _appointments_page(request, refused=appointment.public_id, error=error,
                                  status=400)  # fmt: skip
    try:
        services.set_status(appointment=appointment, status=form.cleaned_data["status"],
                            actor=request.user, note=form.cleaned_data["note"],
                            request=request)  # fmt: skip
    except ValidationError as exc:  # an outcome recorded meanwhile
        return _appointments_page(request, refused=appointment.public_id,
                                  error=" ".join(exc.messages), status=409)  # fmt: skip
    label = dict(form.fields["status"].choices)[form.cleaned_data["status"]]
    messages.success(request, f"Issue du rendez-vous enregistrée : {label.lower()}. Saisie par "
                     "erreur ? « Annuler cette saisie » la reprend jusqu'à ce soir minuit.")
    return redirect("same_day_care:appointments", request.cpts.slug)


@member_view(permissions.see_appointments)
@require_POST
def outcome_undo_view(request, public_id):
    """Undo an outcome recorded by mistake (the same day), audited."""
    appointment = get_by_public_id(appointments_visible_to(request.membership), public_id)
    is_professional = appointment.slot.professional_id == request.user.pk
    if not (is_professional or permissions.follow_appointments(request.membership)):
        raise Http404
    try:
        services.undo_status(appointment=appointment, actor=request.user, request=request)
    except ValidationError as exc:
        return _appointments_page(request, refused=appointment.public_id,
                                  error=" ".join(exc.messages), status=409)  # fmt: skip
    messages.success(request, "Saisie annulée : le rendez-vous est de nouveau réservé.")
    return redirect("same_day_care:appointments", request.cpts.slug)


# iCalendar ------------------------------------------------------------------------------

SKIPPED_SHOWN = 20  # events left out of an import, listed on the page


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def ics_import_view(request):
    form = IcsImportForm(request.POST or None, request.FILES or None)
    skipped = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raw = data["file"].read(ics.MAX_BYTES + 1)
            times, skipped = ics.parse_slots(raw)
            if not times:
                raise ValidationError({"file": "Aucun créneau à importer dans ce calendrier"
                                               + (" : voyez les événements ignorés ci-dessous."
                                                  if skipped else ".")})  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors_to_form(form, exc)
            else:
                form.add_error("file", exc.messages)
        else:
            # The file is readable and holds slots: the job publishes them (all or none,
            # its checks against the agenda done there); this page follows it.
            run = ics.start_import(
                cpts=request.cpts, actor=request.user, file_name=data["file"].name,
                raw=raw, profession_code=data["profession_code"], kind=data["kind"],
                mode=data["mode"], commune=data["commune"], total=len(times),
            )  # fmt: skip
            return redirect("same_day_care:ics_progress", request.cpts.slug, run.public_id)
    return render(request, "same_day_care/ics_import.html", {
        "form": form, "skipped": skipped[:SKIPPED_SHOWN],
        "skipped_more": max(len(skipped) - SKIPPED_SHOWN, 0),
    }, status=400 if form.errors else 200)  # fmt: skip


@member_view(permissions.publish_slots)
@require_GET
def ics_progress_view(request, public_id):
    """An agenda's import, then its outcome: its author's, as the slots are theirs. The
    fragment polls itself with htmx every 2 s until the job has finished."""
    run = get_by_public_id(
        IcsImport.objects.filter(cpts=request.cpts, created_by=request.user), public_id
    )
    summary = run.summary or {}
    skipped = summary.get("skipped") or []
    context = {"run": run, "skipped": skipped,
               "skipped_more": max(summary.get("skipped_count", 0) - len(skipped), 0)}  # fmt: skip
    template = "_ics_progress.html" if request.htmx else "ics_progress.html"
    return render(request, f"same_day_care/{template}", context)


def ics_feed_view(request, token):
    """The professional's private agenda feed (no login: the random token is the key)."""
    opened = feeds.open_feed(token.removesuffix(".ics"))
    if opened is None:
        raise Http404
    feed, membership = opened
    since = timezone.now() - timezone.timedelta(days=30)
    appointments = Appointment.objects.filter(
        cpts=membership.cpts, slot__professional=membership.user, slot__start__gte=since
    ).select_related("slot__commune", "request")
    appointments = list(appointments)
    audit.record(action="snp.ics_feed", actor=membership.user, cpts=membership.cpts, obj=feed,
                 request=request)  # fmt: skip
    # The feed names the patients of these appointments: one audit row each.
    record_shown(membership, [a.request for a in appointments], request=request,
                 where="same_day_care.ics_feed")  # fmt: skip
    body = ics.appointments_calendar(appointments, cpts_name=membership.cpts.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"  # patients' names and phones
    return response


# Permanence rota ----------------------------------------------------------------------


ROTA_ACTIONS = ("period", "volunteer", "generate", "publish", "swap")


@member_view(permissions.manage_rota)
@require_http_methods(["GET", "POST"])
def rota_view(request):
    cpts = request.cpts
    action = request.POST.get("action") if request.method == "POST" else None

    def bound(*names):
        return request.POST if action in names else None

    period_form = RotaPeriodForm(bound("period"))
    volunteer_form = VolunteerForm(bound("volunteer"), cpts=cpts)
    range_form = RotaRangeForm(bound("generate", "publish"))
    swap_form = SwapForm(bound("swap"), cpts=cpts)
    page_errors, status = [], 200
    if request.method == "POST":
        status = 400
        if action not in ROTA_ACTIONS:
            page_errors.append("Action inconnue : utilisez un des boutons de la page.")
        elif action == "period" and period_form.is_valid():
            try:
                rota.add_period(cpts=cpts, actor=request.user, data=period_form.cleaned_data,
                                request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(period_form, exc)
            else:
                messages.success(request, "Période ajoutée.")
                return redirect("same_day_care:rota", cpts.slug)
        elif action == "volunteer" and volunteer_form.is_valid():
            member = volunteer_form.cleaned_data["member"]
            try:
                rota.add_volunteer(
                    cpts=cpts, member=member, actor=request.user, request=request,
                    profession_code=volunteer_form.cleaned_data["profession_code"],
                )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(volunteer_form, exc)
            else:
                messages.success(
                    request, f"{member.user.get_full_name()} participe à la permanence."
                )
                return redirect("same_day_care:rota", cpts.slug)
        elif action in ("generate", "publish") and range_form.is_valid():
            start, end = range_form.cleaned_data["start"], range_form.cleaned_data["end"]
            try:
                if action == "generate":
                    plan = rota.generate(cpts=cpts, start=start, end=end, actor=request.user,
                                         request=request)  # fmt: skip
                    done = (f"{len(plan.assignments)} garde(s) attribuée(s)"
                            + (f", {len(plan.uncovered)} sans volontaire disponible."
                               if plan.uncovered else "."))  # fmt: skip
                else:
                    count = rota.publish(cpts=cpts, start=start, end=end, actor=request.user,
                                         request=request)  # fmt: skip
                    done = f"{count} garde(s) publiée(s) en créneaux."
            except ValidationError as exc:
                errors_to_form(range_form, exc)
            else:
                messages.success(request, done)
                return redirect("same_day_care:rota", cpts.slug)
        elif action == "swap" and swap_form.is_valid():
            try:
                rota.swap(first=swap_form.cleaned_data["first"],
                          second=swap_form.cleaned_data["second"],
                          actor=request.user, request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(swap_form, exc)
            else:
                messages.success(request, "Gardes échangées.")
                return redirect("same_day_care:rota", cpts.slug)
    shifts = RotaShift.objects.filter(cpts=cpts, date__gte=timezone.localdate()).select_related(
        "period", "assignee"
    )[:200]
    counts = {}
    for shift in shifts:
        counts[shift.assignee] = counts.get(shift.assignee, 0) + 1
    return render(request, "same_day_care/rota.html", {
        "period_form": period_form, "range_form": range_form,
        "volunteer_form": volunteer_form, "swap_form": swap_form, "page_errors": page_errors,
        "periods": RotaPeriod.objects.filter(cpts=cpts, archived_at__isnull=True),
        "volunteers": RotaVolunteer.objects.filter(cpts=cpts, active=True).select_related("user"),
        "shifts": shifts, "counts": sorted(counts.items(), key=lambda kv: -kv[1]),
    }, status=status)  # fmt: skip


MY_ROTA_ACTIONS = ("unavailability", "feed_new", "feed_revoke")


@member_view(permissions.publish_slots)
@require_http_methods(["GET", "POST"])
def my_rota_view(request):
    """The professional's shifts and unavailability, and their private agenda address."""
    cpts, user = request.cpts, request.user
    # The unavailability form had no action field: a post without one is that form.
    action = request.POST.get("action", "unavailability") if request.method == "POST" else None
    form = UnavailabilityForm(request.POST if action == "unavailability" else None)
    page_errors, feed_errors, new_feed_url, status = [], [], "", 200
    if request.method == "POST":
        status = 400
        if action not in MY_ROTA_ACTIONS:
            page_errors.append("Action inconnue : utilisez un des boutons de la page.")
        elif action == "unavailability" and form.is_valid():
            try:
                rota.declare_unavailability(cpts=cpts, user=user, data=form.cleaned_data,
                                            request=request)  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, "Indisponibilité enregistrée : elle sera respectée à "
                                 "la prochaine génération de la permanence.")  # fmt: skip
                return redirect("same_day_care:my_rota", cpts.slug)
        elif action == "feed_new":
            _feed, raw = feeds.issue(cpts=cpts, user=user, actor=user, request=request)
            new_feed_url = request.build_absolute_uri(
                reverse("same_day_care:ics_feed", args=[raw + ".ics"])
            )
            status = 200  # the address is shown once, in this answer, never stored
        elif action == "feed_revoke":
            try:
                feeds.revoke(cpts=cpts, user=user, actor=user, request=request)
            except ValidationError as exc:
                feed_errors.extend(exc.messages)
                status = 409
            else:
                messages.success(request, "Adresse d'agenda révoquée : elle ne donne plus "
                                 "accès à vos rendez-vous.")  # fmt: skip
                return redirect("same_day_care:my_rota", cpts.slug)
    response = render(request, "same_day_care/my_rota.html", {
        "form": form, "page_errors": page_errors, "feed_errors": feed_errors,
        "feed": feeds.current(cpts=cpts, user=user), "new_feed_url": new_feed_url,
        "shifts": RotaShift.objects.filter(cpts=cpts, assignee=user,
                                           date__gte=timezone.localdate()).select_related("period"),
        "unavailabilities": Unavailability.objects.filter(cpts=cpts, user=user,
                                                          end_date__gte=timezone.localdate()),
    }, status=status)  # fmt: skip
    if new_feed_url:
        response["Cache-Control"] = "no-store"
    return response


@member_view(permissions.member)
def indicators_view(request):
    data = indicators.compute(request.cpts)
    if request.GET.get("format") == "csv":
        return csv_response(f"snp-{request.cpts.slug}.csv", ["Indicateur", "Valeur"],
                            indicators.as_rows(data))  # fmt: skip
    return render(request, "same_day_care/indicators.html", {"data": data})
