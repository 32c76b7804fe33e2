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
from maillage.core.models import Membership, User
from maillage.patients.access import get_patient, record_shown, search
from maillage.patients.services import set_attending_gp

from .. import services
from ..access import enrolments_visible_to, get_enrolment, tasks_visible_to
from ..models import ALERTING_KINDS, CareTeamMember, CoordinationNote, NoteKind, Task

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
    query = request.GET.get("q", "").strip()
    selected, matches, error = None, [], ""
    if wanted:
        try:
            selected = get_patient(membership, wanted, request=request,
                                   detail={"via": "pathways.enrol"})  # fmt: skip
        except Http404:
            error = "Choisissez un patient parmi ceux que vous suivez."
    elif query:
        matches = search(membership, query)
        record_shown(membership, matches, request=request, where="pathways.enrol_search")
    members, proposed_gp = services.proposed_team(request.cpts, selected)
    wanted_template = request.POST.get("template") or request.GET.get("parcours", "")
    if request.method == "POST" and selected is not None:
        try:
            template = next(
                t for t in templates if str(t.public_id) == request.POST.get("template")
            )
            chosen = request.POST.getlist("team")
            referent = request.POST.get("referent")
            team = [
                (m.user, m.title, str(m.public_id) == referent)
                for m in members
                if str(m.public_id) in chosen
            ]
            enrolment = services.enrol(
                cpts=request.cpts,
                patient=selected,
                template=template,
                actor=request.user,
                team=team,
                request=request,
            )
        except StopIteration:
            error = "Choisissez un parcours."
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Patient inclus : les premières tâches sont planifiées.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    elif request.method == "POST":
        error = error or "Choisissez un patient."
    return render(request, "pathways/enrol.html", {
        "templates": templates, "members": members, "error": error, "query": query,
        "matches": matches, "searched": bool(query) and not wanted,
        "selected": selected, "proposed_gp": proposed_gp, "wanted_template": wanted_template,
        "chosen": set(request.POST.getlist("team")), "referent": request.POST.get("referent"),
    }, status=400 if error else 200)  # fmt: skip


@member_view(permissions.see_patients)
def enrolment_view(request, public_id):
    enrolment = get_enrolment(request.membership, public_id, request=request)
    team = list(enrolment.team.select_related("user"))
    return render(request, "pathways/enrolment.html", {
        "enrolment": enrolment, "patient": enrolment.patient, "team": team,
        "can_reassign": services.can_reassign(request.membership, enrolment),
        "can_set_gp": permissions.set_attending_gp(request.membership),
        "can_set_gp_after_end": permissions.coordinate_pathways(request.membership),
        "professionals": Membership.objects.active().filter(
            cpts=request.cpts).professionals().select_related("user").order_by(
            "user__last_name", "user__first_name"),
        "notes": enrolment.notes.select_related("author")[:100],
        "note_kinds": NoteKind.choices,
        "open_tasks": enrolment.tasks.filter(status=Task.Status.DUE).select_related(
            "step", "assignee"),
        "done_tasks": enrolment.tasks.exclude(status=Task.Status.DUE).select_related(
            "step", "completed_by").order_by("-completed_on")[:50],
        "today": timezone.localdate(),
    })  # fmt: skip


@member_view(permissions.see_patients)
@require_POST
def complete_view(request, public_id):
    task = get_by_public_id(
        tasks_visible_to(request.membership).select_related("step", "enrolment"), public_id
    )
    try:
        done = services.complete(
            task=task, actor=request.user, value=request.POST.get("value"),
            note=request.POST.get("note", ""),
            confirm_out_of_range=request.POST.get("confirm") == "on", request=request,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        following = (
            done.enrolment.tasks.filter(step=done.step, status="due").first()
            if done.step_id else None
        )
        note = f" Prochaine échéance : {following.due_date:%d/%m/%Y}." if following else ""
        messages.success(request, f"« {done.title} » enregistré.{note}")
    return redirect("pathways:enrolment", request.cpts.slug, task.enrolment.public_id)


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
    try:
        note = services.add_note(enrolment=enrolment, author=request.user,
                                 text=request.POST.get("text", ""),
                                 kind=request.POST.get("kind", NoteKind.NOTE),
                                 request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        sent = getattr(note, "alert_sent", None)
        if sent is False:
            messages.warning(request, f"{note.get_kind_display()} enregistrée, mais l'e-mail "
                             "d'alerte n'a pas pu partir : prévenez l'équipe de soins "
                             "autrement.")  # fmt: skip
        else:
            told = " L'équipe de soins est prévenue par e-mail." if sent else ""
            messages.success(request, f"{note.get_kind_display()} enregistrée.{told}")
    return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)


@member_view(permissions.see_patients)
@require_POST
def reassign_view(request, public_id):
    task = get_by_public_id(
        tasks_visible_to(request.membership).select_related("enrolment"), public_id
    )
    if not services.can_reassign(request.membership, task.enrolment):
        raise Http404
    assignee = _posted_user(
        User.objects.filter(care_teams__enrolment=task.enrolment), request.POST.get("assignee")
    )
    try:
        services.reassign(task=task, assignee=assignee, actor=request.user,
                          request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"« {task.title} » confiée à {assignee.get_full_name()}.")
    if request.POST.get("next") == "due":
        return redirect("pathways:due", request.cpts.slug)
    return redirect("pathways:enrolment", request.cpts.slug, task.enrolment.public_id)


def _posted_user(users, public_id):
    """The user of `users` (an already scoped queryset) whose public id was posted, or
    None: the service then says what was expected."""
    try:
        return get_by_public_id(users, public_id or "")
    except Http404:
        return None


@member_view(permissions.see_patients)
@require_POST
def attending_gp_view(request, public_id):
    """Record the patient's médecin traitant from their pathway (team and coordinators)."""
    enrolment = get_by_public_id(
        enrolments_visible_to(request.membership).select_related("patient"), public_id
    )
    if not permissions.set_attending_gp(request.membership):
        raise Http404
    if enrolment.ended_at is not None and not permissions.coordinate_pathways(request.membership):
        # The former team keeps reading the history; it no longer changes the patient.
        messages.error(request, "Ce parcours est terminé : seule la coordination peut "
                                "changer le médecin traitant.")  # fmt: skip
        return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    wanted = request.POST.get("attending_gp", "")
    gp = None
    if wanted:
        members = Membership.objects.active().filter(cpts=request.cpts)
        gp = _posted_user(User.objects.filter(memberships__in=members).distinct(), wanted)
        if gp is None:
            messages.error(request, "Choisissez un professionnel membre de la CPTS.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    try:
        set_attending_gp(patient=enrolment.patient, gp=gp, actor=request.user,
                         request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Médecin traitant enregistré.")
    return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)


@member_view(permissions.see_patients)
@require_POST
def end_view(request, public_id):
    enrolment = get_by_public_id(enrolments_visible_to(request.membership), public_id)
    if not services.can_reassign(request.membership, enrolment):
        raise Http404
    try:
        services.end_enrolment(enrolment=enrolment, actor=request.user,
                               reason=request.POST.get("reason", ""), request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Parcours terminé : les tâches restantes sont annulées.")
    return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
