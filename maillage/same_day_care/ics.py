"""iCalendar: import free same-day slots from a professional's agenda, and a private feed
of their booked appointments to subscribe to.

The import reads a file anyone can write. Every problem of an event is explained in
French with the event's title and line, and recurrences are expanded under hard,
deterministic bounds (occurrences per event and per file, occurrences generated, and
months of calendar walked), so that no file can hold a worker."""

import datetime
import re
from dataclasses import dataclass

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar, Event, vBroken

from maillage.core import jobs

MAX_BYTES = 2 * 1024 * 1024
# icalendar reads about 50 000 lines a second: the file is bounded in lines and events too.
MAX_LINES = 50_000
MAX_EVENTS = 5_000
RECURRENCE_WEEKS = 8  # a recurring event is expanded this far ahead
MAX_DAYS_AHEAD = 366  # a single event further ahead is not a same-day slot
MAX_EVENT_HOURS = 12
MAX_SLOTS_PER_FILE = 500  # services.MAX_SLOTS_PER_PUBLICATION
MAX_OCCURRENCES_PER_EVENT = 200
# Work bounds of the expansion. dateutil keeps walking the calendar, up to year 9999,
# to find the next occurrence of a rule that matches rarely or never (30 February,
# BYSETPOS=6 in a week): the walk is counted in months and cut.
MAX_STEPS_PER_FILE = 20_000  # occurrences generated, past ones included
MAX_MONTHS_PER_EVENT = 12 * 40
MAX_MONTHS_PER_FILE = 12 * 200
STEPS_PER_RULE = 20  # building a rule costs about as much as 20 occurrences

FREQUENCIES = {"YEARLY": du.YEARLY, "MONTHLY": du.MONTHLY, "WEEKLY": du.WEEKLY,
               "DAILY": du.DAILY}  # fmt: skip
TOO_FREQUENT = {"HOURLY": "toutes les heures", "MINUTELY": "toutes les minutes",
                "SECONDLY": "toutes les secondes"}  # fmt: skip
WEEKDAYS = {"MO": du.MO, "TU": du.TU, "WE": du.WE, "TH": du.TH, "FR": du.FR, "SA": du.SA,
            "SU": du.SU}  # fmt: skip
# RRULE part -> (dateutil argument, smallest, largest, may be negative)
NUMBER_PARTS = {
    "BYMONTH": ("bymonth", 1, 12, False),
    "BYMONTHDAY": ("bymonthday", 1, 31, True),
    "BYYEARDAY": ("byyearday", 1, 366, True),
    "BYWEEKNO": ("byweekno", 1, 53, True),
    "BYHOUR": ("byhour", 0, 23, False),
    "BYMINUTE": ("byminute", 0, 59, False),
    "BYSECOND": ("bysecond", 0, 59, False),
    "BYSETPOS": ("bysetpos", 1, 366, True),
}
MAX_TIMES_PER_DAY = 48  # BYHOUR x BYMINUTE x BYSECOND combinations
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_STRUCTURE_ERRORS = (
    ("no components where exactly one", "il manque la fin du calendrier (END:VCALENDAR) ou "
                                        "d'un de ses éléments (END:VEVENT…)"),
    ("multiple components", "le fichier contient plusieurs calendriers : exportez-en un seul"),
    ("END encountered without", "une ligne END: n'a pas de ligne BEGIN: correspondante"),
)  # fmt: skip


class _Skip(Exception):  # noqa: N818 (control flow: the event is left out, and why)
    """Leave the current event out; the message says why."""


class _WalkLimit(Exception):  # noqa: N818
    """The rule walked through more months of calendar than allowed."""


class _BoundedRule(du.rrule):
    """A dateutil rule that stops walking the calendar after a number of months.

    dateutil reads `_bynweekday` each time it prepares a new month (or year) of
    candidates, including months where nothing matches and nothing is yielded: it is
    the one place where a rule that never matches can be stopped. The timing tests of
    the import fail if a dateutil release moves that read."""

    def __init__(self, *args, months: int, **kwargs):
        self._months_left = months + 4  # the constructor itself reads it a few times
        super().__init__(*args, **kwargs)

    @property
    def _bynweekday(self):
        self._months_left -= 1
        if self._months_left < 0:
            raise _WalkLimit
        return self._bynweekday_value

    @_bynweekday.setter
    def _bynweekday(self, value):
        self._bynweekday_value = value


@dataclass
class _Budget:
    steps: int = MAX_STEPS_PER_FILE
    months: int = MAX_MONTHS_PER_FILE


@dataclass
class _Window:
    now: datetime.datetime
    horizon: datetime.datetime  # recurrences
    last: datetime.datetime  # single events
    zone: datetime.tzinfo


def _clean(value, limit=60) -> str:
    """Text of the file, fit to be shown: no control characters, not too long."""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = " ".join(_CONTROL.sub(" ", "" if value is None else str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(event, line: int | None) -> str:
    summary = _clean(event.get("SUMMARY"))
    where = [f"ligne {line}"] if line else []
    if not summary:
        uid = _clean(event.get("UID"), 40)
        if uid:
            where.append(f"UID {uid}")
    name = f"« {summary} »" if summary else "Événement sans titre"
    return f"{name} ({', '.join(where)})" if where else name


def _one(event, name):
    value = event.get(name)
    if isinstance(value, list):
        if len(value) > 1:
            raise _Skip(f"plusieurs propriétés {name} : une seule est possible")
        value = value[0] if value else None
    return value


def _moment(prop, name: str, what: str, zone):
    """A property's date and time, made aware (a floating time is the CPTS's local time);
    a date without time stays a date."""
    if isinstance(prop, vBroken):
        raise _Skip(f"{what} ({name}) illisible : « {_clean(prop, 40)} »")
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            tzid = getattr(prop, "params", {}).get("TZID")
            if tzid:  # icalendar leaves a time naive when it does not know its zone
                raise _Skip(f"fuseau horaire inconnu « {_clean(tzid, 40)} » ({name})")
            value = value.replace(tzinfo=zone)
        return value
    if isinstance(value, datetime.date):
        return value
    raise _Skip(f"{what} ({name}) illisible")


def _dates(event, name: str, what: str, zone) -> list:
    """Every date of a list property (EXDATE, RDATE), possibly given on several lines."""
    values = event.get(name)
    if values is None:
        return []
    moments = []
    for item in values if isinstance(values, list) else [values]:
        if isinstance(item, vBroken):
            raise _Skip(f"{what} ({name}) illisibles : « {_clean(item, 40)} »")
        for value in getattr(item, "dts", []):
            moments.append(_moment(value, name, what, zone))
    return moments


def _integer(value, name: str, low: int, high: int, signed: bool = False) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = None
    if number is None or not (low <= abs(number) <= high) or (number < 0 and not signed):
        span = f"entre {low} et {high}" + (" (ou négatif)" if signed else "")
        raise _Skip(f"règle de récurrence (RRULE) : {name}={_clean(value, 20)} invalide, "
                    f"valeur attendue {span}")  # fmt: skip
    return number


def _weekday(value):
    match = _BYDAY.match(str(value).upper())
    if match is None:
        raise _Skip(
            f"règle de récurrence (RRULE) : BYDAY={_clean(value, 20)} invalide "
            "(MO, TU, WE, TH, FR, SA, SU, éventuellement précédé d'un rang : 1MO, -1FR)"
        )
    rank = int(match[1]) if match[1] else None
    if rank is not None and not 1 <= abs(rank) <= 53:
        raise _Skip(f"règle de récurrence (RRULE) : BYDAY={_clean(value, 20)} invalide")
    return WEEKDAYS[match[2]](rank) if rank else WEEKDAYS[match[2]]


def _until(value, start: datetime.datetime) -> datetime.datetime:
    """UNTIL as an aware moment. RFC 5545 wants it in UTC when DTSTART has a zone; a
    floating UNTIL, or a date, means the same wall time in DTSTART's zone, which is what
    the agenda meant, so it is read that way instead of refusing the event."""
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=start.tzinfo)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(23, 59, 59), start.tzinfo)
    raise _Skip(f"règle de récurrence (RRULE) : UNTIL={_clean(value, 20)} invalide")


def _rule_arguments(rule, start) -> tuple[dict, datetime.datetime | None]:
    """dateutil arguments of an RRULE read by icalendar, checked part by part."""
    if isinstance(rule, list):
        raise _Skip("plusieurs règles de récurrence (RRULE) : une seule est prise en charge")
    if isinstance(rule, vBroken):
        raise _Skip(f"règle de récurrence (RRULE) illisible : « {_clean(rule, 80)} »")
    parts = {str(name).upper(): values for name, values in rule.items()}
    values = parts.pop("FREQ", None)
    freq = str(values[0]).upper() if values else ""
    if freq in TOO_FREQUENT:
        raise _Skip(f"récurrence {TOO_FREQUENT[freq]} (FREQ={freq}) refusée : des créneaux de "
                    "consultation se répètent chaque jour, chaque semaine, chaque mois ou "
                    "chaque année")  # fmt: skip
    if freq not in FREQUENCIES:
        raise _Skip(f"règle de récurrence (RRULE) : fréquence « {_clean(freq, 20)} » inconnue "
                    "(DAILY, WEEKLY, MONTHLY ou YEARLY)")  # fmt: skip
    arguments, until = {"freq": FREQUENCIES[freq]}, None
    for name, values in parts.items():
        first = values[0] if values else ""
        if name == "INTERVAL":
            arguments["interval"] = _integer(first, name, 1, 1000)
        elif name == "COUNT":
            arguments["count"] = _integer(first, name, 1, 10**9)
        elif name == "UNTIL":
            until = _until(first, start)
        elif name == "WKST":
            if str(first).upper() not in WEEKDAYS:
                raise _Skip(f"règle de récurrence (RRULE) : WKST={_clean(first, 20)} invalide")
            arguments["wkst"] = WEEKDAYS[str(first).upper()]
        elif name == "BYDAY":
            arguments["byweekday"] = [_weekday(value) for value in values]
        elif name in NUMBER_PARTS:
            argument, low, high, signed = NUMBER_PARTS[name]
            arguments[argument] = [_integer(value, name, low, high, signed) for value in values]
        elif not name.startswith("X-"):
            raise _Skip(f"règle de récurrence (RRULE) : « {_clean(name, 20)} » n'est pas pris "
                        "en charge")  # fmt: skip
    per_day = 1
    for argument in ("byhour", "byminute", "bysecond"):
        per_day *= len(set(arguments.get(argument, ()))) or 1
    if per_day > MAX_TIMES_PER_DAY:
        raise _Skip(f"règle de récurrence (RRULE) : {per_day} heures par jour, "
                    f"{MAX_TIMES_PER_DAY} au plus")  # fmt: skip
    return arguments, until


def _rule_starts(rule, start, window: _Window, budget: _Budget, excluded) -> list:
    """The rule's starts in the window, earliest first, lazily and within the bounds."""
    arguments, until = _rule_arguments(rule, start)
    if budget.steps < STEPS_PER_RULE or budget.months <= 0:
        raise _Skip("calcul des récurrences arrêté : ce fichier en contient trop")
    budget.steps -= STEPS_PER_RULE
    months = min(MAX_MONTHS_PER_EVENT, budget.months)
    try:
        expansion = _BoundedRule(dtstart=start, months=months, **arguments)
    except (ValueError, TypeError) as exc:
        raise _Skip("règle de récurrence (RRULE) incohérente") from exc
    starts, limited = [], False
    try:
        for begin in expansion:
            budget.steps -= 1
            if budget.steps < 0:
                raise _Skip("calcul des récurrences arrêté : ce fichier en contient trop")
            if (until is not None and begin > until) or begin > window.horizon:
                break
            if begin <= window.now or excluded(begin):
                continue
            starts.append(begin)
            if len(starts) > MAX_OCCURRENCES_PER_EVENT:
                break
    except _WalkLimit:
        limited = True
    finally:
        budget.months -= months + 4 - max(expansion._months_left, 0)
    if limited and not starts:
        raise _Skip("récurrence trop longue à calculer : elle commence trop loin dans le passé "
                    "ou ne tombe presque jamais")  # fmt: skip
    return starts


def _event_slots(event, window: _Window, budget: _Budget, overridden: set) -> tuple:
    """(starts, duration) of an event, or _Skip saying why it is left out."""
    zone = window.zone
    status = _clean(_one(event, "STATUS")).upper()
    if status == "CANCELLED":
        raise _Skip("événement annulé (STATUS:CANCELLED)")
    start_prop = _one(event, "DTSTART")
    if start_prop is None:
        raise _Skip("pas de date de début (DTSTART)")
    start = _moment(start_prop, "DTSTART", "date de début", zone)
    if not isinstance(start, datetime.datetime):
        raise _Skip("événement sur la journée entière (sans heure), ignoré")
    end_prop, duration_prop = _one(event, "DTEND"), _one(event, "DURATION")
    if end_prop is not None:
        end = _moment(end_prop, "DTEND", "date de fin", zone)
        if not isinstance(end, datetime.datetime):
            raise _Skip("la fin (DTEND) est une date sans heure")
        duration = end - start
        if duration <= datetime.timedelta(0):
            raise _Skip("la fin (DTEND) ne suit pas le début (DTSTART)")
    elif duration_prop is not None:
        if isinstance(duration_prop, vBroken):
            raise _Skip(f"durée (DURATION) illisible : « {_clean(duration_prop, 40)} » (forme "
                        "attendue : PT20M pour 20 minutes)")  # fmt: skip
        duration = getattr(duration_prop, "dt", None)
        if not isinstance(duration, datetime.timedelta) or duration <= datetime.timedelta(0):
            raise _Skip("durée (DURATION) nulle, négative ou illisible")
    else:
        raise _Skip("pas d'heure de fin (DTEND ou DURATION)")
    if duration > datetime.timedelta(hours=MAX_EVENT_HOURS):
        raise _Skip(f"dure plus de {MAX_EVENT_HOURS} heures : ce n'est pas un créneau")
    rule = event.get("RRULE")
    extra = _dates(event, "RDATE", "dates ajoutées", zone)
    if rule is None and not extra:
        if start <= window.now:
            raise _Skip("dans le passé")
        if start > window.last:
            raise _Skip(f"plus de {MAX_DAYS_AHEAD} jours à l'avance")
        return [start], duration
    moments = _dates(event, "EXDATE", "dates exclues", zone)
    instants = {m.astimezone(datetime.UTC) for m in moments if isinstance(m, datetime.datetime)}
    instants |= overridden
    days = {m for m in moments if not isinstance(m, datetime.datetime)}

    def excluded(begin):
        if not (instants or days):
            return False
        return (
            begin.astimezone(datetime.UTC) in instants
            or begin.astimezone(start.tzinfo).date() in days
        )

    starts = [start] if rule is None and window.now < start <= window.horizon else []
    if rule is not None:
        starts = _rule_starts(rule, start, window, budget, excluded)
    for moment in extra:
        if not isinstance(moment, datetime.datetime):
            raise _Skip("date ajoutée (RDATE) sans heure")
        if window.now < moment <= window.horizon and not excluded(moment):
            starts.append(moment)
    if not starts:
        raise _Skip(f"aucune date dans les {RECURRENCE_WEEKS} prochaines semaines")
    return sorted(set(starts)), duration


def _unreadable_lines(component, lines: list[str], used: set) -> list[tuple[int | None, str]]:
    """(line number, text) of each line icalendar could not read in a component."""
    found = []
    for prop, message in getattr(component, "errors", []):
        if prop is not None:
            continue  # a property's value: reported with its event where it matters
        match = re.search(r"parts: '(.*)': ", str(message))
        content = match[1] if match else ""
        number = next((i + 1 for i, line in enumerate(lines)
                       if line == content and i not in used), None)  # fmt: skip
        if number is not None:
            used.add(number - 1)
        found.append((number, _clean(content, 40)))
    return found


def _structure_error(exc, lines: list[str]) -> str:
    message = str(exc)
    match = re.search(r"parts: '(.*)': ", message)
    if match:  # a line outside any event: icalendar refuses the whole calendar
        number = next((i + 1 for i, line in enumerate(lines) if line == match[1]), None)
        where = f"la ligne {number}" if number else "une ligne"
        return f"{where} n'est pas une ligne iCalendar (« {_clean(match[1], 40)} »)"
    for key, french in _STRUCTURE_ERRORS:
        if key in message:
            return french
    return "sa structure (BEGIN:…/END:…) est invalide"


def parse_slots(raw: bytes, *, now=None) -> tuple[list[tuple], list[str]]:
    """(start, end) of every slot the file describes, and what was left out and why.

    Raises ValidationError when the file is not a readable iCalendar file at all."""
    now = now or timezone.now()
    if len(raw) > MAX_BYTES:
        raise ValidationError("Fichier trop volumineux (2 Mo au plus).")
    if b"\x00" in raw:
        raise ValidationError("Ce fichier n'est pas un calendrier iCalendar (.ics) : il "
                              "contient des caractères nuls.")  # fmt: skip
    text = raw.decode("utf-8-sig", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise ValidationError(
            "Ce fichier n'est pas un calendrier iCalendar (.ics) : il ne commence pas par "
            "BEGIN:VCALENDAR."
        )
    lines = re.split(r"\r\n|\n|\r", text)
    begins = [i + 1 for i, line in enumerate(lines) if line.strip().upper() == "BEGIN:VEVENT"]
    if len(lines) > MAX_LINES or len(begins) > MAX_EVENTS:
        raise ValidationError(
            f"Calendrier trop long ({len(lines)} lignes, {len(begins)} événements ; "
            f"{MAX_LINES} lignes et {MAX_EVENTS} événements au plus) : exportez seulement les "
            "plages de soins non programmés à venir."
        )
    try:
        calendar = Calendar.from_ical(text)
        events = list(calendar.walk("VEVENT"))
    except RecursionError as exc:
        raise ValidationError("Calendrier illisible : trop d'éléments imbriqués.") from exc
    except Exception as exc:  # noqa: BLE001 (icalendar raises many types on a broken file)
        raise ValidationError(f"Calendrier illisible : {_structure_error(exc, lines)}.") from exc
    numbers = begins if len(begins) == len(events) else [None] * len(events)
    window = _Window(now=now, horizon=now + datetime.timedelta(weeks=RECURRENCE_WEEKS),
                     last=now + datetime.timedelta(days=MAX_DAYS_AHEAD),
                     zone=timezone.get_current_timezone())  # fmt: skip
    notes, used = [], set()
    for number, content in _unreadable_lines(calendar, lines, used):
        where = f"Ligne {number}" if number else "Une ligne"
        notes.append(f"{where} illisible, ignorée : « {content} ».")
    overrides = _overrides(events, window.zone)
    budget, times = _Budget(), set()
    for index, (event, number) in enumerate(zip(events, numbers, strict=True)):
        label = _label(event, number)
        for line, content in _unreadable_lines(event, lines, used):
            where = f"ligne {line}" if line else "une ligne"
            notes.append(f"{label} : {where} illisible, ignorée (« {content} »).")
        # A moved instance (RECURRENCE-ID) is an event of its own; its series skips it.
        overridden = (
            set() if event.get("RECURRENCE-ID") is not None else overrides.get(_uid(event), set())
        )
        try:
            starts, duration = _event_slots(event, window, budget, overridden)
        except _Skip as exc:
            notes.append(f"{label} : {exc}.")
            continue
        except (ValueError, TypeError, OverflowError, AttributeError, KeyError) as exc:
            reason = "date hors limites" if isinstance(exc, OverflowError) else "illisible"
            notes.append(f"{label} : {reason}, ignoré.")
            continue
        if len(starts) > MAX_OCCURRENCES_PER_EVENT:
            starts = starts[:MAX_OCCURRENCES_PER_EVENT]
            notes.append(f"{label} : plus de {MAX_OCCURRENCES_PER_EVENT} dates en "
                         f"{RECURRENCE_WEEKS} semaines, seules les {MAX_OCCURRENCES_PER_EVENT} "
                         "premières sont importées.")  # fmt: skip
        new = [(begin, begin + duration) for begin in starts]
        room = MAX_SLOTS_PER_FILE - len(times)
        if len(set(new) - times) > room:
            times.update([slot for slot in new if slot not in times][:room])
            notes.append(f"Limite de {MAX_SLOTS_PER_FILE} créneaux par import atteinte avec "
                         f"{label} : la suite de cet événement et les "
                         f"{len(events) - index - 1} suivant(s) ne sont pas importés ; "
                         "importez-les dans un second fichier.")  # fmt: skip
            break
        times.update(new)
    return sorted(times), notes


def _uid(event) -> str:
    value = event.get("UID")
    return str(value[0] if isinstance(value, list) and value else value or "")


def _overrides(events, zone) -> dict[str, set]:
    """Instances of a series moved or cancelled by another event (same UID and a
    RECURRENCE-ID): the series itself must not publish them."""
    found: dict[str, set] = {}
    for event in events:
        prop = event.get("RECURRENCE-ID")
        if prop is None or isinstance(prop, list):
            continue
        try:
            moment = _moment(prop, "RECURRENCE-ID", "occurrence remplacée", zone)
        except _Skip:
            continue
        if isinstance(moment, datetime.datetime):
            found.setdefault(_uid(event), set()).add(moment.astimezone(datetime.UTC))
    return found


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


# ------------------------------------------------------------------ as a background job

NO_SLOT = "Aucun créneau à importer dans ce calendrier."
UNEXPECTED = ("Erreur inattendue pendant l'import : aucun créneau n'a été publié. "
              "Réessayez ; si l'erreur persiste, prévenez l'administrateur de la plateforme.")


# The job as the page of failed jobs names it (this module is loaded with the views).
jobs.register_label("maillage.same_day_care.ics.run_import",
                    "Import de créneaux depuis un agenda (.ics)")  # fmt: skip


def start_import(*, cpts, actor, file_name: str, raw: bytes, profession_code, kind, mode,
                 commune, total: int):  # fmt: skip
    """Queue the publication of an agenda the page has already read (its format checked,
    `total` slots found). The row and the job are written in the caller's transaction."""
    from .models import IcsImport

    run = IcsImport.objects.create(
        cpts=cpts, created_by=actor, file_name=file_name[:200],
        content=raw.decode("utf-8-sig", errors="replace"), profession_code=profession_code,
        kind=kind, mode=mode, commune=commune, total=total,
    )  # fmt: skip
    jobs.enqueue("maillage.same_day_care.ics.run_import", run.pk, cpts=cpts)
    return run


def run_import(run_id: int) -> None:
    """The job: read the agenda again and publish its slots, all or none. Idempotent: a
    finished import is left alone."""
    from .models import IcsImport

    run = IcsImport.objects.filter(pk=run_id).first()
    if run is None or run.finished:
        return
    IcsImport.objects.filter(pk=run.pk, state=IcsImport.State.QUEUED).update(
        state=IcsImport.State.RUNNING, started_at=timezone.now())  # fmt: skip
    try:
        _run(run)
    except Exception:
        _fail(run.pk, [UNEXPECTED])
        raise


def _fail(run_id: int, errors: list[str]) -> None:
    from .models import IcsImport

    IcsImport.objects.filter(pk=run_id).exclude(state=IcsImport.State.DONE).update(
        state=IcsImport.State.FAILED, errors=errors[:100], finished_at=timezone.now())  # fmt: skip


def _run(run) -> None:
    from django.db import transaction

    from . import services
    from .models import IcsImport

    errors: list[str] = []
    with transaction.atomic():
        # Under the lock, the state decides: an import another worker finished is not redone.
        locked = IcsImport.objects.select_for_update().select_related(
            "cpts", "created_by", "commune").get(pk=run.pk)  # fmt: skip
        if locked.state == IcsImport.State.DONE:
            return
        try:
            times, skipped = parse_slots(locked.content.encode("utf-8"))
            if not times:
                raise ValidationError(NO_SLOT)
            with transaction.atomic():
                slots = services.publish_slots(
                    cpts=locked.cpts, professional=locked.created_by, actor=locked.created_by,
                    times=times, profession_code=locked.profession_code, kind=locked.kind,
                    mode=locked.mode, commune=locked.commune,
                )  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
        else:
            IcsImport.objects.filter(pk=run.pk).update(
                state=IcsImport.State.DONE, processed=len(slots), total=len(slots),
                summary={"slots": len(slots), "skipped": skipped[:20],
                         "skipped_count": len(skipped)},
                content="", errors=[], finished_at=timezone.now(),
            )  # fmt: skip
            return
    _fail(run.pk, errors)
