"""Screening questionnaires and their scoring: FINDRISC (exactly as in
domain/prevention.md), blood pressure, capillary glucose, and the questionnaires a
coordinator defines as data. Pure functions: no database.

Area: screening.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models


class NextStep(models.TextChoices):
    NONE = "none", "Pas de suite particulière"
    ADVICE = "advice", "Conseils de prévention"
    GLUCOSE = "glucose", "Glycémie capillaire à faire"
    REPEAT = "repeat", "Mesure à répéter"
    REFER = "refer", "À adresser au médecin traitant"
    URGENT = "urgent", "À adresser au médecin dans la journée"


# The next steps that make a screening positive (a follow-up is opened).
POSITIVE_STEPS = frozenset({NextStep.REFER, NextStep.URGENT})


@dataclass(frozen=True)
class Result:
    score: int | None
    risk: str  # code of the band ("low", "slight", "moderate", "high", "very_high", ...)
    risk_label: str
    next_step: str  # a NextStep value
    details: dict = field(default_factory=dict)  # points per item, averages...

    @property
    def next_step_label(self) -> str:
        return NextStep(self.next_step).label

    @property
    def positive(self) -> bool:
        return self.next_step in POSITIVE_STEPS


# The questionnaires shipped as code; a CPTS adds its own as data (models.Questionnaire).
SHIPPED = {
    "findrisc": "FINDRISC (risque de diabète de type 2)",
    "tension": "Tension artérielle (mesures répétées)",
    "glycemie": "Glycémie capillaire",
}


def choices(cpts) -> list[tuple[str, str]]:
    """(code, label) of the questionnaires a CPTS may use: the shipped ones, then its own."""
    from .models import Questionnaire

    own = Questionnaire.objects.for_cpts(cpts).filter(archived_at__isnull=True)
    return [*SHIPPED.items(), *own.values_list("code", "label")]


# Thresholds ----------------------------------------------------------------------------
# domain/prevention.md: every threshold is configuration with these defaults. They live
# here, in one place, and every function takes them as a keyword so a CPTS's own values
# can be passed without touching the code.

FINDRISC_DEFAULTS = {
    # (lowest value of the band, points): a value takes the points of the last band whose
    # lower bound it reaches.
    "age": ((0, 0), (45, 2), (55, 3), (65, 4)),
    # BMI and waist are continuous: "25-30: 1 · > 30: 3" means 30.0 still scores 1.
    "bmi": ((25, 1), (30, 3)),  # (above or at, points) for the first, strictly above after
    "waist": {"M": (94, 102), "F": (80, 88)},  # 3 points from the first, 4 above the second
    "waist_points": (3, 4),
    "no_daily_activity": 2,
    "no_daily_vegetables": 1,
    "bp_medication": 2,
    "high_glucose_history": 5,
    "family_history": {"none": 0, "second_degree": 3, "first_degree": 5},
    # Risk bands: (lowest score, code, label).
    "bands": (
        (0, "low", "risque faible"),
        (7, "slight", "risque légèrement augmenté"),
        (12, "moderate", "risque modéré"),
        (15, "high", "risque élevé"),
        (21, "very_high", "risque très élevé"),
    ),
    # A capillary glucose test for a score strictly above this (the regional campaign).
    "glucose_above": 12,
    # Prevention advice from this score on (below: nothing in particular).
    "advice_from": 7,
    "adult_age": 18,
}

GLUCOSE_DEFAULTS = {
    "min": Decimal("0.20"),
    "max": Decimal("6.00"),
    "fasting_diabetes": Decimal("1.26"),
    "fasting_intermediate": Decimal("1.10"),
    "random_diabetes": Decimal("2.00"),
}

BP_DEFAULTS = {
    "systolic": (60, 300),
    "diastolic": (30, 200),
    "high": (140, 90),
    "very_high": (180, 110),
    # With fewer measures than this, a single high one asks for another measure rather
    # than a referral (white-coat effect); from this many on, the mean decides alone.
    "measures_to_decide": 3,
}

# Plausible ranges of the body measures, (min, max, unit, French name).
MEASURE_RANGES = {
    "height_cm": (100, 250, "cm", "La taille"),
    "weight_kg": (25, 350, "kg", "Le poids"),
    "waist_cm": (40, 200, "cm", "Le tour de taille"),
}
AGE_RANGE = (0, 120)

FAMILY_HISTORY = {
    "none": "Non",
    "second_degree": "Oui : grand-parent, oncle, tante, cousin germain",
    "first_degree": "Oui : parent, frère, sœur, enfant",
}

YES = {"yes", "oui", "true", "1", "o", "y"}
NO = {"no", "non", "false", "0", "n"}


def _fr(value) -> str:
    return str(value).replace(".", ",")


def parse_number(value, field_name: str, *, label: str, low, high, unit: str) -> Decimal:
    """A decimal in [low, high] (a comma is accepted as decimal separator), else a
    ValidationError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field_name: f"{label} est obligatoire."})
    if isinstance(value, bool):
        raise ValidationError({field_name: f"{label} doit être un nombre."})
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field_name: f"{label} doit être un nombre."}) from None
    if not number.is_finite():
        raise ValidationError({field_name: f"{label} doit être un nombre."})
    if not low <= number <= high:
        raise ValidationError({field_name: f"{label} ({_fr(number)} {unit}) est hors des valeurs "
                                           f"plausibles : entre {_fr(low)} et {_fr(high)} {unit}."})
    return number


def parse_yes_no(value, field_name: str, *, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError({field_name: f"Répondez par oui ou non : {label}"})


def parse_age(value) -> int:
    low, high = AGE_RANGE
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise ValidationError({"age": "L'âge est obligatoire."})
    try:
        age = int(str(value).strip())
    except ValueError:
        raise ValidationError({"age": "L'âge doit être un nombre entier d'années."}) from None
    if not low <= age <= high:
        raise ValidationError({"age": f"L'âge ({age} ans) est hors des valeurs plausibles : "
                                      f"entre {low} et {high} ans."})
    return age


def _collect(checks):
    """Run every check and raise one ValidationError with all fields at once, so the form
    shows every problem in one go."""
    values, errors = {}, {}
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


FINDRISC_QUESTIONS = {
    "daily_activity": "30 minutes d'activité physique chaque jour ?",
    "daily_vegetables": "Des légumes, des fruits ou des baies chaque jour ?",
    "bp_medication": "A déjà pris régulièrement un traitement contre l'hypertension ?",
    "high_glucose_history": "A déjà eu une glycémie élevée (bilan, grossesse, maladie) ?",
}


def clean_findrisc(answers: dict, *, sex: str, age) -> dict:
    """The answers of a FINDRISC, parsed and checked; every error at once, keyed by field."""
    answers = answers if isinstance(answers, dict) else {}
    checks = [("age", lambda: _adult(age))]
    for name, (low, high, unit, label) in MEASURE_RANGES.items():
        checks.append((name, lambda n=name, lo=low, hi=high, u=unit, lab=label: parse_number(
            answers.get(n), n, label=lab, low=lo, high=hi, unit=u)))
    for name, label in FINDRISC_QUESTIONS.items():
        checks.append((name, lambda n=name, lab=label: _required_yes_no(answers, n, lab)))
    checks.append(("family_history", lambda: _family(answers.get("family_history"))))
    checks.append(("sex", lambda: _sex(sex)))
    return _collect(checks)


def _required_yes_no(answers, name, label):
    if answers.get(name) is None or answers.get(name) == "":
        raise ValidationError({name: f"Réponse obligatoire : {label}"})
    return parse_yes_no(answers[name], name, label=label)


def _family(value):
    if value in (None, ""):
        raise ValidationError({"family_history": "Réponse obligatoire : du diabète dans la "
                                                 "famille ?"})
    if value not in FAMILY_HISTORY:
        raise ValidationError({"family_history": "Réponse inconnue pour le diabète dans la "
                                                 "famille : none, second_degree ou "
                                                 "first_degree."})
    return value


def _sex(value):
    if value not in ("F", "M"):
        raise ValidationError({"sex": "Indiquez le sexe : F (femme) ou M (homme)."})
    return value


def _adult(value, *, adult=FINDRISC_DEFAULTS["adult_age"]):
    age = parse_age(value)
    if age < adult:
        raise ValidationError({"age": f"Le FINDRISC concerne les adultes ({adult} ans et plus) : "
                                      f"{age} ans est trop jeune."})
    return age


def bmi(height_cm, weight_kg) -> Decimal:
    metres = Decimal(height_cm) / 100
    return Decimal(weight_kg) / (metres * metres)


def _band(value, bands):
    chosen = bands[0]
    for band in bands:
        if value >= band[0]:
            chosen = band
    return chosen


def findrisc(answers: dict, *, sex: str, age: int, thresholds=None) -> Result:
    """Score the FINDRISC questionnaire. Raises ValidationError naming the field of an
    answer missing or out of range."""
    t = thresholds or FINDRISC_DEFAULTS
    v = clean_findrisc(answers, sex=sex, age=age)
    points = {"age": _band(v["age"], t["age"])[1]}
    body_mass = bmi(v["height_cm"], v["weight_kg"])
    (bmi_low, bmi_low_points), (bmi_high, bmi_high_points) = t["bmi"]
    points["bmi"] = (bmi_high_points if body_mass > bmi_high
                     else bmi_low_points if body_mass >= bmi_low else 0)
    waist_low, waist_high = t["waist"][v["sex"]]
    points["waist_cm"] = (t["waist_points"][1] if v["waist_cm"] > waist_high
                          else t["waist_points"][0] if v["waist_cm"] >= waist_low else 0)
    points["daily_activity"] = 0 if v["daily_activity"] else t["no_daily_activity"]
    points["daily_vegetables"] = 0 if v["daily_vegetables"] else t["no_daily_vegetables"]
    points["bp_medication"] = t["bp_medication"] if v["bp_medication"] else 0
    points["high_glucose_history"] = (t["high_glucose_history"] if v["high_glucose_history"]
                                      else 0)
    points["family_history"] = t["family_history"][v["family_history"]]
    score = sum(points.values())
    _, risk, label = _band(score, t["bands"])
    if score > t["glucose_above"]:
        step = NextStep.GLUCOSE
    elif score >= t["advice_from"]:
        step = NextStep.ADVICE
    else:
        step = NextStep.NONE
    return Result(score=score, risk=risk, risk_label=label, next_step=step.value, details={
        "points": points, "bmi": str(body_mass.quantize(Decimal("0.1"))),
        "reason": f"Score FINDRISC {score} : {label}",
    })


def clean_glucose(value, fasting, *, thresholds=None) -> tuple[Decimal, bool]:
    t = thresholds or GLUCOSE_DEFAULTS
    return tuple(_collect([
        ("glucose_g_l", lambda: parse_number(value, "glucose_g_l", label="La glycémie",
                                             low=t["min"], high=t["max"], unit="g/L")),
        ("fasting", lambda: _fasting(fasting)),
    ]).values())


def _fasting(value):
    if value is None or value == "":
        raise ValidationError({"fasting": "Indiquez si la personne est à jeun."})
    return parse_yes_no(value, "fasting", label="la personne est-elle à jeun ?")


def glucose(value, *, fasting, thresholds=None) -> Result:
    """A capillary glucose in g/L (WHO thresholds of domain/prevention.md)."""
    t = thresholds or GLUCOSE_DEFAULTS
    level, fasting = clean_glucose(value, fasting, thresholds=t)
    shown = f"{_fr(level)} g/L {'à jeun' if fasting else 'non à jeun'}"
    if fasting and level >= t["fasting_diabetes"]:
        risk, label, rule = "diabetes", "diabète probable", f"à jeun ≥ {_fr(t['fasting_diabetes'])}"
    elif fasting and level >= t["fasting_intermediate"]:
        risk, label = "intermediate", "hyperglycémie modérée"
        rule = f"à jeun ≥ {_fr(t['fasting_intermediate'])}"
    elif not fasting and level >= t["random_diabetes"]:
        risk, label = "diabetes", "diabète probable"
        rule = f"non à jeun ≥ {_fr(t['random_diabetes'])}"
    else:
        return Result(score=None, risk="normal", risk_label="glycémie normale",
                      next_step=NextStep.ADVICE.value, details={
                          "glucose_g_l": str(level), "fasting": fasting,
                          "reason": f"Glycémie {shown} : normale"})
    return Result(score=None, risk=risk, risk_label=label, next_step=NextStep.REFER.value,
                  details={"glucose_g_l": str(level), "fasting": fasting,
                           "reason": f"Glycémie {shown} ({rule}) : {label}"})


def clean_bp(systolic, diastolic, *, thresholds=None) -> tuple[int, int]:
    t = thresholds or BP_DEFAULTS
    values = _collect([
        ("systolic", lambda: int(parse_number(systolic, "systolic", label="La systolique",
                                              low=t["systolic"][0], high=t["systolic"][1],
                                              unit="mmHg"))),
        ("diastolic", lambda: int(parse_number(diastolic, "diastolic", label="La diastolique",
                                               low=t["diastolic"][0], high=t["diastolic"][1],
                                               unit="mmHg"))),
    ])
    if values["systolic"] <= values["diastolic"]:
        raise ValidationError({"diastolic": "La diastolique doit être inférieure à la "
                                            "systolique : vérifiez la saisie."})
    return values["systolic"], values["diastolic"]


def blood_pressure(measures, *, thresholds=None) -> Result:
    """Repeated blood pressure measures [(systolic, diastolic), ...]: the mean decides;
    a single high measure asks for another one before any referral."""
    t = thresholds or BP_DEFAULTS
    if not measures:
        raise ValidationError({"systolic": "Saisissez au moins une mesure de tension."})
    cleaned = [clean_bp(s, d, thresholds=t) for s, d in measures]
    count = len(cleaned)
    mean_s = Decimal(sum(s for s, _ in cleaned)) / count
    mean_d = Decimal(sum(d for _, d in cleaned)) / count
    high_s, high_d = t["high"]
    very_s, very_d = t["very_high"]
    any_high = any(s >= high_s or d >= high_d for s, d in cleaned)
    shown = f"{mean_s.quantize(Decimal('1'))}/{mean_d.quantize(Decimal('1'))} mmHg"
    details = {"measures": [list(m) for m in cleaned], "mean": [str(mean_s.quantize(
        Decimal("0.1"))), str(mean_d.quantize(Decimal("0.1")))], "count": count}
    if count == 1 and any_high:
        risk, label, step = "to_confirm", "tension élevée à confirmer", NextStep.REPEAT
        reason = f"Une seule mesure élevée ({shown}) : mesure à répéter"
    elif mean_s >= very_s or mean_d >= very_d:
        risk, label, step = "very_high", "hypertension sévère probable", NextStep.URGENT
        reason = f"Moyenne de {count} mesures {shown} ≥ {very_s}/{very_d}"
    elif mean_s >= high_s or mean_d >= high_d:
        risk, label, step = "high", "hypertension probable", NextStep.REFER
        reason = f"Moyenne de {count} mesures {shown} ≥ {high_s}/{high_d}"
    elif any_high and count < t["measures_to_decide"]:
        risk, label, step = "to_confirm", "tension élevée à confirmer", NextStep.REPEAT
        reason = f"Une mesure élevée, moyenne {shown} : mesure à répéter"
    else:
        risk, label, step = "normal", "tension normale", NextStep.NONE
        reason = f"Moyenne de {count} mesure{'s' if count > 1 else ''} {shown} : normale"
    details["reason"] = reason
    return Result(score=None, risk=risk, risk_label=label, next_step=step.value,
                  details=details)


def score(code: str, answers: dict, *, sex: str, age, cpts=None) -> Result:
    """The result of the questionnaire `code` (shipped, or the CPTS's own) for these
    answers."""
    answers = answers if isinstance(answers, dict) else {}
    if code == "findrisc":
        return findrisc(answers, sex=sex, age=age)
    if code == "glycemie":
        parse_age(age)
        return glucose(answers.get("glucose_g_l"), fasting=answers.get("fasting"))
    if code == "tension":
        parse_age(age)
        return blood_pressure([(answers.get("systolic"), answers.get("diastolic"))])
    from . import questionnaires

    definition = questionnaires.definition_of(cpts, code)
    if definition is None:
        raise ValidationError({"questionnaire": "Questionnaire inconnu de cette CPTS."})
    parse_age(age)
    return questionnaires.score(definition, answers)


def decide(code: str, answers: dict, measures: list, *, sex: str, age, cpts=None) -> Result:
    """The result of a participant: the questionnaire's, then what the measures taken
    after it say. The latest glucose decides the next step; blood pressures are decided
    on all of them (those of a "tension" questionnaire included). The score and risk of
    a scored questionnaire stay; details keep both, for the page and the audit."""
    result = score(code, answers, sex=sex, age=age, cpts=cpts)
    glucoses = [m for m in measures if m.get("kind") == "glucose"]
    pressures = [(m["systolic"], m["diastolic"]) for m in measures if m.get("kind") == "bp"]
    decided = None
    if code == "tension" and pressures:
        first = (answers.get("systolic"), answers.get("diastolic"))
        decided = blood_pressure([first, *pressures])
        return decided
    if pressures:
        decided = blood_pressure(pressures)
    if glucoses:
        last = glucoses[-1]
        decided = glucose(last["value"], fasting=last["fasting"])
    if decided is None:
        return result
    if code == "glycemie":
        return decided
    details = {**result.details, "measure": decided.details, "measure_risk": decided.risk,
               "measure_risk_label": decided.risk_label,
               "reason": f"{result.details.get('reason', '')} ; {decided.details['reason']}"}
    return Result(score=result.score, risk=result.risk, risk_label=result.risk_label,
                  next_step=decided.next_step, details=details)

