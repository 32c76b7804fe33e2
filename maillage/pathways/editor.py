"""The template editor: a coordinator's drafts of pathway templates, their steps, and
publication (optionally migrating the CPTS's live enrolments to the new version).

Published versions are never edited in place: "Modifier" copies a published template into
the CPTS's draft (one per slug), and publishing that draft makes a new version. Enrolments
keep the version they were made with unless the coordinator asks for the migration.
"""

import datetime
from collections.abc import Hashable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.text import slugify

from maillage.core import audit
from maillage.core.access import get_by_public_id
from maillage.directory.models import PROFESSIONS

from .models import Enrolment, PathwayTemplate, ResultKind, Task, TemplateStep, decimal_fr
from .services import default_assignee, professions_of, templates_for

NUMERIC_KINDS = (ResultKind.NUMBER, ResultKind.GRADE)
STEP_FIELDS = ("code", "label", "profession_code", "due_offset_days", "recurrence_days",
               "result_kind", "unit", "plausible_min", "plausible_max", "condition_min",
               "position")  # fmt: skip


# Scope ---------------------------------------------------------------------------------


def templates_visible_to(cpts):
    """Every template row a CPTS may read: the shipped ones and its own (drafts included)."""
    return PathwayTemplate.objects.filter(Q(cpts__isnull=True) | Q(cpts=cpts))


def get_published(cpts, public_id) -> PathwayTemplate:
    return get_by_public_id(templates_visible_to(cpts).filter(is_draft=False), public_id)


def get_draft(cpts, public_id) -> PathwayTemplate:
    """The CPTS's own draft, or 404 (a published version or another CPTS's draft alike)."""
    return get_by_public_id(PathwayTemplate.objects.filter(cpts=cpts, is_draft=True), public_id)


def template_rows(cpts) -> list[dict]:
    """The editor's list: the latest published version of each slug the CPTS may use, every
    published version number of that slug, the CPTS's draft if any and its live
    enrolments; then the drafts of brand-new templates never published."""
    rows = templates_visible_to(cpts).values_list("slug", "version", "is_draft")
    versions: dict[str, list[int]] = {}
    for slug, version, is_draft in rows:
        if not is_draft:
            versions.setdefault(slug, []).append(version)
    drafts = {d.slug: d for d in PathwayTemplate.objects.filter(cpts=cpts, is_draft=True)}
    enrolled = dict(
        Enrolment.objects.active().filter(cpts=cpts).values("template__slug")
        .annotate(n=Count("pk")).values_list("template__slug", "n")
    )  # fmt: skip
    result = [
        {"template": t, "versions": sorted(set(versions.get(t.slug, []))),
         "draft": drafts.pop(t.slug, None), "enrolled": enrolled.get(t.slug, 0)}
        for t in templates_for(cpts)
    ]  # fmt: skip
    result += [
        {"template": None, "versions": [], "draft": d, "enrolled": 0}
        for d in sorted(drafts.values(), key=lambda d: d.name)
    ]
    return result


# Drafts --------------------------------------------------------------------------------


def _unique_slug(base: str, taken: set[str], max_length: int) -> str:
    candidate, n = base[:max_length], 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = base[: max_length - len(suffix)] + suffix, n + 1
    return candidate


@transaction.atomic
def template_create(*, cpts, actor, name: str, description: str = "",
                    request=None) -> PathwayTemplate:  # fmt: skip
    """A brand-new template of the CPTS, as a draft (version 1). Its slug comes from the name
    and collides neither with the CPTS's slugs nor with a shipped one."""
    name = (name or "").strip()
    base = slugify(name)
    if not name:
        raise ValidationError({"name": "Indiquez le nom du parcours."})
    if not base:
        raise ValidationError({"name": "Le nom doit contenir des lettres ou des chiffres."})
    taken = set(templates_visible_to(cpts).values_list("slug", flat=True))
    slug = _unique_slug(base, taken, PathwayTemplate._meta.get_field("slug").max_length)
    template = PathwayTemplate(cpts=cpts, slug=slug, name=name, description=description.strip(),
                               version=1, is_draft=True, created_by=actor)  # fmt: skip
    template.full_clean()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:  # another coordinator took the slug at the same moment
        raise ValidationError({"name": "Ce nom vient d'être pris : réessayez."}) from exc
    audit.record(action="pathway.template_create", actor=actor, cpts=cpts, obj=template,
                 request=request, detail={"slug": slug})  # fmt: skip
    return template


def _next_version(cpts, slug: str) -> int:
    current = templates_visible_to(cpts).filter(slug=slug).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def _copy_steps(source: PathwayTemplate, target: PathwayTemplate) -> None:
    steps = list(source.steps.all())
    copies = {}
    for step in steps:
        copies[step.pk] = TemplateStep.objects.create(
            template=target, **{f: getattr(step, f) for f in STEP_FIELDS}
        )
    for step in steps:
        if step.condition_step_id:
            copy = copies[step.pk]
            copy.condition_step = copies[step.condition_step_id]
            copy.save(update_fields=["condition_step"])


@transaction.atomic
def draft_open(*, cpts, actor, template: PathwayTemplate, request=None) -> PathwayTemplate:
    """The CPTS's draft of `template`'s slug: the existing one, or a new copy of the
    published `template` (steps and conditions included) numbered after every version of
    that slug the CPTS can see."""
    if template.is_draft or (template.cpts_id is not None and template.cpts_id != cpts.pk):
        raise ValidationError("Seule une version publiée de vos modèles peut être modifiée.")
    existing = PathwayTemplate.objects.filter(cpts=cpts, slug=template.slug, is_draft=True)
    if draft := existing.first():
        return draft
    draft = PathwayTemplate(
        cpts=cpts, slug=template.slug, name=template.name, description=template.description,
        version=_next_version(cpts, template.slug), active=template.active, is_draft=True,
        based_on=template, created_by=actor,
    )  # fmt: skip
    try:
        with transaction.atomic():
            draft.save()
            _copy_steps(template, draft)
    except IntegrityError:
        # Another coordinator opened the same draft at the same moment: share it.
        if draft := existing.first():
            return draft
        raise
    audit.record(action="pathway.template_draft", actor=actor, cpts=cpts, obj=draft,
                 request=request,
                 detail={"slug": draft.slug, "version": draft.version,
                         "based_on": template.version})  # fmt: skip
    return draft


@transaction.atomic
def draft_update(*, draft: PathwayTemplate, actor, name: str, description: str = "",
                 request=None) -> PathwayTemplate:  # fmt: skip
    draft = _locked_draft(draft)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Indiquez le nom du parcours."})
    draft.name, draft.description = name, (description or "").strip()
    draft.full_clean()
    draft.save(update_fields=["name", "description"])
    audit.record(action="pathway.template_update", actor=actor, cpts=draft.cpts, obj=draft,
                 request=request, detail={"slug": draft.slug, "version": draft.version})
    return draft


@transaction.atomic
def draft_discard(*, draft: PathwayTemplate, actor, request=None) -> None:
    draft = _locked_draft(draft)
    audit.record(action="pathway.template_discard", actor=actor, cpts=draft.cpts, obj=draft,
                 request=request, detail={"slug": draft.slug, "version": draft.version})
    # Conditions point inside the draft: drop them first so no step outlives its condition.
    draft.steps.update(condition_step=None)
    draft.steps.all().delete()
    draft.delete()


def _locked_draft(draft: PathwayTemplate) -> PathwayTemplate:
    """The draft row locked for the rest of the transaction; refused once published."""
    locked = PathwayTemplate.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None or not locked.is_draft:
        raise ValidationError("Ce brouillon a déjà été publié ou supprimé.")
    return locked


# Conditions ----------------------------------------------------------------------------


def find_cycle(parents: Mapping[Hashable, Hashable | None]) -> list | None:
    """A cycle of the condition graph, or None. Each step has at most one condition step
    (`parents[step]`), so following the chain from every step finds every cycle. The
    cycle is returned in dependency order: [a, b, c] means a depends on b, b on c, c on a."""
    finished: set = set()
    for start in parents:
        path: list = []
        on_path: dict = {}
        node = start
        while node is not None and node not in finished:
            if node in on_path:
                return path[on_path[node]:]
            on_path[node] = len(path)
            path.append(node)
            node = parents.get(node)
        finished.update(path)
    return None


def _quoted(labels) -> str:
    """« A » dépend de « B », qui dépend de « A »."""
    first, second, *rest = (f"« {label} »" for label in labels)
    return ", qui dépend de ".join([f"{first} dépend de {second}", *rest])


# Steps ---------------------------------------------------------------------------------


def _step_code(label: str, taken: set[str]) -> str:
    base = slugify(label) or "etape"
    return _unique_slug(base, taken, TemplateStep._meta.get_field("code").max_length)


def _validate_step(draft, step: TemplateStep, others: list[TemplateStep]) -> None:
    """Every rule of a step, all errors at once (keyed by the form's field names)."""
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if not step.label.strip():
        error("label", "Indiquez l'intitulé de l'étape.")
    if step.profession_code and step.profession_code not in PROFESSIONS:
        error("profession_code", "Choisissez une profession dans la liste.")
    if step.recurrence_days is not None and step.recurrence_days < 1:
        error("recurrence_days", "La récurrence est d'au moins un jour (laissez vide pour une "
              "étape unique).")  # fmt: skip
    kind = step.result_kind
    if kind not in ResultKind.values:
        error("result_kind", "Choisissez un type de résultat dans la liste.")
    low, high = step.plausible_min, step.plausible_max
    if kind in NUMERIC_KINDS:
        if kind == ResultKind.NUMBER and not step.unit.strip():
            error("unit", "Indiquez l'unité du résultat (ex. : %, g/L, kg).")
        if low is not None and high is not None and low > high:
            error("plausible_max", f"Le maximum ({high}) est inférieur au minimum ({low}).")
        if kind == ResultKind.GRADE:
            for field, value in (("plausible_min", low), ("plausible_max", high)):
                if value is not None and value != value.to_integral_value():
                    error(field, "Un grade est un nombre entier.")
    else:
        step.unit, step.plausible_min, step.plausible_max = "", None, None

    condition = step.condition_step
    if condition is None:
        if step.condition_min is not None:
            error("condition_step", "Choisissez l'étape dont le résultat déclenche celle-ci.")
        step.condition_min = None
    else:
        if condition.template_id != draft.pk:
            error("condition_step", "Choisissez une étape de ce parcours.")
        elif step.pk is not None and condition.pk == step.pk:
            error("condition_step", "Une étape ne peut pas dépendre de son propre résultat.")
        elif condition.result_kind not in NUMERIC_KINDS:
            error("condition_step", f"« {condition.label} » n'a pas de résultat numérique ni de "
                  "grade : elle ne peut pas déclencher une autre étape.")  # fmt: skip
        if step.condition_min is None:
            error("condition_min", f"Indiquez la valeur du résultat de « {condition.label} » "
                  "à partir de laquelle l'étape démarre.")  # fmt: skip
    if step.pk is not None and kind not in NUMERIC_KINDS:
        dependents = [s.label for s in others if s.condition_step_id == step.pk]
        if dependents:
            error("result_kind", "Cette étape déclenche " + ", ".join(
                f"« {label} »" for label in dependents) +
                " : gardez un résultat numérique ou un grade, ou retirez d'abord ces "
                "conditions.")  # fmt: skip
    if "condition_step" not in errors and step.pk is not None and condition is not None:
        parents = {s.pk: s.condition_step_id for s in others}
        parents[step.pk] = condition.pk
        cycle = find_cycle(parents)
        if cycle:
            labels = {s.pk: s.label for s in others} | {step.pk: step.label}
            # Start the story with the step being edited.
            if step.pk in cycle:
                at = cycle.index(step.pk)
                cycle = cycle[at:] + cycle[:at]
            error("condition_step", "Ces conditions formeraient un cycle : "
                  + _quoted(labels[pk] for pk in [*cycle, cycle[0]]) + ".")  # fmt: skip
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def step_save(*, draft: PathwayTemplate, actor, data: dict, step: TemplateStep | None = None,
              request=None) -> TemplateStep:  # fmt: skip
    """Create (step=None) or change a step of a draft. `data` holds the step's fields,
    `condition_step` being a step of the same draft or None. The code of a new step comes
    from its label and never changes afterwards: publication matches steps by code."""
    draft = _locked_draft(draft)
    others = list(draft.steps.all())
    if step is None:
        step = TemplateStep(template=draft, position=max((s.position for s in others),
                                                         default=-1) + 1)  # fmt: skip
    elif step.template_id != draft.pk:
        raise ValidationError("Cette étape n'appartient pas à ce brouillon.")
    else:
        others = [s for s in others if s.pk != step.pk]
    step.label = (data.get("label") or "").strip()
    step.profession_code = data.get("profession_code") or ""
    step.due_offset_days = data.get("due_offset_days") or 0
    step.recurrence_days = data.get("recurrence_days")
    step.result_kind = data.get("result_kind") or ResultKind.NONE
    step.unit = (data.get("unit") or "").strip()
    step.plausible_min = data.get("plausible_min")
    step.plausible_max = data.get("plausible_max")
    step.condition_step = data.get("condition_step")
    step.condition_min = data.get("condition_min")
    _validate_step(draft, step, others)
    if not step.code:
        step.code = _step_code(step.label, {s.code for s in others})
    step.full_clean(exclude=["template", "condition_step"])
    step.save()
    audit.record(action="pathway.template_step", actor=actor, cpts=draft.cpts, obj=draft,
                 request=request, detail={"step": step.code})  # fmt: skip
    return step


@transaction.atomic
def step_delete(*, draft: PathwayTemplate, actor, step: TemplateStep, request=None) -> None:
    draft = _locked_draft(draft)
    if step.template_id != draft.pk:
        raise ValidationError("Cette étape n'appartient pas à ce brouillon.")
    dependents = list(step.dependents.values_list("label", flat=True))
    if dependents:
        raise ValidationError(
            f"« {step.label} » déclenche " + ", ".join(f"« {d} »" for d in dependents)
            + " : retirez d'abord ces conditions ou supprimez ces étapes."
        )  # fmt: skip
    audit.record(action="pathway.template_step_delete", actor=actor, cpts=draft.cpts,
                 obj=draft, request=request, detail={"step": step.code})  # fmt: skip
    step.delete()


# Publication ---------------------------------------------------------------------------


def _migrate_enrolments(new: PathwayTemplate, today: datetime.date) -> dict[str, int]:
    """Move the CPTS's live enrolments on older versions of the slug to `new`: open tasks
    follow their step (by code) or are cancelled when the step is gone; steps new in this
    version start (not conditional ones: their trigger lies in the past). Done and
    cancelled tasks keep their old step: the history stays as it was recorded."""
    counts = {"enrolments": 0, "tasks_moved": 0, "tasks_cancelled": 0, "tasks_created": 0}
    new_steps = {s.code: s for s in new.steps.all()}
    enrolments = list(
        Enrolment.objects.active().select_for_update(of=("self",))
        .filter(cpts=new.cpts, template__slug=new.slug, template__version__lt=new.version)
        .exclude(template=new)
    )  # fmt: skip
    by_template: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_template.setdefault(enrolment.template_id, []).append(enrolment)
    for template_id, group in by_template.items():
        old_steps = list(TemplateStep.objects.filter(template_id=template_id))
        old_codes = {s.code for s in old_steps}
        open_tasks = Task.objects.filter(enrolment__in=group, status=Task.Status.DUE)
        for old in old_steps:
            if old.code in new_steps:
                counts["tasks_moved"] += open_tasks.filter(step=old).update(
                    step=new_steps[old.code])
            else:
                counts["tasks_cancelled"] += open_tasks.filter(step=old).update(
                    status=Task.Status.CANCELLED)
        starting = [s for code, s in new_steps.items()
                    if code not in old_codes and s.condition_step_id is None]  # fmt: skip
        if not starting:
            continue
        prefetch_related_objects(group, "team")
        professions = professions_of(new.cpts, {m.user_id for e in group for m in e.team.all()})
        created = Task.objects.bulk_create([
            Task(cpts=new.cpts, enrolment=enrolment, step=step,
                 assignee_id=default_assignee(enrolment, step.profession_code, professions),
                 due_date=max(enrolment.enrolled_on
                              + datetime.timedelta(days=step.due_offset_days), today))
            for enrolment in group for step in starting
        ])  # fmt: skip
        counts["tasks_created"] += len(created)
    counts["enrolments"] = Enrolment.objects.filter(
        pk__in=[e.pk for e in enrolments]).update(template=new)  # fmt: skip
    return counts


@transaction.atomic
def publish(*, draft: PathwayTemplate, actor, apply_to_existing: bool = False,
            request=None) -> dict[str, int]:  # fmt: skip
    """Publish the draft: new enrolments use it from now on. With `apply_to_existing`,
    the CPTS's live enrolments on older versions move to it (see _migrate_enrolments), all
    or nothing. Returns the counts shown to the coordinator and kept in the audit."""
    given, draft = draft, _locked_draft(draft)
    steps = list(draft.steps.all())
    if not steps:
        raise ValidationError("Ajoutez au moins une étape avant de publier ce parcours.")
    cycle = find_cycle({s.pk: s.condition_step_id for s in steps})
    if cycle:  # cannot happen through step_save; a last guard before enrolments use it
        labels = {s.pk: s.label for s in steps}
        raise ValidationError("Ces conditions forment un cycle : "
                              + _quoted(labels[pk] for pk in [*cycle, cycle[0]]) + ".")
    draft.is_draft, draft.published_at = False, timezone.now()
    draft.save(update_fields=["is_draft", "published_at"])
    given.is_draft, given.published_at = draft.is_draft, draft.published_at
    counts = {"enrolments": 0, "tasks_moved": 0, "tasks_cancelled": 0, "tasks_created": 0}
    if apply_to_existing:
        counts = _migrate_enrolments(draft, timezone.localdate())
    audit.record(action="pathway.template_publish", actor=actor, cpts=draft.cpts, obj=draft,
                 request=request,
                 detail={"slug": draft.slug, "version": draft.version,
                         "applied_to_existing": apply_to_existing, **counts})  # fmt: skip
    return counts


def condition_text(step: TemplateStep) -> str:
    """« si le résultat de « Examen des pieds » ≥ 1 », for the editor's pages."""
    if step.condition_step_id is None:
        return ""
    value = "…" if step.condition_min is None else decimal_fr(step.condition_min)
    return f"si le résultat de « {step.condition_step.label} » ≥ {value}"
