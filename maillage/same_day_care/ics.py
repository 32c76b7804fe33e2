"""iCalendar: import free same-day slots from a professional's agenda, and a private feed
of their booked appointments to subscribe to."""

import datetime

from dateutil.rrule import rrulestr
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar, Event

MAX_BYTES = 2 * 1024 * 1024
RECURRENCE_WEEKS = 8  # a recurring event is expanded this far ahead
FEED_SALT = "maillage-snp-feed"


def parse_slots(raw: bytes, *, now=None) -> tuple[list[tuple], list[str]]:
    """(start, end) of every future event of the file, and what was left out and why.

    Raises ValidationError when the file is not an iCalendar file at all."""
    now = now or timezone.now()
    if len(raw) > MAX_BYTES:
        raise ValidationError("Fichier trop volumineux (2 Mo au plus).")
    text = raw.decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:2000]:
        raise ValidationError(
            "Ce fichier n'est pas un calendrier iCalendar (.ics) : il ne commence pas par "
            "BEGIN:VCALENDAR."
        )
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise ValidationError(f"Calendrier illisible : {exc}.") from exc
    zone = timezone.get_current_timezone()
    times, skipped = [], []
    horizon = now + datetime.timedelta(weeks=RECURRENCE_WEEKS)
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "(sans titre)"))
        start = event.get("DTSTART")
        if start is None:
            skipped.append(f"« {summary} » : pas de date de début.")
            continue
        start = start.dt
        if not isinstance(start, datetime.datetime):
            skipped.append(f"« {summary} » : événement sur la journée entière, ignoré.")
            continue
        if timezone.is_naive(start):
            start = timezone.make_aware(start, zone)
        if event.get("DTEND") is not None:
            end = event.get("DTEND").dt
            if isinstance(end, datetime.datetime) and timezone.is_naive(end):
                end = timezone.make_aware(end, zone)
        elif event.get("DURATION") is not None:
            end = start + event.get("DURATION").dt
        else:
            skipped.append(f"« {summary} » : pas d'heure de fin.")
            continue
        if not isinstance(end, datetime.datetime) or end <= start:
            skipped.append(f"« {summary} » : la fin ne suit pas le début.")
            continue
        starts = [start]
        if event.get("RRULE") is not None:
            rule = rrulestr(event.get("RRULE").to_ical().decode(), dtstart=start)
            starts = list(rule.between(now, horizon, inc=True))
        for begin in starts:
            if begin <= now:
                continue
            times.append((begin, begin + (end - start)))
        if all(b <= now for b in starts):
            skipped.append(f"« {summary} » : dans le passé.")
    return sorted(times), skipped


def feed_token(user, cpts) -> str:
    return signing.dumps({"u": user.pk, "c": cpts.pk}, salt=FEED_SALT, compress=True)


def read_feed_token(token: str) -> dict:
    return signing.loads(token, salt=FEED_SALT)


def appointments_calendar(appointments, *, cpts_name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Maillage//Soins non programmés//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"SNP — {cpts_name}")
    for appointment in appointments:
        slot, request = appointment.slot, appointment.request
        event = Event()
        event.add("uid", f"{appointment.public_id}@maillage")
        event.add("dtstart", slot.start)
        event.add("dtend", slot.end)
        event.add("dtstamp", appointment.booked_at)
        event.add("summary", f"SNP : {request.display_name} ({request.get_reason_display()})")
        event.add("description", f"Téléphone : {request.phone}\n{slot.get_mode_display()}")
        event.add("location", slot.site or slot.commune.name)
        event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
