"""Enrolment, task generation and rollover, results with validation, conditional steps."""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Membership
from maillage.patients.access import grant_access

from .models import (
    ALERTING_KINDS,
    CareTeamMember,
    CoordinationNote,
    Enrolment,
    NoteKind,
    PathwayTemplate,
    ResultKind,
    Task,
    TemplateStep,
    decimal_fr,
)
from .numbers import parse_typed_decimal, possible_bounds
from .shipped import install

logger = logging.getLogger(__name__)
TEAM_GRANT = "équipe de soins d'un parcours"
RESULT_LIMIT = Decimal(10) ** 8
NOTE_MAX = 300
# The same note or event posted twice within this delay is a double submission.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def install_shipped_templates() -> int:
    return install(PathwayTemplate, TemplateStep)


def templates_for(cpts):
    """The latest published version of each template the CPTS may use (shipped or its own);
    drafts being edited in the template editor are never offered."""
    from django.db.models import Q

    latest = {}
    for template in PathwayTemplate.objects.filter(
        Q(cpts__isnull=True) | Q(cpts=cpts), active=True, is_draft=False
    ).order_by("slug", "version"):
        latest[(template.cpts_id, template.slug)] = template
    own = {slug for (cpts_id, slug) in latest if cpts_id is not None}
    return sorted((t for (c, s), t in latest.items() if c is not None or s not in own),
                  key=lambda t: t.name)  # fmt: skip


def _starts_now(step: TemplateStep) -> bool:
    return step.condition_step_id is None


def professions_of(cpts, user_ids) -> dict[int, str]:
    """The profession code of each user, from the directory entry their account is linked to
    in this CPTS."""
    from maillage.directory.models import DirectoryEntry

    rows = DirectoryEntry.objects.filter(cpts=cpts, account_id__in=list(user_ids)).values_list(
        "account_id", "professional__profession_code"
    )
    return {account_id: code for account_id, code in rows if code}


def attending_gp_choices(cpts, current=None) -> list:
    """The members who can be a patient's médecin traitant: active professional members
    whose account is linked to a general practitioner's directory entry (the patient's
    current one kept, so the form still shows it)."""
    from maillage.directory.pickers import general_practitioners

    members = general_practitioners(cpts).select_related("user").order_by(
        "user__last_name", "user__first_name")  # fmt: skip
    members = list(members)
    if current is not None and all(m.user_id != current.pk for m in members):
        kept = Membership.objects.filter(cpts=cpts, user=current).select_related("user").first()
        if kept is not None:
            members.append(kept)
    return members


def unlinked_members(enrolment, team) -> list:
    """The team members whose account is linked to no directory entry: a task of their
    profession cannot find them, and goes to the référent instead."""
    professions = professions_of(enrolment.cpts, [m.user_id for m in team])
    return [m for m in team if m.user_id not in professions]


def default_assignee(enrolment: Enrolment, profession_code: str, professions=None):
    """Who a new task goes to: the team member of the step's profession (the référent first
    if they are of it), otherwise the référent, who passes it on."""
    members = list(enrolment.team.all())
    if professions is None:
        professions = professions_of(enrolment.cpts, [m.user_id for m in members])
    members.sort(key=lambda m: (not m.is_referent, m.pk))
    for member in members:
        if profession_code and professions.get(member.user_id) == profession_code:
            return member.user_id
    return next((m.user_id for m in members if m.is_referent), None)


def proposed_team(cpts, patient):
    """The members to propose for a care team, the patient's médecin traitant first (as
    référent) when they are an active member of the CPTS."""
    members = list(
        Membership.objects.active()
        .filter(cpts=cpts)
        .with_permission(permissions.see_patients)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    gp_id = patient.attending_gp_id if patient else None
    members.sort(key=lambda m: m.user_id != gp_id)
    return members, gp_id if any(m.user_id == gp_id for m in members) else None


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
    professions = professions_of(cpts, [user.pk for user, _role, _ref in team])
    Task.objects.bulk_create([
        Task(cpts=cpts, enrolment=enrolment, step=step,
             assignee_id=default_assignee(enrolment, step.profession_code, professions),
             due_date=on + datetime.timedelta(days=step.due_offset_days))
        for step in template.steps.all() if _starts_now(step)
    ])  # fmt: skip
    audit.record(
        action="pathway.enrol",
        actor=actor,
        cpts=cpts,
        obj=enrolment,
        patient=patient,
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
    number = value if isinstance(value, int | Decimal) and not isinstance(value, bool) \
        else parse_typed_decimal(value)  # fmt: skip
    if number is None or not Decimal(number).is_finite():
        raise ValidationError({"value": (
            f"Valeur numérique attendue ({step.unit}), écrite en chiffres comme 7,5 ou 7.5 "
            "(sans exposant)." if step.unit else
            "Valeur numérique attendue, écrite en chiffres comme 7,5 ou 7.5 (sans exposant)."
        )})  # fmt: skip
    number = Decimal(number)
    if step.result_kind == ResultKind.GRADE and number != number.to_integral_value():
        raise ValidationError({"value": "Le grade est un nombre entier."})
    # Task.result_number holds 10 digits, 2 after the point: refuse what it cannot store
    # (a typo would otherwise fail in the database, even once confirmed).
    if abs(number) >= RESULT_LIMIT:
        raise ValidationError({"value": "Valeur trop grande : vérifiez la saisie."})
    number = number.quantize(Decimal("0.01"))
    low, high = step.plausible_min, step.plausible_max
    hard_low, hard_high = possible_bounds(step.unit, low, high,
                                          grade=step.result_kind == ResultKind.GRADE)
    if (hard_low is not None and number < hard_low) or (
            hard_high is not None and number > hard_high):
        # Confirming does not help: no patient has this value, it is a slip.
        raise ValidationError({"value": (
            f"{decimal_fr(number)} {step.unit} n'est pas une valeur possible "
            f"({decimal_fr(hard_low) if hard_low is not None else '…'} à "
            f"{decimal_fr(hard_high) if hard_high is not None else '…'}) : corrigez la saisie."
        )}, code="impossible")  # fmt: skip
    if (low is not None and number < low) or (high is not None and number > high):
        if not confirm_out_of_range:
            raise ValidationError({"value": (
                f"{decimal_fr(number)} {step.unit} est hors des valeurs plausibles "
                f"({decimal_fr(low) if low is not None else '…'} à "
                f"{decimal_fr(high) if high is not None else '…'}) : "
                "vérifiez, puis confirmez si la valeur est juste."
            )}, code="out_of_range")  # fmt: skip
    return number, None


@transaction.atomic
def complete(*, task: Task, actor, value=None, note="", on=None, confirm_out_of_range=False,
             request=None) -> Task:  # fmt: skip
    """Record a task as done (once), schedule the next occurrence of a recurring step, and
    start the conditional steps its result triggers."""
    # The step is on the nullable side of the join: lock the task row only.
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("step", "enrolment")
        .get(pk=task.pk)
    )
    if task.status != Task.Status.DUE:
        raise ValidationError({"task": "Cette tâche est déjà faite."})
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": "La date de réalisation est dans le futur."})
    number, boolean = _parse_result(task.step, value, confirm_out_of_range)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Le commentaire est limité à {NOTE_MAX} caractères."})
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
                    assignee_id=default_assignee(task.enrolment, dependent.profession_code),
                    due_date=on + datetime.timedelta(days=dependent.due_offset_days),
                ))  # fmt: skip
    audit.record(
        action="pathway.task_complete",
        actor=actor,
        cpts=task.cpts,
        obj=task,
        patient=task.enrolment.patient,
        request=request,
        detail={"step": step.code if step else "", "value": str(number or boolean or "")},
    )
    return task


def can_reassign(membership, enrolment) -> bool:
    """Coordinators, and the référent of the care team, hand tasks over."""
    if permissions.coordinate_pathways(membership):
        return True
    return enrolment.team.filter(user=membership.user, is_referent=True).exists()


@transaction.atomic
def reassign(*, task: Task, assignee, actor, request=None) -> Task:
    """Give an open task to another member of the patient's care team."""
    task = Task.objects.select_for_update().select_related("enrolment").get(pk=task.pk)
    if task.status != Task.Status.DUE:
        raise ValidationError({"task": "Cette tâche n'est plus à faire."})
    if assignee is None or not task.enrolment.team.filter(user=assignee).exists():
        raise ValidationError({"assignee": "Choisissez un membre de l'équipe de soins du patient."})
    previous = task.assignee.email if task.assignee_id else None
    task.assignee = assignee
    task.save(update_fields=["assignee"])
    audit.record(
        action="pathway.task_reassign",
        actor=actor,
        cpts=task.cpts,
        obj=task,
        patient=task.enrolment.patient,
        request=request,
        detail={"from": previous, "to": assignee.email},
    )
    return task


@transaction.atomic
def add_note(*, enrolment: Enrolment, author, text: str, kind: str = NoteKind.NOTE,
             request=None) -> CoordinationNote:  # fmt: skip
    """A note for the care team. An event (hospitalised, back home…) also alerts every other
    member by e-mail; the e-mail carries no patient data, only a link."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Écrivez la note."})
    if len(text) > 4000:
        raise ValidationError({"text": "La note dépasse 4 000 caractères."})
    if kind not in NoteKind.values:
        raise ValidationError({"kind": "Type de note inconnu."})
    if enrolment.ended_at is not None:
        raise ValidationError({"text": "Ce parcours est terminé."})
    # Serialise the notes of one enrolment so that a double click cannot slip in twice.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    if CoordinationNote.objects.filter(
        enrolment=enrolment, author=author, kind=kind, text=text,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists():  # fmt: skip
        raise ValidationError({"text": "Cette note vient déjà d'être enregistrée."})
    note = CoordinationNote.objects.create(
        cpts=enrolment.cpts, enrolment=enrolment, author=author, kind=kind, text=text
    )
    audit.record(
        action="pathway.note_add",
        actor=author,
        cpts=enrolment.cpts,
        obj=note,
        patient=enrolment.patient,
        request=request,
        detail={"enrolment": str(enrolment.public_id), "kind": kind},
    )
    if kind in ALERTING_KINDS:
        recipients = [
            member.user
            for member in enrolment.team.select_related("user").exclude(user=author)
            if member.user.is_active
        ]
        if recipients:
            note.alert_sent = _send_event_alert(note, recipients, request)
    return note


def _send_event_alert(note, recipients, request):
    """Tell the care team (in the app and by e-mail, as each one chose), queued for the
    workers after the commit: a mail server down never loses the note. Returns True
    once the messages are written."""
    from django.conf import settings
    from django.urls import reverse

    from maillage.notifications.services import notify

    path = reverse("pathways:enrolment", args=[note.cpts.slug, note.enrolment.public_id])
    link = request.build_absolute_uri(path) if request else f"{settings.SITE_URL}{path}"
    notify(
        cpts=note.cpts, recipients=recipients, kind="pathways.event_alert", link=link,
        sender=note.author, ref=f"pathway_note:{note.public_id}",
        subject=f"[{note.cpts.name}] {note.get_kind_display()} : un patient de votre équipe",
        body=(
            f"{note.get_kind_display()} signalé(e) pour un patient dont vous faites partie de "
            f"l'équipe de soins (parcours « {note.enrolment.template.name} »).\n\n"
            f"Consultez le dossier sur Maillage : {link}\n\n"
            "Ce message ne contient aucune donnée de santé ; connectez-vous pour lire la note."
        ),
    )  # fmt: skip
    return True


@transaction.atomic
def end_enrolment(*, enrolment: Enrolment, actor, reason: str, request=None) -> Enrolment:
    """End a pathway (goal reached, moved away, deceased, refused…): its open tasks are
    cancelled so that nobody is reminded of them; the history stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez pourquoi le parcours se termine."})
    if len(reason) > 200:
        raise ValidationError({"reason": "Le motif est limité à 200 caractères."})
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if locked.ended_at is not None:
        raise ValidationError({"reason": "Ce parcours est déjà terminé."})
    locked.ended_at, locked.end_reason = timezone.now(), reason
    locked.save(update_fields=["ended_at", "end_reason"])
    cancelled = Task.objects.filter(enrolment=locked, status=Task.Status.DUE).update(
        status=Task.Status.CANCELLED
    )
    audit.record(
        action="pathway.end",
        actor=actor,
        cpts=locked.cpts,
        obj=locked,
        patient=locked.patient,
        request=request,
        detail={"reason": reason, "cancelled_tasks": cancelled},
    )
    return locked
