"""ICS import: every bad event is explained in French with its title and line, the page
answers 400 when nothing can be imported, and no file can hold a worker: recurrences are
expanded lazily under caps on occurrences and on the calendar walked."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.same_day_care import ics
from maillage.same_day_care.models import Slot
from tests.utils import text

HOME = "pays-berjalliens"
NOW = datetime.datetime(2031, 1, 6, 8, tzinfo=datetime.UTC)  # a Monday, 9:00 in Paris
START = ("DTSTART:20310106T090000Z", "DTEND:20310106T092000Z")


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//FR", *events, "END:VCALENDAR"]
    return "\r\n".join(lines).encode()


def event(*lines: str, summary="Créneau SNP", uid="e1@test") -> str:
    head = [f"SUMMARY:{summary}"] if summary else []
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", *head, *lines, "END:VEVENT"])


def parse(*lines: str, **kwargs):
    return ics.parse_slots(calendar(event(*lines, **kwargs)), now=NOW)


def only_note(*lines: str, **kwargs) -> str:
    times, notes = parse(*lines, **kwargs)
    assert times == [] and len(notes) == 1, (times, notes)
    return notes[0]


# ------------------------------------------------------------------ each bad event, named


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ((*START, "RRULE:FREQ=FOO"), ("RRULE", "FREQ=FOO")),
        (("DTSTART:20310106T090000Z", "DURATION:PXYZ"), ("DURATION", "PXYZ", "PT20M")),
        (("DTSTART:20310106T090000Z", "DTEND:20310106T080000Z"), ("DTEND", "ne suit pas")),
        (("DTEND:20310106T092000Z",), ("pas de date de début", "DTSTART")),
        (("DTSTART:2031-01-06 9h", "DTEND:20310106T092000Z"), ("DTSTART", "2031-01-06 9h")),
        (
            ("DTSTART;TZID=Mars/Olympus:20310106T090000", "DTEND:20310106T092000Z"),
            ("fuseau horaire inconnu", "Mars/Olympus"),
        ),
        (("DTSTART:20310106T090000Z",), ("pas d'heure de fin",)),
        (("DTSTART;VALUE=DATE:20310106", "DTEND;VALUE=DATE:20310107"), ("journée entière",)),
        ((*START, "RRULE:FREQ=WEEKLY;BYDAY=XX"), ("RRULE", "BYDAY=XX")),
        ((*START, "RRULE:FREQ=WEEKLY;INTERVAL=0"), ("INTERVAL=0",)),
        ((*START, "RRULE:FREQ=MONTHLY;BYMONTHDAY=40"), ("BYMONTHDAY=40",)),
        ((*START, "RRULE:FREQ=WEEKLY", "RRULE:FREQ=DAILY"), ("plusieurs règles",)),
        (("DTSTART:20310106T090000Z", "DTEND:20310107T090000Z"), ("plus de 12 heures",)),
        ((*START, "STATUS:CANCELLED"), ("annulé",)),
        (("DTSTART:20300106T090000Z", "DTEND:20300106T092000Z"), ("dans le passé",)),
        (("DTSTART:20330106T090000Z", "DTEND:20330106T092000Z"), ("366 jours",)),
    ],
)
def test_a_bad_event_is_left_out_with_its_title_line_and_reason(lines, words):
    note = only_note(*lines)
    assert note.startswith("« Créneau SNP » (ligne 4) : ")
    for word in words:
        assert word in note


def test_an_event_without_title_is_named_by_its_uid():
    note = only_note("DTEND:20310106T092000Z", summary="", uid="abc-123@agenda")
    assert note.startswith("Événement sans titre (ligne 4, UID abc-123@agenda) : ")


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_sub_daily_frequencies_are_refused_at_once(freq):
    started = time.perf_counter()
    note = only_note(*START, f"RRULE:FREQ={freq};COUNT=999999999")
    assert time.perf_counter() - started < 1
    assert f"FREQ={freq}" in note and "refusée" in note


def test_a_garbage_line_in_an_event_is_reported_and_the_event_kept():
    times, notes = parse(*START, "ceci n'est pas une ligne")
    assert len(times) == 1
    assert notes == [
        "« Créneau SNP » (ligne 4) : ligne 9 illisible, ignorée (« ceci n'est pas une ligne »)."
    ]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"nom;prenom\n", ("BEGIN:VCALENDAR",)),
        (b"BEGIN:VCALENDAR\r\nn'importe quoi\r\nEND:VCALENDAR\r\n", ("ligne 2", "n'importe")),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20310106T090000Z\r\n", ("END:VCALENDAR",)),
        (b"BEGIN:VCALENDAR\r\n\x00\r\nEND:VCALENDAR", ("caractères nuls",)),
        (b"BEGIN:VCALENDAR\r\n" + b"X:y\r\n" * 60_000 + b"END:VCALENDAR", ("trop long",)),
    ],
)
def test_a_file_that_is_not_a_readable_calendar_is_refused_with_the_reason(raw, words):
    with pytest.raises(ValidationError) as excinfo:
        ics.parse_slots(raw, now=NOW)
    for word in words:
        assert word in excinfo.value.messages[0]


# ------------------------------------------------------------------ recurrences


def test_a_floating_until_is_read_in_the_zone_of_a_zoned_dtstart():
    times, notes = parse(
        "DTSTART;TZID=Europe/Paris:20310106T100000", "DTEND;TZID=Europe/Paris:20310106T102000",
        "RRULE:FREQ=WEEKLY;UNTIL=20310120T100000",
    )  # fmt: skip
    assert notes == [] and len(times) == 3
    assert times[-1][0] == datetime.datetime(2031, 1, 20, 9, tzinfo=datetime.UTC)


def test_a_utc_until_with_a_floating_dtstart_and_a_date_until_both_work():
    times, _ = parse("DTSTART:20310106T100000", "DTEND:20310106T102000",
                     "RRULE:FREQ=DAILY;UNTIL=20310108T090000Z")  # fmt: skip
    assert len(times) == 3  # floating is the CPTS's time (Paris): 10:00 = 09:00Z
    times, _ = parse("DTSTART;TZID=Europe/Paris:20310106T100000",
                     "DTEND;TZID=Europe/Paris:20310106T102000", "RRULE:FREQ=DAILY;UNTIL=20310108")
    assert len(times) == 3  # the whole last day counts


def test_excluded_and_moved_occurrences_are_not_published_twice():
    series = event(*START, "RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20310107T090000Z", uid="s@t")
    moved = event("RECURRENCE-ID:20310108T090000Z", "DTSTART:20310108T150000Z",
                  "DTEND:20310108T152000Z", uid="s@t", summary="Déplacé")  # fmt: skip
    times, notes = ics.parse_slots(calendar(series, moved), now=NOW)
    starts = [begin.astimezone(datetime.UTC) for begin, _ in times]
    assert notes == []
    assert [(s.day, s.hour) for s in starts] == [(6, 9), (8, 15), (9, 9), (10, 9)]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never: dateutil would walk to year 9999
        "FREQ=WEEKLY;BYDAY=MO;BYSETPOS=3",  # never
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",  # never
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_a_rule_that_never_matches_is_cut_quickly(rule):
    started = time.perf_counter()
    note = only_note(*START, f"RRULE:{rule}")
    assert time.perf_counter() - started < 1
    assert "trop longue à calculer" in note


def test_a_series_started_long_ago_is_cut_quickly():
    started = time.perf_counter()
    note = only_note("DTSTART:00010101T090000Z", "DTEND:00010101T092000Z", "RRULE:FREQ=DAILY")
    assert time.perf_counter() - started < 1
    assert "trop loin dans le passé" in note


def test_occurrences_are_capped_per_event_and_per_file():
    many = "RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,30"  # 16 a day
    times, notes = parse("DTSTART:20310106T090000Z", "DTEND:20310106T091500Z", many)
    assert len(times) == ics.MAX_OCCURRENCES_PER_EVENT
    assert "seules les 200 premières" in notes[0]
    events = [
        event(f"DTSTART:20310106T{hour:02d}{minute:02d}00Z",
              f"DTEND:20310106T{hour:02d}{minute + 10:02d}00Z", "RRULE:FREQ=DAILY",
              uid=f"{hour}-{minute}", summary=f"{hour}h{minute}")
        for hour in range(9, 19) for minute in (0, 20, 40)
    ]  # fmt: skip
    times, notes = ics.parse_slots(calendar(*events), now=NOW)
    assert len(times) == ics.MAX_SLOTS_PER_FILE == 500
    assert "Limite de 500 créneaux" in notes[-1] and "second fichier" in notes[-1]


def test_a_file_full_of_costly_rules_finishes_within_the_file_budget():
    costly = [
        event(*START, "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", uid=str(i), summary=f"n{i}")
        for i in range(300)
    ]
    started = time.perf_counter()
    times, notes = ics.parse_slots(calendar(*costly), now=NOW)
    assert time.perf_counter() - started < 3
    assert times == [] and len(notes) == 300
    assert "ce fichier en contient trop" in notes[-1]


# ------------------------------------------------------------------ properties

ICS_LINES = st.sampled_from([
    "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VALARM",
    "DTSTART:20310106T090000Z", "DTSTART;TZID=Europe/Paris:20310107T100000",
    "DTSTART;TZID=Nowhere/Land:20310106T090000", "DTSTART;VALUE=DATE:20310106",
    "DTSTART:99991231T235959Z", "DTSTART:00010101T000000", "DTEND:20310106T092000Z",
    "DTEND:20310106T080000Z", "DURATION:PT20M", "DURATION:PXYZ", "DURATION:-PT1H",
    "RRULE:FREQ=WEEKLY;COUNT=3", "RRULE:FREQ=SECONDLY", "RRULE:FREQ=MINUTELY;INTERVAL=1",
    "RRULE:FREQ=HOURLY;COUNT=100000000", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "RRULE:FREQ=DAILY;UNTIL=20310301", "RRULE:FREQ=WEEKLY;UNTIL=20310301T090000",
    "RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=7", "RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
    "RRULE:FREQ=DAILY;BYHOUR=8,9,10;BYMINUTE=0,15,30,45", "RRULE:FREQ=FOO",
    "RRULE:FREQ=WEEKLY;BYDAY=1MO,+53SU", "RRULE:FREQ=DAILY;BYSECOND=0,1,2,3,4,5,6,7,8,9",
    "EXDATE:20310113T090000Z", "EXDATE;VALUE=DATE:20310114", "RDATE:20310115T090000Z",
    "RDATE;VALUE=PERIOD:20310115T090000Z/PT1H", "RECURRENCE-ID:20310113T090000Z",
    "STATUS:CANCELLED", "SUMMARY:SNP", "SUMMARY:", "UID:same", ":::", "X;;;=:", "a",
    "BEGIN:VEVENT\r\nBEGIN:VEVENT",
])  # fmt: skip
ICSISH = st.lists(ICS_LINES | st.text(max_size=40), max_size=40).map(
    lambda lines: "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode()
)


def _only_validation_errors(raw: bytes):
    try:
        times, notes = ics.parse_slots(raw, now=NOW)
    except ValidationError:
        return
    assert len(times) <= ics.MAX_SLOTS_PER_FILE
    assert all(isinstance(note, str) for note in notes)


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_raise_nothing_but_a_validation_error(raw):
    _only_validation_errors(raw)
    _only_validation_errors(b"BEGIN:VCALENDAR\r\n" + raw)


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(ICSISH)
def test_random_icalendar_text_raises_nothing_but_a_validation_error_and_is_fast(raw):
    _only_validation_errors(raw)


@settings(max_examples=100, deadline=1000)
@given(
    count=st.integers(1, 10**9) | st.none(),
    interval=st.integers(1, 5),
    days=st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), max_size=7),
    weeks_ago=st.integers(0, 52 * 30),
)
def test_a_weekly_series_yields_at_most_the_cap_all_within_the_horizon(
    count, interval, days, weeks_ago
):
    start = datetime.datetime(2031, 1, 6, 9, tzinfo=datetime.UTC) - datetime.timedelta(
        weeks=weeks_ago
    )
    parts = ["FREQ=WEEKLY", f"INTERVAL={interval}"]
    parts += [f"COUNT={count}"] if count else []
    parts += [f"BYDAY={','.join(sorted(days))}"] if days else []
    times, _notes = parse(f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
                          f"DTEND:{start + datetime.timedelta(minutes=20):%Y%m%dT%H%M%S}Z",
                          "RRULE:" + ";".join(parts))  # fmt: skip
    horizon = NOW + datetime.timedelta(weeks=ics.RECURRENCE_WEEKS)
    assert len(times) <= min(ics.MAX_OCCURRENCES_PER_EVENT, 7 * ics.RECURRENCE_WEEKS)
    assert all(NOW < begin <= horizon and end - begin == datetime.timedelta(minutes=20)
               for begin, end in times)  # fmt: skip


# ------------------------------------------------------------------ the page


def _post(client, raw: bytes, **extra):
    data = {"file": SimpleUploadedFile("agenda.ics", raw, content_type="text/calendar"),
            "profession_code": "10", "kind": "cpts", "mode": "practice", "commune": "38053",
            **extra}  # fmt: skip
    return client.post(reverse("same_day_care:ics_import", args=[HOME]), data)


@pytest.mark.django_db
def test_a_file_with_nothing_importable_is_a_400_listing_each_event_and_why(client_for, gp):
    before = Slot.objects.count()
    raw = calendar(
        event(*START, "RRULE:FREQ=SECONDLY", summary="Toutes les secondes"),
        event("DTSTART:20310106T090000Z", "DURATION:PXYZ", summary="Durée bizarre", uid="2"),
    )
    response = _post(client_for(gp), raw)
    body = text(response)
    assert response.status_code == 400
    assert "Aucun créneau à importer" in body
    assert "« Toutes les secondes » (ligne 4)" in body and "FREQ=SECONDLY" in body
    assert "« Durée bizarre » (ligne 11)" in body and "PXYZ" in body
    assert Slot.objects.count() == before


@pytest.mark.django_db
def test_an_unreadable_file_or_unknown_commune_is_a_400_next_to_the_field(client_for, gp):
    before = Slot.objects.count()
    response = _post(client_for(gp), b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n")
    assert response.status_code == 400 and "Calendrier illisible" in text(response)
    response = _post(client_for(gp), calendar(event(*START)), commune="38999")
    assert response.status_code == 400
    assert 'id="id_commune_error"' in response.content.decode()
    assert "Aucune commune avec le code 38999" in text(response)
    assert Slot.objects.count() == before
