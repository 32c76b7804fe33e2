"""The template editor: coordinators edit pathway templates as drafts and publish them.
Every member who sees patients may read the published templates."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.forms import errors_to_form
from maillage.directory.models import PROFESSIONS

from .. import editor
from ..forms import PublishForm, StepForm, TemplateForm
from ..models import Enrolment, ResultKind, decimal_fr


def coordinator_view(view):
    """Editor pages: coordinators of the CPTS only; anyone else gets 404."""

    return member_view(permissions.edit_pathway_templates)(view)


def _is_coordinator(request) -> bool:
    return permissions.edit_pathway_templates(request.membership)


def _number(value) -> str:
    return decimal_fr(value) if value is not None else "…"


def _result_text(step) -> str:
    if step.result_kind == ResultKind.NUMBER:
        return f"Valeur numérique en {step.unit}" + (
            f", plausible de {_number(step.plausible_min)} à {_number(step.plausible_max)}"
            if step.plausible_min is not None or step.plausible_max is not None else "")
    if step.result_kind == ResultKind.GRADE:
        return f"Grade de {_number(step.plausible_min)} à {_number(step.plausible_max)}"
    return step.get_result_kind_display()


def _steps(template):
    """The template's steps with the sentences the pages show."""
    steps = list(template.steps.select_related("condition_step"))
    for step in steps:
        step.condition_text = editor.condition_text(step)
        step.profession_text = PROFESSIONS.get(step.profession_code, "Non précisée")
        step.result_text = _result_text(step)
    return steps


@member_view(permissions.see_patients)
def templates_view(request):
    rows = editor.template_rows(request.cpts)
    if not _is_coordinator(request):
        rows = [r for r in rows if r["template"] is not None]
    return render(request, "pathways/editor_list.html", {
        "rows": rows, "is_coordinator": _is_coordinator(request),
    })  # fmt: skip


@member_view(permissions.see_patients)
def template_view(request, public_id):
    template = editor.get_published(request.cpts, public_id)
    return render(request, "pathways/editor_template.html", {
        "template": template, "steps": _steps(template),
        "is_coordinator": _is_coordinator(request),
    })  # fmt: skip


@coordinator_view
@require_http_methods(["GET", "POST"])
def template_new_view(request):
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = editor.template_create(cpts=request.cpts, actor=request.user,
                                           request=request, **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Brouillon créé : ajoutez les étapes du parcours.")
            return redirect("pathways:editor_draft", request.cpts.slug, draft.public_id)
    return render(request, "pathways/editor_new.html", {"form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@coordinator_view
@require_POST
def template_modify_view(request, public_id):
    template = editor.get_published(request.cpts, public_id)
    draft = editor.draft_open(cpts=request.cpts, actor=request.user, template=template,
                              request=request)  # fmt: skip
    return redirect("pathways:editor_draft", request.cpts.slug, draft.public_id)


def _render_draft(request, draft, *, form=None, publish_form=None, error="", status=200):
    older = Enrolment.objects.active().filter(
        cpts=request.cpts, template__slug=draft.slug, template__version__lt=draft.version
    ).count()
    return render(request, "pathways/editor_draft.html", {
        "draft": draft, "steps": _steps(draft),
        "form": form or TemplateForm(initial={"name": draft.name,
                                              "description": draft.description}),
        "publish_form": publish_form or PublishForm(), "error": error, "older": older,
    }, status=status)  # fmt: skip


@coordinator_view
@require_http_methods(["GET", "POST"])
def draft_view(request, public_id):
    """The draft with its steps; POST changes its name and description."""
    draft = editor.get_draft(request.cpts, public_id)
    if request.method == "GET":
        return _render_draft(request, draft)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            editor.draft_update(draft=draft, actor=request.user, request=request,
                                **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Nom et description enregistrés.")
            return redirect("pathways:editor_draft", request.cpts.slug, draft.public_id)
    return _render_draft(request, draft, form=form, status=400)


@coordinator_view
@require_http_methods(["GET", "POST"])
def step_view(request, public_id, code=None):
    """Add a step to a draft (no code) or change one."""
    draft = editor.get_draft(request.cpts, public_id)
    step = get_object_or_404(draft.steps.select_related("condition_step"), code=code) \
        if code else None  # fmt: skip
    others = [s for s in draft.steps.all() if step is None or s.pk != step.pk]
    initial = StepForm.initial_for(step) if step else None
    form = StepForm(request.POST or None, steps=others, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = editor.step_save(draft=draft, actor=request.user, data=form.cleaned_data,
                                     step=step, request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Étape « {saved.label} » enregistrée.")
            return redirect("pathways:editor_draft", request.cpts.slug, draft.public_id)
    return render(request, "pathways/editor_step.html", {
        "draft": draft, "step": step, "form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


@coordinator_view
@require_POST
def step_delete_view(request, public_id, code):
    draft = editor.get_draft(request.cpts, public_id)
    step = get_object_or_404(draft.steps, code=code)
    try:
        editor.step_delete(draft=draft, actor=request.user, step=step, request=request)
    except ValidationError as exc:
        return _render_draft(request, draft, error=" ".join(exc.messages), status=400)
    messages.success(request, f"Étape « {step.label} » supprimée.")
    return redirect("pathways:editor_draft", request.cpts.slug, draft.public_id)


@coordinator_view
@require_POST
def publish_view(request, public_id):
    draft = editor.get_draft(request.cpts, public_id)
    form = PublishForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    apply = form.cleaned_data.get("apply_to_existing", False)
    try:
        counts = editor.publish(draft=draft, actor=request.user, apply_to_existing=apply,
                                request=request)  # fmt: skip
    except ValidationError as exc:
        return _render_draft(request, draft, publish_form=form, error=" ".join(exc.messages),
                             status=400)  # fmt: skip
    text = f"Version {draft.version} de « {draft.name} » publiée : les nouvelles inclusions " \
           "l'utilisent."  # fmt: skip
    if apply:
        text += (f" {counts['enrolments']} patient(s) passé(s) à cette version : "
                 f"{counts['tasks_moved']} tâche(s) reprise(s), {counts['tasks_cancelled']} "
                 f"annulée(s), {counts['tasks_created']} créée(s).")  # fmt: skip
    messages.success(request, text)
    return redirect("pathways:editor_template", request.cpts.slug, draft.public_id)


@coordinator_view
@require_POST
def discard_view(request, public_id):
    draft = editor.get_draft(request.cpts, public_id)
    try:
        editor.draft_discard(draft=draft, actor=request.user, request=request)
    except ValidationError as exc:  # published by someone else in the meantime
        messages.error(request, " ".join(exc.messages))
        return redirect("pathways:editor_list", request.cpts.slug)
    messages.success(request, f"Brouillon de « {draft.name} » supprimé.")
    return redirect("pathways:editor_list", request.cpts.slug)
