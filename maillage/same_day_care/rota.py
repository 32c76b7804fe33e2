"""Permanence rota: recurring periods, volunteers, unavailability, a fair assignment,
swaps, and publication of the shifts as same-day slots."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit

from .models import RotaPeriod, RotaShift, RotaVolunteer, SlotKind, Unavailability
from .services import check_profession, publish_slots

MAX_DAYS = 366
HISTORY_DAYS = 365  # shifts of the past year count when balancing the new ones


@transaction.atomic
def add_period(*, cpts, actor, data: dict, request=None) -> RotaPeriod:
    period = RotaPeriod(cpts=cpts, **data)
    check_profession(period.profession_code)
    period.full_clean()
    period.save()
    audit.record(action="snp.rota_period", actor=actor, cpts=cpts, obj=period, request=request)
    return period


@transaction.atomic
def add_volunteer(*, cpts, member, profession_code, actor, request=None) -> RotaVolunteer:
    """Enrol a professional of the CPTS in the permanence (again, if they had left)."""
    check_profession(profession_code)
    if member.cpts_id != cpts.pk:
        raise ValidationError({"member": "Ce professionnel n'est pas membre de la CPTS."})
    volunteer, _ = RotaVolunteer.objects.update_or_create(
        cpts=cpts, user=member.user,
        defaults={"profession_code": profession_code, "active": True},
    )  # fmt: skip
    audit.record(action="snp.rota_volunteer", actor=actor, cpts=cpts, request=request,
                 detail={"member": str(member.public_id),
                         "profession": profession_code})  # fmt: skip
    return volunteer


@transaction.atomic
def declare_unavailability(*, cpts, user, data: dict, request=None) -> Unavailability:
    unavailability = Unavailability(cpts=cpts, user=user, **data)
    unavailability.full_clean()
    unavailability.save()
    audit.record(action="snp.unavailability", actor=user, cpts=cpts, obj=unavailability,
                 request=request)  # fmt: skip
    return unavailability


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


def occurrences(periods, start: datetime.date, end: datetime.date):
    """(period, date) for every date in [start, end] a period applies to."""
    day = start
    while day <= end:
        for period in periods:
            if period.weekday != day.weekday():
                continue
            if period.only_from and day < period.only_from:
                continue
            if period.only_until and day > period.only_until:
                continue
            yield period, day
        day += datetime.timedelta(days=1)


@dataclass(frozen=True)
class Volunteer:
    key: int
    profession_code: str
    unavailable: frozenset = frozenset()  # dates


@dataclass
class Plan:
    assignments: list[tuple[object, datetime.date, int]] = field(default_factory=list)
    uncovered: list[tuple[object, datetime.date]] = field(default_factory=list)


def assign(slots, volunteers, *, history=None, weekend_history=None) -> Plan:
    """Fair assignment, pure: `slots` are (period-like with profession_code and times,
    date). Weekend shifts are dealt first, each to the available volunteer with the fewest
    weekend shifts, then the fewest shifts; weekday shifts then go to the one with the
    fewest shifts. Dealing to the least loaded keeps both counts within one of each other
    when everyone is available; nobody holds two overlapping shifts the same day."""
    counts = Counter(history or {})
    weekends = Counter(weekend_history or {})
    last: dict[int, datetime.date] = {}
    busy: dict[tuple[int, datetime.date], list] = {}
    plan = Plan()
    ordered = sorted(slots, key=lambda s: (not is_weekend(s[1]), s[1], s[0].start_time))
    for period, day in ordered:
        candidates = []
        for v in volunteers:
            if v.profession_code != period.profession_code or day in v.unavailable:
                continue
            taken = busy.get((v.key, day), [])
            if any(p.start_time < period.end_time and period.start_time < p.end_time
                   for p in taken):  # fmt: skip
                continue
            weekend_load = weekends[v.key] if is_weekend(day) else 0
            candidates.append((weekend_load, counts[v.key], last.get(v.key, datetime.date.min),
                               v.key))  # fmt: skip
        if not candidates:
            plan.uncovered.append((period, day))
            continue
        key = min(candidates)[3]
        plan.assignments.append((period, day, key))
        counts[key] += 1
        if is_weekend(day):
            weekends[key] += 1
        last[key] = day
        busy.setdefault((key, day), []).append(period)
    return plan


@transaction.atomic
def generate(*, cpts, start: datetime.date, end: datetime.date, actor, request=None) -> Plan:
    """(Re)build the rota between two dates. Shifts already published as slots are kept."""
    if end < start:
        raise ValidationError({"end": "La date de fin précède la date de début."})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": f"Au plus {MAX_DAYS} jours à la fois."})
    periods = list(RotaPeriod.objects.filter(cpts=cpts, archived_at__isnull=True))
    if not periods:
        raise ValidationError({"start": "Définissez d'abord au moins une période de permanence."})
    volunteers_qs = RotaVolunteer.objects.filter(cpts=cpts, active=True)
    if not volunteers_qs.exists():
        raise ValidationError({"start": "Aucun volontaire inscrit à la permanence."})
    RotaShift.objects.filter(cpts=cpts, date__range=(start, end), slot__isnull=True).delete()
    kept = set(RotaShift.objects.filter(cpts=cpts, date__range=(start, end))
               .values_list("period_id", "date"))  # fmt: skip
    unavailable = {}
    for u in Unavailability.objects.filter(cpts=cpts, end_date__gte=start, start_date__lte=end):
        day = max(u.start_date, start)
        while day <= min(u.end_date, end):
            unavailable.setdefault(u.user_id, set()).add(day)
            day += datetime.timedelta(days=1)
    volunteers = [Volunteer(v.user_id, v.profession_code, frozenset(unavailable.get(v.user_id,
                                                                                      ())))
                  for v in volunteers_qs]  # fmt: skip
    since = start - datetime.timedelta(days=HISTORY_DAYS)
    past = RotaShift.objects.filter(cpts=cpts, date__gte=since, date__lt=start)
    history = Counter(past.values_list("assignee_id", flat=True))
    weekend_history = Counter(s.assignee_id for s in past if is_weekend(s.date))
    slots = [(p, d) for p, d in occurrences(periods, start, end) if (p.pk, d) not in kept]
    plan = assign(slots, volunteers, history=history, weekend_history=weekend_history)
    RotaShift.objects.bulk_create([
        RotaShift(cpts=cpts, period=period, date=day, assignee_id=user_id)
        for period, day, user_id in plan.assignments
    ])  # fmt: skip
    audit.record(action="snp.rota_generate", actor=actor, cpts=cpts, request=request,
                 detail={"from": str(start), "to": str(end), "shifts": len(plan.assignments),
                         "uncovered": len(plan.uncovered)})  # fmt: skip
    return plan


def _available(user_id, day, cpts) -> bool:
    return not Unavailability.objects.filter(cpts=cpts, user_id=user_id, start_date__lte=day,
                                             end_date__gte=day).exists()  # fmt: skip


@transaction.atomic
def swap(*, first: RotaShift, second: RotaShift, actor, request=None) -> None:
    """Exchange the holders of two shifts, if each is available on the other's date."""
    first, second = (RotaShift.objects.select_for_update().select_related("period").get(pk=s.pk)
                     for s in (first, second))  # fmt: skip
    if first.cpts_id != second.cpts_id or first.pk == second.pk:
        raise ValidationError("Choisissez deux gardes différentes de la même CPTS.")
    if first.slot_id or second.slot_id:
        raise ValidationError("Une garde déjà publiée ne s'échange plus : retirez ses créneaux.")
    if first.assignee_id == second.assignee_id:
        raise ValidationError("Ces deux gardes ont déjà le même titulaire.")
    for shift, other in ((first, second), (second, first)):
        if not _available(other.assignee_id, shift.date, shift.cpts):
            raise ValidationError(
                f"{other.assignee.get_full_name()} est indisponible le {shift.date:%d/%m/%Y}."
            )
    first.assignee_id, second.assignee_id = second.assignee_id, first.assignee_id
    first.save(update_fields=["assignee"])
    second.save(update_fields=["assignee"])
    audit.record(
        action="snp.rota_swap",
        actor=actor,
        cpts=first.cpts,
        obj=first,
        request=request,
        detail={"with": str(second.public_id)},
    )


@transaction.atomic
def publish(*, cpts, start, end, actor, request=None) -> int:
    """Publish the shifts of a date range as CPTS slots of their holders."""
    count = 0
    shifts = (
        RotaShift.objects.select_for_update()
        .filter(cpts=cpts, date__range=(start, end), slot__isnull=True)
        .select_related("period", "assignee")
    )
    zone = timezone.get_current_timezone()
    now = timezone.now()
    for shift in shifts:
        begin = datetime.datetime.combine(shift.date, shift.period.start_time, zone)
        finish = datetime.datetime.combine(shift.date, shift.period.end_time, zone)
        if begin <= now:
            continue
        slot = publish_slots(
            cpts=cpts, professional=shift.assignee, actor=actor, times=[(begin, finish)],
            profession_code=shift.period.profession_code, kind=SlotKind.CPTS,
            mode=shift.period.mode, commune=shift.period.commune,
            site=shift.period.site or shift.period.label, request=request,
        )[0]  # fmt: skip
        shift.slot = slot
        shift.save(update_fields=["slot"])
        count += 1
    return count
