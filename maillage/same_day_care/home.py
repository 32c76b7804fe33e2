"""The same-day care cards of the home page (core.home): a professional's appointments
of the day and next shift, the requests waiting for a slot, the board's figures."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from maillage.core import home, permissions
from maillage.patients.access import record_shown

from .access import requests_visible_to
from .models import Appointment, RotaShift, RotaVolunteer, SameDayRequest, Slot


def _url(name, membership, *args):
    return reverse(name, args=[membership.cpts.slug, *args])


def _day_bounds(day):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, zone)
    return start, start + datetime.timedelta(days=1)


@home.card("same_day_care.today", permission=permissions.publish_slots, order=20)
def today_card(membership, request):
    """The professional's same-day appointments of the day, in time order."""
    start, end = _day_bounds(timezone.localdate())
    mine = (Appointment.objects.filter(cpts=membership.cpts, slot__professional=membership.user)
            .exclude(status=Appointment.Status.CANCELLED))  # fmt: skip
    today = list(mine.filter(slot__start__gte=start, slot__start__lt=end)
                 .select_related("slot", "request").order_by("slot__start", "pk"))  # fmt: skip
    shown = today[: home.MAX_ITEMS]
    record_shown(membership, [a.request for a in shown], request=request, where="core.today")
    url = _url("same_day_care:appointments", membership)
    items = [home.Item(f"{timezone.localtime(a.slot.start):%H:%M} · {a.request.display_name}",
                       url, f"{a.request.get_reason_display()} · {a.slot.get_mode_display()}"
                       + ("" if a.status == Appointment.Status.BOOKED
                          else f" · {a.get_status_display()}"))
             for a in shown]  # fmt: skip
    text = ""
    if not today:
        following = (mine.filter(slot__start__gte=end, status=Appointment.Status.BOOKED)
                     .order_by("slot__start").values_list("slot__start", flat=True).first())
        if following is not None:
            text = f"Prochain rendez-vous le {timezone.localtime(following):%d/%m à %H:%M}."
    return home.Card(
        title="Rendez-vous SNP du jour",
        count=sum(1 for a in today if a.status == Appointment.Status.BOOKED),
        items=items, text=text, empty="Aucun rendez-vous aujourd'hui.",
        link=url, link_label="Tous mes rendez-vous",
    )  # fmt: skip


@home.card("same_day_care.open_requests", permission=permissions.follow_appointments, order=20)
def open_requests_card(membership, request):
    """Requests still waiting for a slot (the regulator's own, all of them for the
    coordination), with a new request one tap away."""
    waiting = requests_visible_to(membership).filter(status=SameDayRequest.Status.OPEN)
    count = waiting.count()
    latest = list(waiting.order_by("-created_at", "-pk")[: home.MAX_ITEMS])
    record_shown(membership, latest, request=request, where="core.today")
    items = [home.Item(r.display_name, _url("same_day_care:request", membership, r.public_id),
                       f"{r.get_urgency_display()} · enregistrée le "
                       f"{timezone.localtime(r.created_at):%d/%m à %H:%M}")
             for r in latest]  # fmt: skip
    return home.Card(
        title="Demandes de soins non programmés à orienter", count=count, items=items,
        empty="Aucune demande en attente d'un créneau.",
        action=_url("same_day_care:request_new", membership), action_label="Nouvelle demande",
    )  # fmt: skip


@home.card("same_day_care.next_shift", permission=permissions.publish_slots, order=50)
def next_shift_card(membership, request):
    shift = (RotaShift.objects.filter(cpts=membership.cpts, assignee=membership.user,
                                      date__gte=timezone.localdate())
             .select_related("period", "period__commune").order_by("date", "period__start_time")
             .first())  # fmt: skip
    if shift is None:
        if not RotaVolunteer.objects.filter(cpts=membership.cpts, user=membership.user,
                                            active=True).exists():  # fmt: skip
            return None
        text = ""
    else:
        period = shift.period
        text = (f"{period.weekday_name.capitalize()} {shift.date:%d/%m/%Y}, "
                f"{period.start_time:%H:%M}–{period.end_time:%H:%M} : {period.label}"
                + (f", {period.site}" if period.site else f", {period.commune.name}"))
    return home.Card(title="Ma prochaine garde", text=text,
                     empty="Aucune garde prévue pour l'instant.",
                     link=_url("same_day_care:my_rota", membership), link_label="Mes gardes")


@home.card("same_day_care.figures", permission=permissions.see_mission_indicators, order=81)
def figures_card(membership, request):
    """Aggregates only (no patient): what the board follows."""
    today = timezone.localdate()
    month_start, _ = _day_bounds(today.replace(day=1))
    counts = Appointment.objects.filter(cpts=membership.cpts,
                                        slot__start__gte=month_start).aggregate(
        booked=Count("pk", filter=~Q(status=Appointment.Status.CANCELLED)),
        fulfilled=Count("pk", filter=Q(status=Appointment.Status.FULFILLED)),
    )  # fmt: skip
    _, tonight = _day_bounds(today)
    # Today only: the supply of the coming weeks is a scan of every slot, for the
    # indicators page.
    free = Slot.objects.for_cpts(membership.cpts).available().filter(start__lt=tonight).count()
    return home.Card(
        title="Soins non programmés", figures=[
            home.Figure("rendez-vous pris ce mois-ci", counts["booked"]),
            home.Figure("rendez-vous honorés ce mois-ci", counts["fulfilled"]),
            home.Figure("créneaux encore libres aujourd'hui", free),
        ], link=_url("same_day_care:indicators", membership), link_label="Indicateurs",
    )  # fmt: skip
