"""Indicators of the same-day care mission (aggregates only)."""

import datetime

from django.db.models import Count
from django.utils import timezone

from .models import Appointment, SameDayRequest, Slot


def compute(cpts, *, days: int = 90) -> dict:
    since = timezone.now() - datetime.timedelta(days=days)
    requests = SameDayRequest.objects.filter(cpts=cpts, created_at__gte=since)
    by_origin = dict(requests.values("origin").annotate(n=Count("pk")).values_list("origin", "n"))
    total = sum(by_origin.values())
    appointments = list(
        Appointment.objects.filter(cpts=cpts, request__created_at__gte=since)
        .select_related("slot", "request")
    )  # fmt: skip
    same_day = within_24h = 0
    answered = set()
    for a in appointments:
        if a.request_id in answered:
            continue
        answered.add(a.request_id)
        delay = a.slot.start - a.request.created_at
        if (
            timezone.localtime(a.slot.start).date()
            == timezone.localtime(a.request.created_at).date()
        ):
            same_day += 1
        if delay <= datetime.timedelta(hours=24):
            within_24h += 1
    outcomes = {s: sum(1 for a in appointments if a.status == s)
                for s in ("fulfilled", "noshow", "cancelled", "booked")}  # fmt: skip
    attended = outcomes["fulfilled"] + outcomes["noshow"]
    slots = Slot.objects.filter(cpts=cpts, start__gte=since).exclude(status="withdrawn")
    return {
        "days": days,
        "requests_total": total,
        "requests_by_origin": sorted(by_origin.items()),
        "same_day_share": round(100 * same_day / total, 1) if total else None,
        "within_24h_share": round(100 * within_24h / total, 1) if total else None,
        "noshow_rate": round(100 * outcomes["noshow"] / attended, 1) if attended else None,
        "redirected": sum(1 for a in appointments if a.redirected_to_emergency),
        "outcomes": outcomes,
        "professionals": slots.values("professional").distinct().count(),
        "slots_offered": slots.count(),
        "slots_used": slots.filter(status="booked").count(),
    }


def as_rows(data):
    yield ["Période (jours)", data["days"]]
    yield ["Demandes reçues", data["requests_total"]]
    for origin, count in data["requests_by_origin"]:
        yield [f"Demandes : {origin}", count]
    yield ["Part avec rendez-vous le jour même (%)", data["same_day_share"] or ""]
    yield ["Part avec rendez-vous sous 24 h (%)", data["within_24h_share"] or ""]
    yield ["Taux de rendez-vous non honorés (%)", data["noshow_rate"] or ""]
    yield ["Orientations vers les urgences", data["redirected"]]
    yield ["Professionnels participants", data["professionals"]]
    yield ["Créneaux proposés", data["slots_offered"]]
    yield ["Créneaux utilisés", data["slots_used"]]
