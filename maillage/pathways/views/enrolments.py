"""Pathway pages: enrol, the enrolment with its tasks, and what is due and late."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import audit
from maillage.core.access import get_by_public_id, member_view
from maillage.core.models import Membership, Role
from maillage.patients.access import patients_visible_to

from .. import services
from ..access import enrolments_visible_to, get_enrolment, tasks_visible_to
from ..models import Task


@member_view("can_see_patients")
def due_view(request):
    """A professional's "what is due, what is late"; every late task for coordinators."""
    today = timezone.localdate()
    tasks = (
        tasks_visible_to(request.membership).open()
        .filter(due_date__lte=today + timezone.timedelta(days=30))
        .select_related("step", "enrolment__patient", "enrolment__template")
        .order_by("due_date", "pk")
    )  # fmt: skip
    if request.membership.role == Role.COORDINATOR and request.GET.get("retard") != "non":
        tasks = tasks.filter(due_date__lt=today)
    tasks = list(tasks[:300])
    audit.record(
        action="pathway.due_list",
        actor=request.user,
        cpts=request.cpts,
        request=request,
        detail={"count": len(tasks)},
    )
    return render(request, "pathways/due.html", {"tasks": tasks, "today": today,
                                                 "is_coordinator": request.membership.role ==
                                                 Role.COORDINATOR})  # fmt: skip


@member_view("can_see_patients")
@require_http_methods(["GET", "POST"])
def enrol_view(request):
    if request.membership.role not in (Role.COORDINATOR, Role.PROFESSIONAL):
        raise Http404
    templates = services.templates_for(request.cpts)
    patients = patients_visible_to(request.membership).order_by("birth_name")[:500]
    members = (
        Membership.objects.active()
        .filter(cpts=request.cpts)
        .exclude(role=Role.BOARD)
        .select_related("user")
    )
    error = ""
    if request.method == "POST":
        try:
            patient = get_by_public_id(patients_visible_to(request.membership),
                                       request.POST.get("patient", ""))  # fmt: skip
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
                patient=patient,
                template=template,
                actor=request.user,
                team=team,
                request=request,
            )
        except StopIteration:
            error = "Choisissez un parcours."
        except Http404:
            error = "Choisissez un patient."
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Patient inclus : les premières tâches sont planifiées.")
            return redirect("pathways:enrolment", request.cpts.slug, enrolment.public_id)
    return render(request, "pathways/enrol.html", {
        "templates": templates, "patients": patients, "members": members, "error": error,
    }, status=400 if error else 200)  # fmt: skip


@member_view("can_see_patients")
def enrolment_view(request, public_id):
    enrolment = get_enrolment(request.membership, public_id, request=request)
    return render(request, "pathways/enrolment.html", {
        "enrolment": enrolment, "patient": enrolment.patient,
        "team": enrolment.team.select_related("user"),
        "open_tasks": enrolment.tasks.filter(status=Task.Status.DUE).select_related("step"),
        "done_tasks": enrolment.tasks.exclude(status=Task.Status.DUE).select_related(
            "step", "completed_by").order_by("-completed_on")[:50],
        "today": timezone.localdate(),
    })  # fmt: skip


@member_view("can_see_patients")
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
        following = done.enrolment.tasks.filter(step=done.step, status="due").first()
        note = f" Prochaine échéance : {following.due_date:%d/%m/%Y}." if following else ""
        messages.success(request, f"« {done.title} » enregistré.{note}")
    return redirect("pathways:enrolment", request.cpts.slug, task.enrolment.public_id)


@member_view("can_see_patients")
def enrolments_view(request):
    enrolments = (
        enrolments_visible_to(request.membership)
        .select_related("patient", "template")
        .order_by("-enrolled_on")[:300]
    )
    return render(request, "pathways/enrolments.html", {"enrolments": enrolments})
