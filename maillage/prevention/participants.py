"""Entering the participants of a screening action: validation, score, duplicate warning,
measures taken after the questionnaire, and the follow-up opened by a positive result.

Participants are anonymous (sex, age, commune): nothing here reads or writes an identity,
and the audit rows name the participant by its public id only.

Area: screening.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit

from . import followup, scoring
from .models import ActionKind, ActionStatus, Participant

AUDIT_LABELS: dict = {
    "actions": {
        "prevention.participant_enter": "Participant saisi à un dépistage",
        "prevention.participant_measure": "Mesure ajoutée à un participant dépisté",
        "prevention.questionnaire_create": "Questionnaire de dépistage créé",
        "prevention.questionnaire_update": "Questionnaire de dépistage modifié",
        "prevention.questionnaire_archive": "Questionnaire de dépistage archivé ou rétabli",
    },
    "objects": {"prevention.Participant": "Participant à un dépistage",
                "prevention.Questionnaire": "Questionnaire de dépistage"},
}

# What identifies a person in the answers of the shipped questionnaires: their body
# (FINDRISC). A questionnaire without body measures uses all its answers.
BODY_MEASURES = ("height_cm", "weight_kg", "waist_cm")


class DuplicateSuspected(Exception):
    """The same person seems already entered at this action: the caller asks to confirm
    (`confirm_duplicate=True`)."""

    def __init__(self, existing):
        super().__init__("participant probablement déjà saisi")
        self.existing = existing


DUPLICATE_MESSAGE = ("Une personne de même sexe, même âge, même commune et mêmes mesures "
                     "est déjà saisie à cette action : vérifiez qu'il ne s'agit pas de la "
                     "même personne.")


def fingerprint(*, sex, age, commune, questionnaire, answers) -> str:
    """A short hash of what describes the person (not their answers to lifestyle
    questions, which a second entry may word differently)."""
    if questionnaire == "findrisc":
        body = [str(_normal(answers.get(k))) for k in BODY_MEASURES]
    else:
        body = json.dumps({k: str(_normal(v)) for k, v in sorted(answers.items())},
                          ensure_ascii=False)
    raw = json.dumps([questionnaire, sex, int(age), commune.code if commune else "", body])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _normal(value):
    """1.80, "1,8" and 1.8 are the same measure."""
    try:
        number = scoring.Decimal(str(value).replace(",", "."))
    except (scoring.InvalidOperation, ValueError):
        return value
    return number.normalize() if number.is_finite() else value


def _check_action(action):
    if action.kind != ActionKind.SCREENING:
        raise ValidationError({"action": "Cette action n'est pas une journée de dépistage : "
                                         "on n'y saisit pas de participants."})
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError({"action": "Cette action est annulée : on n'y saisit plus de "
                                         "participants."})


def _stored_answers(questionnaire, answers):
    """The answers as stored: JSON values, numbers as strings (exact decimals)."""
    if not isinstance(answers, dict):
        return {}
    return {str(k)[:60]: (v if isinstance(v, (bool, int)) or v is None else str(v)[:200])
            for k, v in list(answers.items())[:60]}


def _apply(participant, result):
    participant.score = result.score
    participant.risk = result.risk
    participant.next_step = result.next_step
    participant.positive = result.positive


def result_of(participant) -> scoring.Result:
    """The current result of a stored participant (its questionnaire and measures)."""
    return scoring.decide(participant.questionnaire, participant.answers or {},
                          participant.measures or [], sex=participant.sex, age=participant.age,
                          cpts=participant.cpts)  # fmt: skip


@transaction.atomic
def enter(*, action, actor, sex, age, commune, questionnaire, answers,
          confirm_duplicate=False, request=None):  # fmt: skip
    """Record one participant and return it (score, risk, next step and positive set).
    Raises ValidationError with field errors, or DuplicateSuspected."""
    _check_action(action)
    errors = {}
    if sex not in ("F", "M"):
        errors["sex"] = ["Indiquez le sexe : F (femme) ou M (homme)."]
    codes = dict(scoring.choices(action.cpts))
    if questionnaire not in codes:
        errors["questionnaire"] = ["Questionnaire inconnu de cette CPTS."]
    try:
        clean_age = scoring.parse_age(age)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_age = None
    if not errors:
        try:
            result = scoring.score(questionnaire, answers, sex=sex, age=clean_age,
                                   cpts=action.cpts)  # fmt: skip
        except ValidationError as exc:
            errors.update(exc.message_dict)
    else:
        # Still check the answers, so every mistake is shown at once.
        try:
            if questionnaire in codes:
                scoring.score(questionnaire, answers, sex=sex if sex in ("F", "M") else "F",
                              age=clean_age if clean_age is not None else 50, cpts=action.cpts)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)
    stored = _stored_answers(questionnaire, answers)
    print_ = fingerprint(sex=sex, age=clean_age, commune=commune, questionnaire=questionnaire,
                         answers=stored)
    existing = Participant.objects.filter(action=action, fingerprint=print_).first()
    if existing is not None and not confirm_duplicate:
        raise DuplicateSuspected(existing)
    participant = Participant(
        cpts=action.cpts, action=action, sex=sex, age=clean_age, commune=commune,
        questionnaire=questionnaire, answers=stored, measures=[], fingerprint=print_,
        duplicate_confirmed=existing is not None, entered_by=actor)  # fmt: skip
    _apply(participant, result)
    participant.save()
    audit.record(action="prevention.participant_enter", actor=actor, cpts=action.cpts,
                 obj=participant, request=request, detail={
                     "action": str(action.public_id), "questionnaire": questionnaire,
                     "score": result.score, "risk": result.risk,
                     "next_step": result.next_step,
                     "duplicate_confirmed": participant.duplicate_confirmed})  # fmt: skip
    if participant.positive:
        followup.open_for(participant=participant, actor=actor, request=request)
    return participant


MEASURE_KINDS = ("glucose", "bp")


@transaction.atomic
def add_measure(*, participant, actor, kind, value, fasting=None, request=None):
    """Add a measure taken after the questionnaire (capillary glucose in g/L, a repeated
    blood pressure as (systolic, diastolic)) and re-decide the next step; opens the
    follow-up when it turns positive."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _check_action(participant.action)
    if kind == "glucose":
        level, fasting = scoring.clean_glucose(value, fasting)
        measure = {"kind": "glucose", "value": str(level), "fasting": fasting}
    elif kind == "bp":
        systolic, diastolic = value if isinstance(value, (tuple, list)) and len(value) == 2 \
            else (None, None)
        systolic, diastolic = scoring.clean_bp(systolic, diastolic)
        measure = {"kind": "bp", "systolic": systolic, "diastolic": diastolic}
    else:
        raise ValidationError({"kind": "Mesure inconnue : glucose ou bp."})
    measure["at"] = timezone.now().isoformat()
    participant.measures = [*(participant.measures or []), measure]
    result = result_of(participant)
    _apply(participant, result)
    participant.save(update_fields=["measures", "score", "risk", "next_step", "positive"])
    audit.record(action="prevention.participant_measure", actor=actor, cpts=participant.cpts,
                 obj=participant, request=request, detail={
                     "kind": kind, "risk": result.risk, "next_step": result.next_step})
    if participant.positive:
        followup.open_for(participant=participant, actor=actor, request=request)
    return participant


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
