"""Enrolment, task generation and rollover, results with validation, conditional steps."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.models import Membership
from maillage.patients.access import grant_access

from .models import CareTeamMember, Enrolment, PathwayTemplate, ResultKind, Task, TemplateStep
from .shipped import install

TEAM_GRANT = "équipe de soins d'un parcours"


def install_shipped_templates() -> int:
    return install(PathwayTemplate, TemplateStep)


def templates_for(cpts):
    """The latest version of each template the CPTS may use (shipped or its own)."""
    from django.db.models import Q

    latest = {}
    for template in PathwayTemplate.objects.filter(
        Q(cpts__isnull=True) | Q(cpts=cpts), active=True
    ).order_by("slug", "version"):
        latest[(template.cpts_id, template.slug)] = template
    own = {slug for (cpts_id, slug) in latest if cpts_id is not None}
    return sorted((t for (c, s), t in latest.items() if c is not None or s not in own),
                  key=lambda t: t.name)  # fmt: skip


def _starts_now(step: TemplateStep) -> bool:
    return step.condition_step_id is None


@transaction.atomic
def enrol(*, cpts, patient, template, actor, team: list[tuple], on: datetime.date | None = None,
          request=None) -> Enrolment:  # fmt: skip
    """Enrol a patient: the care team (user, role, is_referent) must have exactly one
    referent, all members of the CPTS; the first tasks are generated at once."""
    on = on or timezone.localdate()
    if patient.cpts_id != cpts.pk:
        raise ValidationError({"patient": "Patient inconnu dans cette CPTS."})
    if not patient.consents.filter(withdrawn_at__isnull=True).exists():
        raise ValidationError({"patient": "Le consentement du patient n'est pas enregistré."})
    referents = [m for m in team if m[2]]
    if len(referents) != 1:
        raise ValidationError({"team": "L'équipe de soins doit avoir un et un seul référent."})
    members = {m.user_id for m in Membership.objects.active().filter(cpts=cpts)}
    for user, _role, _ref in team:
        if user.pk not in members:
            raise ValidationError({"team": f"{user} n'est pas membre de la CPTS."})
    if Enrolment.objects.active().filter(patient=patient, template__slug=template.slug).exists():
        raise ValidationError({"template": "Ce patient suit déjà ce parcours."})
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                cpts=cpts, patient=patient, template=template, enrolled_by=actor, enrolled_on=on
            )
    except IntegrityError as exc:
        raise ValidationError({"template": "Ce patient suit déjà ce parcours."}) from exc
    for user, role, is_referent in team:
        CareTeamMember.objects.create(enrolment=enrolment, user=user, role=role,
                                      is_referent=is_referent)  # fmt: skip
        grant_access(patient=patient, user=user, reason=TEAM_GRANT)
    Task.objects.bulk_create([
        Task(cpts=cpts, enrolment=enrolment, step=step,
             due_date=on + datetime.timedelta(days=step.due_offset_days))
        for step in template.steps.all() if _starts_now(step)
    ])  # fmt: skip
    audit.record(
        action="pathway.enrol",
        actor=actor,
        cpts=cpts,
        obj=enrolment,
        request=request,
        detail={"template": template.slug, "version": template.version},
    )
    return enrolment


def _parse_result(step: TemplateStep, value, confirm_out_of_range: bool):
    """(number, bool) for the step's kind; a plausibility check that asks for confirmation."""
    if step is None or step.result_kind == ResultKind.NONE:
        return None, None
    if step.result_kind == ResultKind.YESNO:
        if value in (True, "true", "oui", "1", 1):
            return None, True
        if value in (False, "false", "non", "0", 0):
            return None, False
        raise ValidationError({"value": "Réponse attendue : oui ou non."})
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": f"Valeur numérique attendue ({step.unit})."}) from exc
    if not number.is_finite():
        raise ValidationError({"value": "Valeur numérique attendue."})
    if step.result_kind == ResultKind.GRADE and number != number.to_integral_value():
        raise ValidationError({"value": "Le grade est un nombre entier."})
    low, high = step.plausible_min, step.plausible_max
    if (low is not None and number < low) or (high is not None and number > high):
        if not confirm_out_of_range:
            raise ValidationError({"value": (
                f"{number} {step.unit} est hors des valeurs plausibles ({low} à {high}) : "
                "vérifiez, puis confirmez si la valeur est juste."
            )}, code="out_of_range")  # fmt: skip
    return number, None


@transaction.atomic
def complete(*, task: Task, actor, value=None, note="", on=None, confirm_out_of_range=False,
             request=None) -> Task:  # fmt: skip
    """Record a task as done (once), schedule the next occurrence of a recurring step, and
    start the conditional steps its result triggers."""
    task = Task.objects.select_for_update().select_related("step", "enrolment").get(pk=task.pk)
    if task.status != Task.Status.DUE:
        raise ValidationError({"task": "Cette tâche est déjà faite."})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": "La date de réalisation est dans le futur."})
    number, boolean = _parse_result(task.step, value, confirm_out_of_range)
    task.status, task.completed_on, task.completed_by = Task.Status.DONE, on, actor
    task.result_number, task.result_bool, task.result_note = number, boolean, note
    task.save()
    created = []
    step = task.step
    if step and step.recurrence_days and task.enrolment.ended_at is None:
        created.append(Task.objects.create(
            cpts=task.cpts, enrolment=task.enrolment, step=task.step, assignee=task.assignee,
            due_date=on + datetime.timedelta(days=task.step.recurrence_days),
        ))  # fmt: skip
    if number is not None and step:
        for dependent in step.dependents.all():
            triggered = dependent.condition_min is not None and number >= dependent.condition_min
            already = Task.objects.filter(enrolment=task.enrolment, step=dependent,
                                          status=Task.Status.DUE).exists()  # fmt: skip
            if triggered and not already:
                created.append(Task.objects.create(
                    cpts=task.cpts, enrolment=task.enrolment, step=dependent,
                    due_date=on + datetime.timedelta(days=dependent.due_offset_days),
                ))  # fmt: skip
    audit.record(
        action="pathway.task_complete",
        actor=actor,
        cpts=task.cpts,
        obj=task,
        request=request,
        detail={"step": step.code if step else "", "value": str(number or boolean or "")},
    )
    return task
