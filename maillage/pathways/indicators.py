"""Indicators of the pathways mission (aggregates only, no patient data).

"Up-to-date follow-up" depends on the pathway:
- type 2 diabetes: the patient had an HbA1c (step "hba1c") done in the last 183 days
  (the 6 months the ACI guidance asks for);
- any other pathway: the enrolment has no late task (open, due before today).

Every figure is an aggregate query: the page must stay fast with 10 000 enrolments and
200 000 tasks.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from .meetings import period_bounds
from .models import Enrolment, Meeting, MeetingAttendance, MeetingCase, PathwayTemplate, Task
from .services import templates_for

DIABETES = "diabete-type-2"
HBA1C = "hba1c"
HBA1C_WINDOW_DAYS = 183

RULE_DIABETES = f"HbA1c faite dans les {HBA1C_WINDOW_DAYS} derniers jours"
RULE_DEFAULT = "aucune tâche en retard"


def default_period(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


def _share(part: int, whole: int):
    return round(100 * part / whole, 1) if whole else None


def pathway_rows(cpts, today: datetime.date) -> list[dict]:
    live = Enrolment.objects.active().filter(cpts=cpts)
    late = Task.objects.filter(enrolment=OuterRef("pk"), status=Task.Status.DUE,
                               due_date__lt=today)  # fmt: skip
    recent_hba1c = Task.objects.filter(
        enrolment=OuterRef("pk"), step__code=HBA1C, status=Task.Status.DONE,
        completed_on__gte=today - datetime.timedelta(days=HBA1C_WINDOW_DAYS),
    )  # fmt: skip
    per_slug = {
        row["template__slug"]: row
        for row in live.values("template__slug").annotate(
            patients=Count("patient", distinct=True),
            without_late=Count("patient", distinct=True, filter=~Exists(late)),
            recent_hba1c=Count("patient", distinct=True, filter=Exists(recent_hba1c)),
        )
    }  # fmt: skip
    late_tasks = dict(
        Task.objects.filter(cpts=cpts, enrolment__ended_at__isnull=True,
                            status=Task.Status.DUE, due_date__lt=today)
        .values("enrolment__template__slug").annotate(n=Count("pk"))
        .values_list("enrolment__template__slug", "n")
    )  # fmt: skip
    names = {t.slug: t.name for t in templates_for(cpts)}
    for slug in set(per_slug) - set(names):  # a pathway no longer offered, still followed
        template = (PathwayTemplate.objects.filter(enrolments__cpts=cpts, slug=slug)
                    .order_by("-version").first())  # fmt: skip
        names[slug] = template.name if template else slug
    rows = []
    for slug, name in sorted(names.items(), key=lambda item: item[1]):
        data = per_slug.get(slug, {})
        patients = data.get("patients", 0)
        up_to_date = data.get("recent_hba1c" if slug == DIABETES else "without_late", 0)
        rows.append({
            "slug": slug, "name": name, "patients": patients, "up_to_date": up_to_date,
            "up_to_date_share": _share(up_to_date, patients),
            "rule": RULE_DIABETES if slug == DIABETES else RULE_DEFAULT,
            "late_tasks": late_tasks.get(slug, 0),
        })  # fmt: skip
    return rows


def meeting_figures(cpts, start: datetime.date, end: datetime.date) -> dict:
    low, high = period_bounds(start, end)
    held = Meeting.objects.filter(cpts=cpts, status=Meeting.Status.HELD,
                                  starts_at__gte=low, starts_at__lt=high)  # fmt: skip
    cases = MeetingCase.objects.filter(meeting__in=held, reviewed=True).aggregate(
        cases=Count("pk"), patients=Count("enrolment__patient", distinct=True)
    )
    minutes = MeetingAttendance.objects.filter(meeting__in=held, present=True).aggregate(
        total=Sum("minutes")
    )["total"]
    return {
        "meetings_held": held.count(),
        "cases_reviewed": cases["cases"],
        "patients_reviewed": cases["patients"],
        "attendance_minutes": minutes or 0,
    }


def compute(cpts, *, start: datetime.date | None = None, end: datetime.date | None = None,
            today: datetime.date | None = None) -> dict:  # fmt: skip
    today = today or timezone.localdate()
    default_start, default_end = default_period(today)
    start, end = start or default_start, end or default_end
    return {
        "today": today,
        "start": start,
        "end": end,
        "pathways": pathway_rows(cpts, today),
        "meetings": meeting_figures(cpts, start, end),
    }


def as_rows(data: dict):
    for p in data["pathways"]:
        yield [f"{p['name']} : patients inclus", p["patients"]]
        yield [f"{p['name']} : suivi à jour ({p['rule']})", p["up_to_date"]]
        yield [f"{p['name']} : part avec suivi à jour (%)",
               p["up_to_date_share"] if p["up_to_date_share"] is not None else ""]  # fmt: skip
        yield [f"{p['name']} : tâches en retard", p["late_tasks"]]
    period = f"du {data['start']:%d/%m/%Y} au {data['end']:%d/%m/%Y}"
    m = data["meetings"]
    yield [f"Réunions de concertation tenues ({period})", m["meetings_held"]]
    yield [f"Dossiers discutés ({period})", m["cases_reviewed"]]
    yield [f"Patients distincts discutés ({period})", m["patients_reviewed"]]
    yield [f"Temps de présence en réunion, minutes ({period})", m["attendance_minutes"]]


# The indicator registry (core.indicators) and the attendance registry (core.attendance) --

MISSION = "pathways"


def _held(cpts, period):
    from maillage.core.indicators import period_bounds

    low, high = period_bounds(period)
    return Meeting.objects.filter(cpts=cpts, status=Meeting.Status.HELD, starts_at__gte=low,
                                  starts_at__lt=high)  # fmt: skip


def _followed(cpts, period):
    """Enrolments followed at some point of the period: enrolled by its end, not ended
    before its start."""
    from django.db.models import Q

    from maillage.core.indicators import period_bounds

    low, _high = period_bounds(period)
    return Enrolment.objects.filter(cpts=cpts, enrolled_on__lte=period[1]).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=low))


def enrolments(cpts, period):
    from maillage.core.indicators import Value

    start, end = period
    rows = Enrolment.objects.filter(cpts=cpts, enrolled_on__gte=start, enrolled_on__lte=end)
    return Value(rows.values("patient").distinct().count(),
                 note=f"{rows.count()} inclusion(s)")  # fmt: skip


def professionals_involved(cpts, period):
    from maillage.core.indicators import Value

    from .models import CareTeamMember

    team = set(CareTeamMember.objects.filter(enrolment__in=_followed(cpts, period))
               .values_list("user", flat=True).distinct())  # fmt: skip
    present = set(MeetingAttendance.objects.filter(meeting__in=_held(cpts, period),
                                                   present=True)
                  .values_list("user", flat=True).distinct())  # fmt: skip
    return Value(len(team | present))


def meetings_held(cpts, period):
    from maillage.core.indicators import Value

    return Value(_held(cpts, period).count())


def meetings_with_minutes(cpts, period):
    from maillage.core.indicators import Value

    held = _held(cpts, period)
    return Value(held.exclude(summary="").count(), note=f"sur {held.count()} réunion(s) "
                                                          "tenue(s)")  # fmt: skip


INDICATORS = (
    ("pathways.enrolments", "Patients inclus dans un parcours",
     "Patients inclus dans un parcours pluriprofessionnel pendant la période (date "
     "d'inclusion), chacun compté une fois ; la note donne le nombre d'inclusions.",
     "patients", enrolments),
    ("pathways.professionals_involved", "Professionnels impliqués dans les parcours",
     "Professionnels membres de l'équipe de soins d'un parcours suivi pendant la période, "
     "ou présents à une réunion de concertation tenue pendant la période, chacun compté "
     "une fois.", "professionnels", professionals_involved),
    ("pathways.meetings_held", "Réunions de concertation tenues",
     "Réunions de concertation pluriprofessionnelle de la période marquées « tenue » "
     "(réunions prévues ou annulées exclues).", "réunions", meetings_held),
    ("pathways.meetings_with_minutes", "Réunions de concertation avec compte rendu",
     "Réunions de concertation tenues pendant la période dont le compte rendu est "
     "rédigé.", "réunions", meetings_with_minutes),
)  # fmt: skip


def meeting_attendance(cpts, period):
    """One record per professional marked present at a concertation meeting held in the
    period (attendance is recorded on the meeting: `MeetingAttendance.present`). Minutes:
    the time entered for them, or the meeting's duration when none was entered."""
    from maillage.core.attendance import Attendance
    from maillage.directory.models import DirectoryEntry

    rows = list(MeetingAttendance.objects.filter(meeting__in=_held(cpts, period), present=True)
                .select_related("meeting", "user")
                .order_by("meeting__starts_at", "meeting__pk", "user__pk"))  # fmt: skip
    accounts = {r.user_id for r in rows}
    entries = dict(DirectoryEntry.objects.filter(cpts=cpts, account__in=accounts)
                   .values_list("account", "professional"))  # fmt: skip
    records = []
    for row in rows:
        meeting = row.meeting
        minutes = row.minutes or meeting.duration_minutes
        if minutes <= 0:
            continue
        records.append(Attendance(
            user_id=row.user_id, professional_id=entries.get(row.user_id),
            name=str(row.user), activity="meeting", started_at=meeting.starts_at,
            minutes=minutes,
            proof=f"Réunion de concertation « {meeting.title} » du "
                  f"{timezone.localtime(meeting.starts_at):%d/%m/%Y}",
            ref=f"pathways.meeting:{meeting.public_id}:{row.user.public_id}",
        ))  # fmt: skip
    return records


def first_activity(cpts):
    return (Enrolment.objects.filter(cpts=cpts).order_by("enrolled_on")
            .values_list("enrolled_on", flat=True).first())  # fmt: skip


def register_indicators():
    from maillage.core import attendance, indicators

    for code, label, definition, unit, function in INDICATORS:
        indicators.register(code, mission=MISSION, label=label, definition=definition,
                            unit=unit, source="parcours et réunions de concertation (Maillage)",
                            compute=function)  # fmt: skip
    indicators.register_start(MISSION, label="première inclusion dans un parcours",
                              first_activity=first_activity)  # fmt: skip
    attendance.register("meeting", label="Réunion de concertation", records=meeting_attendance)
