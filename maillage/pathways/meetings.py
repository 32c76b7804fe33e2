"""Concertation meetings (RCP pluriprofessionnelles: réunions de concertation où l'équipe
discute des cas complexes): scheduling, cases, attendance, decisions, and the attendance
figures the CPTS uses to compensate the professionals' time.

Who may do what:
- coordinators and professionals organise meetings; regulators, partners and the board
  do not;
- a meeting is visible to the CPTS's coordinators and to the people invited to it;
- a case's patient data is shown only to viewers who can see that enrolment (the care
  team and the coordinators); other participants see a numbered placeholder.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.http import Http404
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id
from maillage.core.models import Membership
from maillage.directory.models import PROFESSIONS

from .access import enrolments_visible_to
from .models import CaseDecision, Meeting, MeetingAttendance, MeetingCase, Task

MAX_MINUTES = 600
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def can_organise(membership: Membership) -> bool:
    return permissions.organise_meetings(membership)


def meetings_visible_to(membership: Membership):
    """Coordinators: every meeting of their CPTS. Others: the meetings they are invited to
    (the organiser is always invited). The board sees none."""
    queryset = Meeting.objects.filter(cpts=membership.cpts)
    if permissions.coordinate_pathways(membership):
        return queryset
    if not permissions.see_patients(membership):
        return queryset.none()
    return queryset.filter(attendance__user=membership.user).distinct()


def get_meeting(membership: Membership, public_id) -> Meeting:
    return get_by_public_id(meetings_visible_to(membership).select_related("organiser"),
                            public_id)  # fmt: skip


def can_manage(membership: Membership, meeting: Meeting) -> bool:
    """The organiser and the coordinators run the meeting (agenda, attendance, status)."""
    return permissions.coordinate_pathways(membership) or (
        can_organise(membership) and meeting.organiser_id == membership.user_id
    )


def is_invited(meeting: Meeting, user) -> bool:
    return meeting.attendance.filter(user=user).exists()


def invitable_members(cpts):
    """Active members who may take part: everyone but the board (no patient data)."""
    return (
        Membership.objects.active().filter(cpts=cpts).with_permission(permissions.see_patients)
        .select_related("user").order_by("user__last_name", "user__first_name", "pk")
    )  # fmt: skip


def _check_invitees(cpts, users) -> None:
    allowed = set(invitable_members(cpts).values_list("user_id", flat=True))
    for user in users:
        if user.pk not in allowed:
            raise ValidationError(
                {"participants": f"{user} n'est pas un membre actif de la CPTS pouvant "
                                 "participer à une réunion de concertation."}
            )  # fmt: skip


def _validate_fields(*, title, starts_at, duration_minutes, place) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Indiquez l'intitulé de la réunion."
    elif len(title) > 200:
        errors["title"] = "L'intitulé est limité à 200 caractères."
    if starts_at is None:
        errors["starts_at"] = "Indiquez la date et l'heure de la réunion."
    elif starts_at < timezone.now():
        errors["starts_at"] = "La date de la réunion est passée : choisissez une date à venir."
    if duration_minutes is None or not 5 <= duration_minutes <= MAX_MINUTES:
        errors["duration_minutes"] = f"La durée est comprise entre 5 et {MAX_MINUTES} minutes."
    if len(place or "") > 300:
        errors["place"] = "Le lieu est limité à 300 caractères."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def schedule(*, cpts, organiser_membership: Membership, title: str, starts_at,
             duration_minutes: int, place: str = "", participants=(),
             request=None) -> Meeting:  # fmt: skip
    """Plan a meeting in the future and invite active members of the CPTS; the organiser
    is invited too."""
    if organiser_membership.cpts_id != cpts.pk or not can_organise(organiser_membership):
        raise ValidationError("Seuls les coordinateurs et les professionnels organisent "
                              "une réunion de concertation.")  # fmt: skip
    _validate_fields(title=title, starts_at=starts_at, duration_minutes=duration_minutes,
                     place=place)  # fmt: skip
    organiser = organiser_membership.user
    users = {u.pk: u for u in participants}
    users.setdefault(organiser.pk, organiser)
    _check_invitees(cpts, users.values())
    meeting = Meeting.objects.create(
        cpts=cpts, title=title.strip(), starts_at=starts_at, duration_minutes=duration_minutes,
        place=(place or "").strip(), organiser=organiser,
    )  # fmt: skip
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, user=u) for u in users.values()]
    )
    audit.record(action="pathway.meeting_create", actor=organiser, cpts=cpts, obj=meeting,
                 request=request, detail={"participants": len(users)})  # fmt: skip
    return meeting


@transaction.atomic
def invite(*, meeting: Meeting, actor, participants, request=None) -> int:
    """Invite more members to a planned meeting; those already invited are skipped."""
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"participants": "La réunion n'est plus à venir."})
    _check_invitees(meeting.cpts, participants)
    already = set(meeting.attendance.values_list("user_id", flat=True))
    new = [MeetingAttendance(meeting=meeting, user=u) for u in participants
           if u.pk not in already]  # fmt: skip
    MeetingAttendance.objects.bulk_create(new)
    if new:
        audit.record(action="pathway.meeting_invite", actor=actor, cpts=meeting.cpts,
                     obj=meeting, request=request, detail={"added": len(new)})  # fmt: skip
    return len(new)


@transaction.atomic
def add_case(*, meeting: Meeting, membership: Membership, enrolment, question: str,
             request=None) -> MeetingCase:  # fmt: skip
    """Put a patient's case on the agenda. The enrolment must be one the person adding it
    can see; a case appears once per meeting."""
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"enrolment": "On n'ajoute des dossiers qu'à une réunion à venir."})
    if (
        enrolment.cpts_id != meeting.cpts_id
        or not enrolments_visible_to(membership).filter(pk=enrolment.pk).exists()
    ):
        raise ValidationError({"enrolment": "Choisissez un patient parmi vos parcours."})
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Indiquez la question posée à la réunion."})
    if len(question) > 2000:
        raise ValidationError({"question": "La question est limitée à 2000 caractères."})
    duplicate = ValidationError(
        {"enrolment": "Ce dossier est déjà à l'ordre du jour de cette réunion."}
    )
    if meeting.cases.filter(enrolment=enrolment).exists():
        raise duplicate
    position = (meeting.cases.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            case = MeetingCase.objects.create(meeting=meeting, enrolment=enrolment,
                                              question=question, position=position)  # fmt: skip
    except IntegrityError as exc:  # a concurrent request added the same case
        raise duplicate from exc
    audit.record(action="pathway.meeting_case_add", actor=membership.user, cpts=meeting.cpts,
                 obj=case, patient=enrolment.patient, request=request,
                 detail={"meeting": str(meeting.public_id),
                         "enrolment": str(enrolment.public_id)})  # fmt: skip
    return case


def cases_for_viewer(meeting: Meeting, membership: Membership, *, request=None) -> list[dict]:
    """The agenda as this viewer may see it: details only for the enrolments they can see,
    a numbered placeholder otherwise. Showing details is a read of patient data: audited."""
    cases = list(
        meeting.cases.select_related("enrolment__patient", "enrolment__template")
        .prefetch_related("decisions__created_by", "decisions__tasks__assignee")
    )  # fmt: skip
    visible = set(
        enrolments_visible_to(membership)
        .filter(pk__in=[c.enrolment_id for c in cases]).values_list("pk", flat=True)
    )  # fmt: skip
    rows = []
    for number, case in enumerate(cases, start=1):
        can_see = case.enrolment_id in visible
        rows.append({"number": number, "case": case, "can_see": can_see})
    audit.record_each(action="pathway.meeting_read", actor=membership.user, cpts=meeting.cpts,
                      subjects=[r["case"].enrolment.patient for r in rows if r["can_see"]],
                      request=request, detail={"meeting": str(meeting.public_id)})  # fmt: skip
    return rows


def _started(meeting: Meeting) -> bool:
    return meeting.starts_at <= timezone.now()


@transaction.atomic
def record_attendance(*, meeting: Meeting, actor, entries: dict, request=None) -> None:
    """`entries` maps an invited user's id to (present, minutes or None). A present
    participant's minutes default to the meeting's duration; an absent one counts 0."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"attendance": "La réunion est annulée."})
    if not _started(meeting):
        raise ValidationError({"attendance": "Les présences se saisissent après le début "
                                             "de la réunion."})  # fmt: skip
    rows = {a.user_id: a for a in meeting.attendance.select_related("user")}
    errors = {}
    for user_id, (present, minutes) in entries.items():
        row = rows.get(user_id)
        if row is None:
            raise ValidationError({"attendance": "Seuls les participants invités figurent "
                                                 "dans la feuille de présence."})  # fmt: skip
        if not present:
            minutes = 0
        elif minutes is None:
            minutes = meeting.duration_minutes
        if not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
            errors[f"minutes-{user_id}"] = (
                f"{row.user.get_full_name() or row.user.email} : le temps passé est compris "
                f"entre 0 et {MAX_MINUTES} minutes."
            )
            continue
        row.present, row.minutes = bool(present), minutes
    if errors:
        raise ValidationError(errors)
    MeetingAttendance.objects.bulk_update(rows.values(), ["present", "minutes"])
    audit.record(action="pathway.meeting_attendance", actor=actor, cpts=meeting.cpts,
                 obj=meeting, request=request,
                 detail={"present": sum(1 for r in rows.values() if r.present)})  # fmt: skip


@transaction.atomic
def mark_held(*, meeting: Meeting, actor, summary: str = "", request=None) -> Meeting:
    """A held meeting has its attendance recorded: at least one participant present."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": "Une réunion annulée ne peut pas être tenue."})
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError({"status": "La réunion est déjà marquée comme tenue."})
    if not _started(meeting):
        raise ValidationError({"status": "La réunion n'a pas encore commencé."})
    if not meeting.attendance.filter(present=True).exists():
        raise ValidationError({"status": "Enregistrez les présences avant de marquer la "
                                         "réunion comme tenue."})  # fmt: skip
    meeting.status = Meeting.Status.HELD
    if summary:
        meeting.summary = summary.strip()
    meeting.save(update_fields=["status", "summary"])
    audit.record(action="pathway.meeting_held", actor=actor, cpts=meeting.cpts, obj=meeting,
                 request=request)  # fmt: skip
    return meeting


@transaction.atomic
def cancel(*, meeting: Meeting, actor, request=None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"status": "Seule une réunion à venir peut être annulée."})
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    audit.record(action="pathway.meeting_cancel", actor=actor, cpts=meeting.cpts, obj=meeting,
                 request=request)  # fmt: skip
    return meeting


def get_case(membership: Membership, public_id) -> MeetingCase:
    """A case whose details the caller may see, in a meeting they may see; 404 otherwise."""
    case = get_by_public_id(
        MeetingCase.objects.filter(meeting__in=meetings_visible_to(membership))
        .select_related("meeting", "enrolment__patient", "enrolment__template"), public_id
    )  # fmt: skip
    if not enrolments_visible_to(membership).filter(pk=case.enrolment_id).exists():
        raise Http404
    return case


def can_decide(membership: Membership, case: MeetingCase) -> bool:
    """Decisions are recorded by whoever runs the meeting or an invited participant who is
    in the patient's care team, once the meeting has started and unless it is cancelled."""
    meeting = case.meeting
    if meeting.status == Meeting.Status.CANCELLED or not _started(meeting):
        return False
    if not enrolments_visible_to(membership).filter(pk=case.enrolment_id).exists():
        return False
    return can_manage(membership, meeting) or is_invited(meeting, membership.user)


@transaction.atomic
def record_decision(*, case: MeetingCase, membership: Membership, text: str,
                    task_label: str = "", task_profession: str = "",
                    task_due: datetime.date | None = None, task_assignee=None,
                    advance_task: Task | None = None,
                    advance_to: datetime.date | None = None,
                    request=None) -> CaseDecision:  # fmt: skip
    """Record a decision on a case and mark the case reviewed. Optionally the decision
    creates a free task in the patient's pathway (label, profession, due date, assignee
    from the care team) or brings forward an open task of a step. All or nothing."""
    case = MeetingCase.objects.select_for_update().select_related(
        "meeting", "enrolment__patient").get(pk=case.pk)  # fmt: skip
    if not can_decide(membership, case):
        raise ValidationError("Vous ne pouvez pas enregistrer de décision sur ce dossier.")
    enrolment = case.enrolment
    today = timezone.localdate()
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Indiquez la décision prise."
    elif len(text) > 2000:
        errors["text"] = "La décision est limitée à 2000 caractères."
    task_label = (task_label or "").strip()
    wants_task = bool(task_label or task_profession or task_due or task_assignee)
    if wants_task:
        if not task_label:
            errors["task_label"] = "Indiquez l'intitulé de la tâche à créer."
        elif len(task_label) > 200:
            errors["task_label"] = "L'intitulé de la tâche est limité à 200 caractères."
        if task_profession and task_profession not in PROFESSIONS:
            errors["task_profession"] = "Profession inconnue."
        if task_due is None:
            errors["task_due"] = "Indiquez l'échéance de la tâche."
        elif task_due < today:
            errors["task_due"] = "L'échéance de la tâche est passée."
        if task_assignee is not None and not enrolment.team.filter(user=task_assignee).exists():
            errors["task_assignee"] = "La personne chargée de la tâche doit faire partie de " \
                                      "l'équipe de soins."  # fmt: skip
    if advance_task is not None:
        open_task = (
            Task.objects.select_for_update()
            .filter(pk=advance_task.pk, enrolment=enrolment, status=Task.Status.DUE,
                    step__isnull=False).first()
        )  # fmt: skip
        if open_task is None:
            errors["advance_task"] = "Choisissez une tâche à faire de ce parcours."
        elif advance_to is None:
            errors["advance_to"] = "Indiquez la nouvelle échéance."
        elif advance_to < today:
            errors["advance_to"] = "La nouvelle échéance est passée."
        elif advance_to >= open_task.due_date:
            errors["advance_to"] = (f"Pour avancer la tâche, choisissez une date avant le "
                                    f"{open_task.due_date:%d/%m/%Y}.")  # fmt: skip
    elif advance_to is not None:
        errors["advance_task"] = "Choisissez la tâche à avancer."
    if errors:
        raise ValidationError(errors)
    # The case row is locked: a double submission of the same decision waits here and
    # then finds the first one.
    if case.decisions.filter(
        text=text, created_by=membership.user,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists():  # fmt: skip
        raise ValidationError({"text": "Cette décision vient déjà d'être enregistrée."})
    decision = CaseDecision.objects.create(case=case, text=text, created_by=membership.user)
    tasks = []
    if wants_task:
        tasks.append(Task.objects.create(
            cpts=enrolment.cpts, enrolment=enrolment, label=task_label,
            profession_code=task_profession or "", due_date=task_due, assignee=task_assignee,
            decision=decision,
        ))  # fmt: skip
    if advance_task is not None:
        open_task.due_date, open_task.decision = advance_to, decision
        open_task.save(update_fields=["due_date", "decision"])
        tasks.append(open_task)
    if not case.reviewed:
        case.reviewed = True
        case.save(update_fields=["reviewed"])
    audit.record(action="pathway.decision", actor=membership.user, cpts=enrolment.cpts,
                 obj=decision, patient=enrolment.patient, request=request,
                 detail={"meeting": str(case.meeting.public_id),
                         "enrolment": str(enrolment.public_id),
                         "tasks": [str(t.public_id) for t in tasks]})  # fmt: skip
    return decision


# Attendance for compensation --------------------------------------------------------


def period_bounds(start: datetime.date, end: datetime.date):
    """Aware datetimes [start 00:00, day after end 00:00) in the CPTS's time zone."""
    zone = timezone.get_current_timezone()
    end = min(end, datetime.date.max - datetime.timedelta(days=1))  # no overflow below
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                  tzinfo=zone),
    )  # fmt: skip


def _held_attendance(cpts, start, end):
    low, high = period_bounds(start, end)
    return MeetingAttendance.objects.filter(
        meeting__cpts=cpts, meeting__status=Meeting.Status.HELD,
        meeting__starts_at__gte=low, meeting__starts_at__lt=high,
    )  # fmt: skip


def _name(first, last, email):
    return f"{first} {last}".strip() or email


ATTENDANCE_HEADER = ["Date", "Réunion", "Professionnel", "E-mail", "Présent", "Minutes"]
TOTALS_HEADER = ["Professionnel", "E-mail", "Réunions (présent)", "Minutes"]


def attendance_rows(cpts, start: datetime.date, end: datetime.date):
    """One row per participant and held meeting of the period (absent ones included)."""
    rows = (
        _held_attendance(cpts, start, end)
        .order_by("meeting__starts_at", "meeting__pk", "user__last_name", "user__pk")
        .values_list("meeting__starts_at", "meeting__title", "user__first_name",
                     "user__last_name", "user__email", "present", "minutes")
    )  # fmt: skip
    for starts_at, title, first, last, email, present, minutes in rows:
        yield [f"{timezone.localtime(starts_at):%d/%m/%Y}", title, _name(first, last, email),
               email, "oui" if present else "non", minutes]  # fmt: skip


def attendance_totals(cpts, start: datetime.date, end: datetime.date) -> list[list]:
    """Per professional: held meetings attended and minutes, for the period."""
    rows = (
        _held_attendance(cpts, start, end)
        .values("user__first_name", "user__last_name", "user__email")
        .annotate(meetings=Count("pk", filter=Q(present=True)),
                  minutes=Sum("minutes", filter=Q(present=True)))
        .order_by("user__last_name", "user__first_name", "user__email")
    )  # fmt: skip
    return [[_name(r["user__first_name"], r["user__last_name"], r["user__email"]),
             r["user__email"], r["meetings"], r["minutes"] or 0] for r in rows]  # fmt: skip
