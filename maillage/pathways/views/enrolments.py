"""Pathway pages: enrol, the enrolment with its tasks, notes and events, what is due and
late, reassignment."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form
from maillage.directory.services import link_account, link_candidates
from maillage.patients.access import get_patient, record_shown, search
from maillage.patients.services import set_attending_gp

from .. import services
from ..access import enrolments_visible_to, get_enrolment, tasks_visible_to
from ..forms import (
    AttendingGpForm,
    CompleteForm,
    EndForm,
    EnrolForm,
    NoteForm,
    ReassignForm,
    TeamAddForm,
)
from ..models import ALERTING_KINDS, CareTeamMember, CoordinationNote, Task

DUE_HORIZON_DAYS = 30
RECENT_EVENT_DAYS = 14
# A page a professional reads on a phone; the rest is a click away.
DUE_PAGE_SIZE = 50


DUE_FIELDS = (
    "public_id", "label", "due_date", "status", "enrolment_id", "assignee_id", "step_id",
    "step__label", "enrolment__public_id", "enrolment__patient__birth_name",
    "enrolment__patient__used_name", "enrolment__patient__first_names",
    "enrolment__template__name", "assignee__public_id", "assignee__first_name",
    "assignee__last_name", "assignee__email",
)  # fmt: skip


@member_view(permissions.see_patients)
def due_view(request):
    """A professional's "what is due, what is late" (their own tasks, or every task of their
    patients with ?tout=1); for coordinators, every late task of the CPTS, with reassignment."""
    today = timezone.localdate()
    membership = request.membership
    is_coordinator = permissions.coordinate_pathways(membership)
    show_all = request.GET.get("tout") == "1"
    tasks = (
        tasks_visible_to(membership).open()
        .filter(enrolment__ended_at__isnull=True,
                due_date__lte=today + datetime.timedelta(days=DUE_HORIZON_DAYS))
        .select_related("step", "assignee", "enrolment__patient", "enrolment__template")
        # Only what the page shows: one page of rows of six tables.
        .only(*DUE_FIELDS)
        .order_by("due_date", "pk")
    )  # fmt: skip
    if is_coordinator:
        # A task's CPTS is its enrolment's: filtering on it lets the database walk the
        # (cpts, status, due_date) index in order rather than every task of the CPTS. (A
        # professional's tasks are found faster from their care teams.)
        tasks = tasks.filter(cpts=request.cpts)
    if is_coordinator and request.GET.get("retard") != "non":
        tasks = tasks.filter(due_date__lt=today)
    elif not is_coordinator and not show_all:
        # Mine, and what nobody holds in the teams I am the référent of.
        referent_of = CareTeamMember.objects.filter(user=request.user, is_referent=True)
        unheld = Q(assignee__isnull=True, enrolment_id__in=referent_of.values("enrolment_id"))
        tasks = tasks.filter(Q(assignee=request.user) | unheld)
    template_slug = request.GET.get("parcours", "")
    if template_slug:
        tasks = tasks.filter(enrolment__template__slug=template_slug)
    page = Paginator(tasks, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    tasks = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    teams = {}
    if is_coordinator and tasks:
        for member in CareTeamMember.objects.filter(
            enrolment_id__in={t.enrolment_id for t in tasks}
        ).select_related("user"):
            teams.setdefault(member.enrolment_id, []).append(member)
        for task in tasks:
            task.team_members = teams.get(task.enrolment_id, [])
    events = list(
        CoordinationNote.objects.filter(
            enrolment__in=enrolments_visible_to(membership).filter(ended_at__isnull=True),
            kind__in=ALERTING_KINDS,
            created_at__gte=timezone.now() - datetime.timedelta(days=RECENT_EVENT_DAYS),
        ).select_related("enrolment__patient", "author")[:20]
    ) if not is_coordinator or request.GET.get("evenements") == "1" else []  # fmt: skip
    record_shown(membership, [t.enrolment.patient for t in tasks]
                 + [e.enrolment.patient for e in events], request=request,
                 where="pathways.due")  # fmt: skip
    return render(request, "pathways/due.html", {
        "tasks": tasks, "page": page, "query": query.urlencode(), "today": today,
        "is_coordinator": is_coordinator,
        "show_all": show_all, "events": events, "template_slug": template_slug,
        "templates": services.templates_for(request.cpts),
    })  # fmt: skip


@member_view(permissions.enrol_patients)
@require_http_methods(["GET", "POST"])
def enrol_view(request):
    """Pick the patient by name (only the matches are shown, each one audited), then the
    pathway and the care team, their médecin traitant proposed first as référent."""
    membership = request.membership
    templates = services.templates_for(request.cpts)
    wanted = request.POST.get("patient") or request.GET.get("patient", "")
    query = request.GET.get("q", "").strip()[:100]
    selected, matches, patient_error = None, [], ""
    if wanted:
        try:
            selected = get_patient(membership, wanted, request=request,
                                   detail={"via": "pathways.enrol"})  # fmt: skip
        except Http404:
            patient_error = "Choisissez un patient parmi ceux que vous suivez."
    elif request.method == "POST":
        patient_error = "Choisissez un patient."
    elif query:
        matches = search(membership, query)
        record_shown(membership, matches, request=request, where="pathways.enrol_search")
    members, proposed_gp = services.proposed_team(request.cpts, selected)
    linked = services.professions_of(request.cpts, [m.user_id for m in members])
    for member in members:
        member.unlinked = member.user_id not in linked
    wanted_template = request.GET.get("parcours", "")
    initial_template = next((str(t.public_id) for t in templates
                             if wanted_template in (t.slug, str(t.public_id))), None)  # fmt: skip
    # A GET with ?patient= (a link from another page) shows the form unbound: only a POST
    # is checked.
    posted = request.method == "POST" and selected is not None
    form = EnrolForm(request.POST if posted else None, templates=templates,
                     initial={"template": initial_template})  # fmt: skip
    chosen = request.POST.getlist("team")
    adder = TeamAddForm(request.POST if posted else None, cpts=request.cpts)
    adding = posted and "add" in request.POST  # "Ajouter": back to the form, nobody enrolled
    if posted and adder.is_valid() and adder.cleaned_data["add_member"] is not None:
        added = str(adder.cleaned_data["add_member"].public_id)
        if added not in chosen:
            chosen.append(added)
        adder = TeamAddForm(cpts=request.cpts)  # the member is now ticked in the list
    team_error = ""
    if posted and not adding and not adder.errors and form.is_valid():
        referent = request.POST.get("referent")
        team = [(m.user, m.title, str(m.public_id) == referent)
                for m in members if str(m.public_id) in chosen]  # fmt: skip
        try:
            enrolment = services.enrol(
                cpts=request.cpts,
                patient=selected,
                template=form.templates[form.cleaned_data["template"]],
                actor=request.user,
                team=team,
                request=request,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            team_error = " ".join(errors.pop("team", []))
            patient_error = " ".join(errors.pop("patient", []))
            if errors:
                errors_to_form(form, ValidationError(errors))
        else:
            messages.success(request, "Patient inclus : les premières tâches sont planifiées.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    if adding:
        form = EnrolForm(initial={"template": request.POST.get("template")},
                         templates=templates)  # not judged yet: no error on the pathway
    failed = bool(form.errors or team_error or patient_error or adder.errors)
    # A long list of checkboxes is unusable (a CPTS has hundreds of members): past a few,
    # only the proposed GP and the members already chosen are listed, others are added
    # by name with the picker.
    long_list = len(members) > TEAM_LIST_MAX
    listed = [m for m in members if not long_list or m.user_id == proposed_gp
              or str(m.public_id) in chosen]  # fmt: skip
    return render(request, "pathways/enrol.html", {
        "form": form, "members": listed, "team_error": team_error, "adder": adder,
        "patient_error": patient_error, "proposed_gp": proposed_gp, "query": query,
        "matches": matches, "searched": bool(query) and not wanted, "selected": selected,
        "wanted_template": wanted_template, "long_list": long_list,
        "chosen": set(chosen), "referent": request.POST.get("referent"),
    }, status=400 if failed else 200)  # fmt: skip


# Past this many members who may join a care team, the enrolment lists only those chosen.
TEAM_LIST_MAX = 25


@member_view(permissions.see_patients)
def enrolment_view(request, public_id):
    enrolment = get_enrolment(request.membership, public_id, request=request)
    return _enrolment_page(request, enrolment)


def _enrolment_page(request, enrolment, *, note_form=None, end_form=None, gp_form=None,
                    task_form=None, task=None, status=200):  # fmt: skip
    """The enrolment page with its forms. A form just posted with errors (one of the
    keyword arguments; for a task's form, with that `task`) is shown bound, in place."""
    team = list(enrolment.team.select_related("user"))
    unlinked = services.unlinked_members(enrolment, team)
    if permissions.manage_members(request.membership):
        for member in unlinked:
            member.candidates = link_candidates(request.cpts, member.user)
    open_tasks = list(enrolment.tasks.filter(status=Task.Status.DUE).select_related(
        "step", "assignee"))  # fmt: skip
    page_errors = []
    for open_task in open_tasks:
        open_task.complete_form = CompleteForm(task=open_task)
        open_task.reassign_form = ReassignForm(task=open_task, team=team)
        if task is not None and open_task.pk == task.pk:
            kind = "complete_form" if isinstance(task_form, CompleteForm) else "reassign_form"
            setattr(open_task, kind, task_form)
            task = None
    if task is not None:  # no longer to do: its errors go to the top of the page
        page_errors = [m for messages_ in task_form.errors.values() for m in messages_]
    return render(request, "pathways/enrolment.html", {
        "enrolment": enrolment, "patient": enrolment.patient, "team": team,
        "can_reassign": services.can_reassign(request.membership, enrolment),
        "can_set_gp": permissions.set_attending_gp(request.membership),
        "can_set_gp_after_end": permissions.coordinate_pathways(request.membership),
        "gp_form": gp_form or AttendingGpForm(cpts=request.cpts, patient=enrolment.patient),
        "unlinked": unlinked,
        "note_form": note_form or NoteForm(),
        "end_form": end_form or EndForm(),
        "page_errors": page_errors,
        "notes": enrolment.notes.select_related("author")[:100],
        "open_tasks": open_tasks,
        "done_tasks": enrolment.tasks.exclude(status=Task.Status.DUE).select_related(
            "step", "completed_by").order_by("-completed_on")[:50],
        "today": timezone.localdate(),
    }, status=status)  # fmt: skip


def _failed(request, enrolment, **forms):
    """The page again, at 400, with the posted form's errors next to its fields. It shows
    the patient: read (and audited) as the page itself is."""
    enrolment = get_enrolment(request.membership, enrolment.public_id, request=request)
    return _enrolment_page(request, enrolment, status=400, **forms)


@member_view(permissions.see_patients)
@require_POST
def complete_view(request, public_id):
    task = get_by_public_id(
        tasks_visible_to(request.membership).select_related("step", "enrolment"), public_id
    )
    form = CompleteForm(request.POST, task=task)
    if form.is_valid():
        try:
            done = services.complete(
                task=task, actor=request.user, value=form.cleaned_data.get("value"),
                note=form.cleaned_data["note"],
                confirm_out_of_range=form.cleaned_data.get("confirm", False), request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            following = (
                done.enrolment.tasks.filter(step=done.step, status="due").first()
                if done.step_id else None
            )
            note = f" Prochaine échéance : {following.due_date:%d/%m/%Y}." if following else ""
            messages.success(request, f"« {done.title} » enregistré.{note}")
            return redirect("pathways:enrolment", request.cpts.slug, task.enrolment.public_id)
    return _failed(request, task.enrolment, task_form=form, task=task)


@member_view(permissions.see_patients)
def enrolments_view(request):
    enrolments = list(
        enrolments_visible_to(request.membership)
        .select_related("patient", "template")
        .order_by("-enrolled_on")[:300]
    )
    record_shown(request.membership, [e.patient for e in enrolments], request=request,
                 where="pathways.enrolments")  # fmt: skip
    return render(request, "pathways/enrolments.html", {"enrolments": enrolments})


@member_view(permissions.see_patients)
@require_POST
def note_view(request, public_id):
    """A coordination note or an event; the team sees it on the enrolment page."""
    enrolment = get_by_public_id(enrolments_visible_to(request.membership), public_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.add_note(enrolment=enrolment, author=request.user,
                                     text=form.cleaned_data["text"],
                                     kind=form.cleaned_data["kind"], request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            # The alert is queued with the note (notifications retry a failed send), so
            # there is no "could not be sent" case to report here.
            told = (" L'équipe de soins est prévenue (dans l'application et par e-mail, "
                    "selon ses préférences)." if getattr(note, "alert_sent", False) else "")
            messages.success(request, f"{note.get_kind_display()} enregistrée.{told}")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    return _failed(request, enrolment, note_form=form)


@member_view(permissions.see_patients)
@require_POST
def reassign_view(request, public_id):
    task = get_by_public_id(
        tasks_visible_to(request.membership).select_related("enrolment", "assignee"), public_id
    )
    if not services.can_reassign(request.membership, task.enrolment):
        raise Http404
    form = ReassignForm(request.POST, task=task,
                        team=task.enrolment.team.select_related("user"))  # fmt: skip
    if form.is_valid():
        assignee = form.chosen()
        try:
            services.reassign(task=task, assignee=assignee, actor=request.user,
                              request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"« {task.title} » confiée à {assignee.get_full_name()}.")
            if request.POST.get("next") == "due":
                return redirect("pathways:due", request.cpts.slug)
            return redirect("pathways:enrolment", request.cpts.slug, task.enrolment.public_id)
    # From the "to do" list too: the enrolment page shows the error next to the task.
    return _failed(request, task.enrolment, task_form=form, task=task)


@member_view(permissions.see_patients)
@require_POST
def attending_gp_view(request, public_id):
    """Record the patient's médecin traitant from their pathway (team and coordinators)."""
    enrolment = get_by_public_id(
        enrolments_visible_to(request.membership).select_related("patient"), public_id
    )
    if not permissions.set_attending_gp(request.membership):
        raise Http404
    form = AttendingGpForm(request.POST, cpts=request.cpts, patient=enrolment.patient)
    if enrolment.ended_at is not None and not permissions.coordinate_pathways(request.membership):
        # The former team keeps reading the history; it no longer changes the patient.
        messages.error(request, "Ce parcours est terminé : seule la coordination peut "
                                "changer le médecin traitant.")  # fmt: skip
        return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    if form.is_valid():
        try:
            set_attending_gp(patient=enrolment.patient, gp=form.chosen(), actor=request.user,
                             request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Médecin traitant enregistré.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    return _failed(request, enrolment, gp_form=form)


@member_view(permissions.see_patients)
@require_POST
def end_view(request, public_id):
    enrolment = get_by_public_id(enrolments_visible_to(request.membership), public_id)
    if not services.can_reassign(request.membership, enrolment):
        raise Http404
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_enrolment(enrolment=enrolment, actor=request.user,
                                   reason=form.cleaned_data["reason"],
                                   request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Parcours terminé : les tâches restantes sont annulées.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    return _failed(request, enrolment, end_form=form)


@member_view(permissions.manage_members)
@require_POST
def link_account_view(request, public_id):
    """Link a care-team member's account to their directory entry, from the enrolment page
    that said they get no task of their profession."""
    enrolment = get_by_public_id(enrolments_visible_to(request.membership), public_id)
    member = enrolment.team.select_related("user").filter(
        user__public_id=_uuid_or_none(request.POST.get("member"))).first()  # fmt: skip
    if member is None:
        raise Http404
    candidates = {str(p.public_id): p for p in link_candidates(request.cpts, member.user)}
    professional = candidates.get(request.POST.get("professional", ""))
    try:
        if professional is None:
            raise ValidationError({"professional": "Choisissez la fiche de l'annuaire de ce "
                                                   "membre dans la liste."})  # fmt: skip
        link_account(cpts=request.cpts, professional=professional, account=member.user,
                     actor=request.user, request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.get_full_name()} est relié(e) à la fiche "
                         f"{professional} : les prochaines tâches de sa profession lui "
                         "seront confiées (réattribuez au besoin les tâches en cours).")
    return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
