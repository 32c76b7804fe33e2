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


# The indicator registry (core.indicators) and the attendance registry (core.attendance) --

MISSION = "same_day_care"


def _requests(cpts, period):
    from maillage.core.indicators import period_bounds

    low, high = period_bounds(period)
    return SameDayRequest.objects.filter(cpts=cpts, created_at__gte=low, created_at__lt=high)


def _appointments(cpts, period, status):
    """Appointments whose slot starts in the period: a visit counts on the day it was due."""
    from maillage.core.indicators import period_bounds

    low, high = period_bounds(period)
    return Appointment.objects.filter(cpts=cpts, status=status, slot__start__gte=low,
                                      slot__start__lt=high)  # fmt: skip


def participating_doctors(cpts, period):
    from django.db.models import Exists, OuterRef

    from maillage.core.indicators import Value, period_bounds
    from maillage.core.models import User

    low, high = period_bounds(period)
    # One index seek per person (slot_professional_start) rather than a distinct over a
    # year of slots: ten times faster on a busy CPTS.
    kept = [status for status, _label in Slot.Status.choices if status != Slot.Status.WITHDRAWN]
    slots = Slot.objects.for_cpts(cpts).filter(professional=OuterRef("pk"), status__in=kept,
                                               start__gte=low, start__lt=high)  # fmt: skip
    return Value(User.objects.filter(Exists(slots)).count())


def requests(cpts, period):
    from maillage.core.indicators import Value

    return Value(_requests(cpts, period).count())


def appointments_honoured(cpts, period):
    from maillage.core.indicators import Value

    return Value(_appointments(cpts, period, Appointment.Status.FULFILLED).count())


def appointments_missed(cpts, period):
    from maillage.core.indicators import Value

    return Value(_appointments(cpts, period, Appointment.Status.NOSHOW).count())


def answered_within_24h(cpts, period):
    """Requests of the period given an appointment (not cancelled) that starts at most 24 h
    after the request was recorded, over the requests of the period."""
    from django.db.models import F

    from maillage.core.indicators import Value

    asked = _requests(cpts, period)
    total = asked.count()
    answered = (Appointment.objects.filter(request__in=asked)
                .exclude(status=Appointment.Status.CANCELLED)
                .filter(slot__start__lte=F("request__created_at")
                        + datetime.timedelta(hours=24))
                .values("request").distinct().count())  # fmt: skip
    if not total:
        return Value(None, numerator=0, denominator=0, note="aucune demande dans la période")
    return Value(round(100 * answered / total, 1), numerator=answered, denominator=total)


INDICATORS = (
    ("same_day_care.participating_doctors", "Professionnels participant aux soins non "
     "programmés", "Professionnels ayant publié au moins un créneau de soins non programmés "
     "débutant dans la période (créneaux retirés exclus), chacun compté une fois.",
     "professionnels", participating_doctors),
    ("same_day_care.requests", "Demandes de soins non programmés",
     "Demandes de soins non programmés enregistrées pendant la période (régulation, "
     "professionnels, partenaires), quelle qu'en soit l'issue.", "demandes", requests),
    ("same_day_care.appointments_honoured", "Rendez-vous de soins non programmés honorés",
     "Rendez-vous dont le créneau débutait dans la période et que le professionnel a "
     "marqués « honoré ».", "rendez-vous", appointments_honoured),
    ("same_day_care.appointments_missed", "Rendez-vous de soins non programmés non honorés",
     "Rendez-vous dont le créneau débutait dans la période et que le professionnel a "
     "marqués « non honoré » (patient absent).", "rendez-vous", appointments_missed),
    ("same_day_care.answered_within_24h", "Demandes avec un rendez-vous sous 24 h",
     "Part des demandes de la période ayant obtenu un rendez-vous (non annulé) débutant au "
     "plus 24 heures après l'enregistrement de la demande : numérateur ces demandes, "
     "dénominateur toutes les demandes de la période.", "%", answered_within_24h),
)  # fmt: skip


def shift_minutes(period) -> int:
    """A rota period's length in minutes (a period ends after it starts, the same day: a
    database constraint)."""
    start = period.start_time.hour * 60 + period.start_time.minute
    return period.end_time.hour * 60 + period.end_time.minute - start


def rota_attendance(cpts, period):
    """One record per rota shift (garde) of the period already done: the shift's date is in
    the period and before today (the rota records no check-in, so a past shift is taken as
    held by its assignee, after any swap). Minutes: the shift's length."""
    from maillage.core.attendance import Attendance
    from maillage.directory.models import DirectoryEntry

    from .models import RotaShift

    start, end = period
    end = min(end, timezone.localdate() - datetime.timedelta(days=1))
    shifts = list(RotaShift.objects.filter(cpts=cpts, date__gte=start, date__lte=end)
                  .select_related("period", "assignee").order_by("date", "pk"))  # fmt: skip
    accounts = {s.assignee_id for s in shifts}
    entries = dict(DirectoryEntry.objects.filter(cpts=cpts, account__in=accounts)
                   .values_list("account", "professional"))  # fmt: skip
    zone = timezone.get_current_timezone()
    records = []
    for shift in shifts:
        minutes = shift_minutes(shift.period)
        if minutes <= 0:
            continue
        user = shift.assignee
        records.append(Attendance(
            user_id=user.pk, professional_id=entries.get(user.pk),
            name=str(user), activity="rota",
            started_at=datetime.datetime.combine(shift.date, shift.period.start_time,
                                                 tzinfo=zone),
            minutes=minutes,
            proof=f"Garde « {shift.period.label} » du {shift.date:%d/%m/%Y} "
                  f"({shift.period.start_time:%H:%M}–{shift.period.end_time:%H:%M})",
            ref=f"same_day_care.rota_shift:{shift.public_id}",
        ))  # fmt: skip
    return records


def first_activity(cpts):
    """The first slot published or the first request recorded, whichever came first."""
    dates = [
        Slot.objects.for_cpts(cpts).order_by("created_at").values_list("created_at",
                                                                        flat=True).first(),
        SameDayRequest.objects.filter(cpts=cpts).order_by("created_at")
        .values_list("created_at", flat=True).first(),
    ]  # fmt: skip
    dates = [timezone.localtime(d).date() for d in dates if d is not None]
    return min(dates) if dates else None


def register_indicators():
    from maillage.core import attendance, indicators

    for code, label, definition, unit, function in INDICATORS:
        indicators.register(code, mission=MISSION, label=label, definition=definition,
                            unit=unit, source="créneaux, demandes et rendez-vous de soins "
                                              "non programmés (Maillage)",
                            compute=function)  # fmt: skip
    indicators.register_start(MISSION, label="premier créneau publié ou première demande "
                                             "de soins non programmés",
                              first_activity=first_activity)  # fmt: skip
    attendance.register("rota", label="Garde de soins non programmés", records=rota_attendance)
