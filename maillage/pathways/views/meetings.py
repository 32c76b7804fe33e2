"""Concertation meetings (RCP): list, scheduling, agenda, attendance, decisions, and the
attendance export used to compensate the professionals' time."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.exports import csv_response
from maillage.core.forms import errors_to_form
from maillage.patients.pickers import PatientPickerField
from maillage.same_day_care.forms import PROFESSIONS

from .. import meetings as services
from ..access import enrolments_visible_to
from ..forms import TeamAddForm
from ..models import Meeting

# Forms ------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    title = forms.CharField(label="Intitulé", max_length=200,
                            error_messages={"required": "Indiquez l'intitulé de la réunion."})
    starts_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Indiquez la date et l'heure de la réunion.",
                        "invalid": "Date et heure invalides."},
    )  # fmt: skip
    duration_minutes = forms.IntegerField(
        label="Durée (minutes)", min_value=5, max_value=services.MAX_MINUTES, initial=60,
        error_messages={"required": "Indiquez la durée.",
                        "min_value": "La durée est d'au moins 5 minutes.",
                        "max_value": f"La durée est d'au plus {services.MAX_MINUTES} minutes."},
    )  # fmt: skip
    place = forms.CharField(label="Lieu ou lien de visioconférence", max_length=300,
                            required=False)  # fmt: skip
    participants = forms.MultipleChoiceField(
        label="Participants invités", required=False,
        error_messages={"invalid_choice": "Participant inconnu dans cette CPTS : %(value)s."},
    )  # fmt: skip

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.public_id): m for m in members}
        self.fields["participants"].choices = [
            (key, m.user.get_full_name() or m.user.email) for key, m in self.members.items()
        ]

    def chosen_users(self):
        return [self.members[key].user for key in self.cleaned_data.get("participants", [])]


class CaseForm(forms.Form):
    """A case for the agenda: the patient picked by name among those the caller follows
    (need-to-know, no list cut at N), then their pathway. A patient in one active pathway
    needs nothing more; in several, the form asks which. A posted `enrolment` public id is
    still accepted on its own (API clients, older pages)."""

    patient = forms.Field(required=False)  # replaced by a PatientPickerField in __init__
    enrolment = forms.CharField(label="Parcours", required=False, max_length=64)
    question = forms.CharField(
        label="Question posée", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez la question posée."},
    )  # fmt: skip

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["patient"] = PatientPickerField(
            membership=membership, label="Patient", required=False,
            help_text="Nom et prénom, date de naissance (JJ/MM/AAAA) ou NIR. Seuls les "
                      "patients que vous suivez dans un parcours sont proposés.",
        )  # fmt: skip
        self.pathways = []  # the chosen patient's pathways, when they follow several
        self.fields["enrolment"].widget = forms.HiddenInput()

    def _active(self):
        return enrolments_visible_to(self.membership).active().select_related(
            "patient", "template")  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        key = (cleaned.get("enrolment") or "").strip()
        patient = cleaned.get("patient")
        if "patient" in self.errors:
            return cleaned
        if key:
            try:
                enrolment = get_by_public_id(self._active(), key)
            except Http404:
                self.add_error("enrolment" if patient is None else "patient",
                               "Choisissez un patient parmi vos parcours.")  # fmt: skip
                return cleaned
            if patient is None or enrolment.patient_id == patient.pk:
                cleaned["case_enrolment"] = enrolment
                return cleaned
            # A pathway of another patient than the one now typed: the typed name wins.
        if patient is None:
            self.add_error("patient", "Choisissez un patient (nom, date de naissance ou NIR).")
            return cleaned
        pathways = list(self._active().filter(patient=patient).order_by("enrolled_on", "pk"))
        if not pathways:
            self.add_error("patient", "Ce patient ne suit aucun parcours en cours que vous "
                                      "voyez.")  # fmt: skip
        elif len(pathways) > 1:
            self.pathways = pathways
            self.fields["enrolment"].widget = forms.Select(choices=[("", "— choisir —")] + [
                (str(e.public_id), e.template.name) for e in pathways])  # fmt: skip
            self.add_error("enrolment", "Ce patient suit plusieurs parcours : choisissez "
                                        "celui à présenter.")  # fmt: skip
        else:
            cleaned["case_enrolment"] = pathways[0]
        return cleaned

    def show_errors_at_patient(self):
        """While the pathway is not asked for, its field is hidden: its errors (a case
        already on the agenda…) are said next to the patient instead."""
        if self.pathways or "enrolment" not in self.errors:
            return
        for message in self.errors.pop("enrolment"):
            self.add_error("patient", message)


class DecisionForm(forms.Form):
    text = forms.CharField(label="Décision", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Indiquez la décision prise."})  # fmt: skip
    task_label = forms.CharField(label="Tâche à créer (facultatif)", max_length=200,
                                 required=False,
                                 help_text="Ex. : consultation diététicienne.")  # fmt: skip
    task_profession = forms.ChoiceField(label="Profession responsable (facultatif)",
                                        required=False,
                                        choices=[("", "—")] + PROFESSIONS)  # fmt: skip
    task_due = forms.DateField(
        label="Échéance de la tâche", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide."},
    )  # fmt: skip
    task_assignee = forms.ChoiceField(label="Chargé de la tâche (équipe de soins)",
                                      required=False)  # fmt: skip
    advance_task = forms.ChoiceField(label="Ou avancer une tâche prévue (facultatif)",
                                     required=False)  # fmt: skip
    advance_to = forms.DateField(
        label="Nouvelle échéance de cette tâche", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide."},
    )  # fmt: skip

    def __init__(self, *args, team, open_tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = {str(m.user.public_id): m.user for m in team}
        self.open_tasks = {str(t.public_id): t for t in open_tasks}
        self.fields["task_assignee"].choices = [("", "—")] + [
            (key, f"{m.user.get_full_name() or m.user.email}{f' ({m.role})' if m.role else ''}")
            for key, m in ((str(m.user.public_id), m) for m in team)
        ]
        self.fields["advance_task"].choices = [("", "—")] + [
            (key, f"{t.title} (prévue le {t.due_date:%d/%m/%Y})")
            for key, t in self.open_tasks.items()
        ]


class MeetingStatusForm(forms.Form):
    """What the meeting page posts: held (with its summary) or cancelled."""

    status = forms.ChoiceField(
        choices=[("held", "Tenue"), ("cancelled", "Annulée")], widget=forms.HiddenInput,
        error_messages={"required": "Indiquez si la réunion est tenue ou annulée.",
                        "invalid_choice": "Statut inconnu : la réunion est tenue ou annulée."},
    )  # fmt: skip
    summary = forms.CharField(label="Compte rendu (facultatif)", required=False,
                              max_length=Meeting._meta.get_field("summary").max_length,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)


# Pages ------------------------------------------------------------------------------


def _require_coordinator(request):
    if not permissions.coordinate_pathways(request.membership):
        raise Http404


@member_view(permissions.see_patients)
def meetings_view(request):
    meetings = (
        services.meetings_visible_to(request.membership)
        .select_related("organiser").order_by("-starts_at")[:200]
    )  # fmt: skip
    return render(request, "pathways/meetings.html", {
        "meetings": meetings, "now": timezone.now(),
        "can_organise": services.can_organise(request.membership),
        "is_coordinator": permissions.coordinate_pathways(request.membership),
    })  # fmt: skip


@member_view(permissions.organise_meetings)
@require_http_methods(["GET", "POST"])
def meeting_new_view(request):
    members = services.invitable_members(request.cpts)
    data = request.POST.copy() if request.method == "POST" else None
    adder = _invite_picker(request)
    if data is not None and adder.picked():  # one more participant, picked by name
        data.setlist("participants", data.getlist("participants") + [adder.picked()])
    form = MeetingForm(data, members=members)
    if request.method == "POST" and form.is_valid() and not adder.errors:
        try:
            meeting = services.schedule(
                cpts=request.cpts, organiser_membership=request.membership,
                title=form.cleaned_data["title"], starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                place=form.cleaned_data["place"], participants=form.chosen_users(),
                request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Réunion planifiée : ajoutez les dossiers à discuter.")
            return redirect("pathways:meeting", request.cpts.slug, meeting.public_id)
    by_name = len(members) > INVITE_LIST_MAX
    chosen = set(form["participants"].value() or [])
    return render(request, "pathways/meeting_form.html", {
        "form": form, "adder": adder, "by_name": by_name,
        "members": [m for m in members if str(m.public_id) in chosen] if by_name else members,
    }, status=400 if form.errors or adder.errors else 200)  # fmt: skip


# Past this many members to invite, checkboxes give way to a picker (by name, e-mail, RPPS).
INVITE_LIST_MAX = 25


def _invite_picker(request):
    return TeamAddForm(request.POST if request.method == "POST" else None, cpts=request.cpts,
                       label="Inviter un membre", help_text="Nom, e-mail ou numéro RPPS.")


def _meeting_page(request, meeting, *, case_form=None, invite_error="", status_form=None,
                  status=200):  # fmt: skip
    membership = request.membership
    manage = services.can_manage(membership, meeting)
    invited = services.is_invited(meeting, request.user)
    can_add = (meeting.status == Meeting.Status.PLANNED and services.can_organise(membership)
               and (manage or invited))  # fmt: skip
    if can_add and case_form is None:
        case_form = CaseForm(membership=membership)
        if not enrolments_visible_to(membership).active().exists():  # nobody to add
            case_form = None
    attendance = meeting.attendance.select_related("user").order_by(
        "user__last_name", "user__first_name", "pk")  # fmt: skip
    started = meeting.starts_at <= timezone.now()
    invited_ids = {a.user_id for a in attendance}
    invitable = [m for m in services.invitable_members(request.cpts)
                 if m.user_id not in invited_ids] if manage else []  # fmt: skip
    return render(request, "pathways/meeting.html", {
        "meeting": meeting, "attendance": attendance,
        "cases": services.cases_for_viewer(meeting, membership, request=request),
        "can_manage": manage, "can_add": can_add, "case_form": case_form if can_add else None,
        "can_decide": meeting.status != Meeting.Status.CANCELLED and started
                      and (manage or invited),
        "started": started,
        "invitable": invitable,
        "invite_by_name": len(invitable) > INVITE_LIST_MAX,
        "invite_picker": _invite_picker(request) if manage else None,
        "invite_error": invite_error,
        "status_form": status_form or MeetingStatusForm(initial={"status": "cancelled"}),
    }, status=status)  # fmt: skip


@member_view(permissions.see_patients)
def meeting_view(request, public_id):
    meeting = services.get_meeting(request.membership, public_id)
    return _meeting_page(request, meeting)


@member_view(permissions.see_patients)
@require_POST
def meeting_add_case_view(request, public_id):
    meeting = services.get_meeting(request.membership, public_id)
    membership = request.membership
    if not services.can_organise(membership) or not (
        services.can_manage(membership, meeting) or services.is_invited(meeting, request.user)
    ):
        raise Http404
    form = CaseForm(request.POST, membership=membership)
    if form.is_valid():
        try:
            services.add_case(meeting=meeting, membership=membership,
                              enrolment=form.cleaned_data["case_enrolment"],
                              question=form.cleaned_data["question"],
                              request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Dossier ajouté à l'ordre du jour.")
            return redirect("pathways:meeting", request.cpts.slug, meeting.public_id)
    form.show_errors_at_patient()
    return _meeting_page(request, meeting, case_form=form, status=400)


@member_view(permissions.see_patients)
@require_POST
def meeting_invite_view(request, public_id):
    meeting = services.get_meeting(request.membership, public_id)
    if not services.can_manage(request.membership, meeting):
        raise Http404
    members = {str(m.public_id): m for m in services.invitable_members(request.cpts)}
    chosen = request.POST.getlist("participants")
    adder = _invite_picker(request)
    if adder.picked():
        chosen.append(adder.picked())
    unknown = [key for key in chosen if key not in members]
    error = "Participant inconnu dans cette CPTS." if unknown else ""
    if adder.errors:  # the message itself is under the picker
        error = "Vérifiez le membre à inviter."
    elif not chosen:
        error = "Choisissez au moins une personne à inviter."
    if not error:
        try:
            added = services.invite(meeting=meeting, actor=request.user,
                                    participants=[members[k].user for k in chosen],
                                    request=request)  # fmt: skip
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{added} participant(s) invité(s).")
            return redirect("pathways:meeting", request.cpts.slug, meeting.public_id)
    return _meeting_page(request, meeting, invite_error=error, status=400)


def _parse_minutes(raw: str):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return raw  # the service rejects it with a message naming the person


@member_view(permissions.see_patients)
@require_http_methods(["GET", "POST"])
def meeting_attendance_view(request, public_id):
    meeting = services.get_meeting(request.membership, public_id)
    if not services.can_manage(request.membership, meeting):
        raise Http404
    rows = list(meeting.attendance.select_related("user").order_by(
        "user__last_name", "user__first_name", "pk"))  # fmt: skip
    errors = []
    if request.method == "POST":
        entries = {}
        for row in rows:
            key = str(row.user.public_id)
            present = request.POST.get(f"present-{key}") == "on"
            entries[row.user_id] = (present, _parse_minutes(request.POST.get(f"minutes-{key}")))
        try:
            with transaction.atomic():  # attendance and "held" together, or neither
                services.record_attendance(meeting=meeting, actor=request.user,
                                           entries=entries, request=request)  # fmt: skip
                if request.POST.get("held") == "on":
                    services.mark_held(meeting=meeting, actor=request.user,
                                       summary=request.POST.get("summary", ""),
                                       request=request)  # fmt: skip
        except ValidationError as exc:
            errors = exc.messages
            # Show what was typed, not what is stored.
            for row in rows:
                key = str(row.user.public_id)
                row.present = request.POST.get(f"present-{key}") == "on"
                row.minutes = request.POST.get(f"minutes-{key}", "")
        else:
            messages.success(request, "Présences enregistrées.")
            return redirect("pathways:meeting", request.cpts.slug, meeting.public_id)
    return render(request, "pathways/meeting_attendance.html", {
        "meeting": meeting, "rows": rows, "errors": errors,
    }, status=400 if errors else 200)  # fmt: skip


@member_view(permissions.see_patients)
@require_POST
def meeting_status_view(request, public_id):
    meeting = services.get_meeting(request.membership, public_id)
    if not services.can_manage(request.membership, meeting):
        raise Http404
    form = MeetingStatusForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["status"] == "held":
                services.mark_held(meeting=meeting, actor=request.user,
                                   summary=form.cleaned_data["summary"], request=request)
                done = "Réunion marquée comme tenue."
            else:
                services.cancel(meeting=meeting, actor=request.user, request=request)
                done = "Réunion annulée."
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("pathways:meeting", request.cpts.slug, meeting.public_id)
    return _meeting_page(request, meeting, status_form=form, status=400)


@member_view(permissions.see_patients)
@require_http_methods(["GET", "POST"])
def meeting_decision_view(request, public_id):
    case = services.get_case(request.membership, public_id)
    if not services.can_decide(request.membership, case):
        raise Http404
    enrolment = case.enrolment
    team = list(enrolment.team.select_related("user"))
    open_tasks = list(enrolment.tasks.open().filter(step__isnull=False).select_related("step"))
    form = DecisionForm(request.POST or None, team=team, open_tasks=open_tasks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_decision(
                case=case, membership=request.membership, text=data["text"],
                task_label=data["task_label"], task_profession=data["task_profession"],
                task_due=data["task_due"],
                task_assignee=form.team.get(data["task_assignee"]),
                advance_task=form.open_tasks.get(data["advance_task"]),
                advance_to=data["advance_to"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Décision enregistrée ; le dossier est marqué comme discuté.")
            return redirect("pathways:meeting", request.cpts.slug, case.meeting.public_id)
    # The page names the patient: a read of patient data.
    audit.record(action="pathway.meeting_read", actor=request.user, cpts=request.cpts,
                 obj=case.meeting, patient=enrolment.patient, request=request,
                 detail={"enrolment": str(enrolment.public_id)})  # fmt: skip
    return render(request, "pathways/meeting_decision.html", {
        "case": case, "meeting": case.meeting, "enrolment": enrolment, "form": form,
        "today": timezone.localdate(),
    }, status=400 if form.errors else 200)  # fmt: skip


# Attendance for compensation (coordinators) ----------------------------------------


# A period outside these years is a typo; 9999-12-31 would also overflow the day after.
PERIOD_MIN, PERIOD_MAX = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


class PeriodForm(forms.Form):
    du = forms.DateField(label="Du", required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         error_messages={"invalid": "Date de début invalide."})  # fmt: skip
    au = forms.DateField(label="Au", required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         error_messages={"invalid": "Date de fin invalide."})  # fmt: skip

    def _in_range(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not PERIOD_MIN <= value <= PERIOD_MAX:
            raise forms.ValidationError(
                f"Choisissez une date entre {PERIOD_MIN:%Y} et {PERIOD_MAX:%Y}."
            )
        return value

    def clean_du(self):
        return self._in_range("du")

    def clean_au(self):
        return self._in_range("au")

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            raise forms.ValidationError("La date de début est après la date de fin.")
        return data

    def period(self, today: datetime.date):
        """The chosen period, or the current year when a bound is missing or invalid."""
        start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
        if self.is_valid():
            start = self.cleaned_data.get("du") or start
            end = self.cleaned_data.get("au") or end
        return start, end


@member_view(permissions.coordinate_pathways)
def attendance_report_view(request):
    form = PeriodForm(request.GET or None)
    start, end = form.period(timezone.localdate())
    if form.is_bound and not form.is_valid():
        return render(request, "pathways/meeting_attendance_report.html",
                      {"form": form, "start": start, "end": end, "rows": [], "totals": []},
                      status=400)  # fmt: skip
    return render(request, "pathways/meeting_attendance_report.html", {
        "form": form, "start": start, "end": end,
        "rows": list(services.attendance_rows(request.cpts, start, end)),
        "totals": services.attendance_totals(request.cpts, start, end),
        "query": f"du={start:%Y-%m-%d}&au={end:%Y-%m-%d}",
    })  # fmt: skip


def _period_or_400(request):
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return None
    return form.period(timezone.localdate())


@member_view(permissions.coordinate_pathways)
def attendance_csv_view(request):
    period = _period_or_400(request)
    if period is None:
        return _bad_period()
    start, end = period
    name = f"presences-concertation-{request.cpts.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return csv_response(name, services.ATTENDANCE_HEADER,
                        services.attendance_rows(request.cpts, start, end))  # fmt: skip


@member_view(permissions.coordinate_pathways)
def attendance_totals_csv_view(request):
    period = _period_or_400(request)
    if period is None:
        return _bad_period()
    start, end = period
    return csv_response(f"presences-totaux-{request.cpts.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv",
                        services.TOTALS_HEADER,
                        services.attendance_totals(request.cpts, start, end))  # fmt: skip


def _bad_period():
    return HttpResponseBadRequest("Période invalide : dates au format AAAA-MM-JJ, début avant "
                                  "la fin.", content_type="text/plain; charset=utf-8")  # fmt: skip

