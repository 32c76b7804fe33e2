"""Screening questionnaires a coordinator defines as data (models.Questionnaire.definition).

The format, version 1:

    {"version": 1,
     "items": [{"code": "tabac", "label": "Fumez-vous ?",
                "options": [{"code": "oui", "label": "Oui", "points": 2},
                            {"code": "non", "label": "Non", "points": 0}]}, ...],
     "bands": [{"from": 0, "risk": "faible", "label": "Risque faible", "next_step": "none"},
               {"from": 5, "risk": "eleve", "label": "Risque élevé", "next_step": "refer"}]}

Each item is a question with its answers and their points (whole numbers, 0 to 100); the
score is the sum of the points of the answers given; the band is the last one whose
`from` the score reaches (the first starts at 0), and it gives the risk and the next
step. The editor page writes it from two plain inputs a coordinator can type
(`parse_items`: one question per line, "Question | Réponse = points | ..."; bands as a few
rows), so nobody writes JSON by hand.

Area: screening.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from .scoring import NextStep, Result

VERSION = 1
MAX_ITEMS = 40
MAX_OPTIONS = 10
MAX_BANDS = 6
MAX_POINTS = 100
MAX_LABEL = 200


def _code(label: str, taken: set, limit: int = 40) -> str:
    base = slugify(label)[:limit].strip("-") or "q"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    taken.add(code)
    return code


def parse_items(text: str) -> list[dict]:
    """The questions typed one per line, "Question | Réponse = points | Réponse = points",
    into items; ValidationError({"items": ...}) naming the line of any mistake."""
    items, errors, codes = [], [], set()
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        raise ValidationError({"items": "Saisissez au moins une question."})
    if len(lines) > MAX_ITEMS:
        raise ValidationError({"items": f"{MAX_ITEMS} questions au plus."})
    for number, line in lines:
        parts = [p.strip() for p in line.split("|")]
        question, answers = parts[0], [p for p in parts[1:] if p]
        if not question:
            errors.append(f"Ligne {number} : la question manque avant le premier « | ».")
            continue
        if len(answers) < 2:
            errors.append(f"Ligne {number} : donnez au moins deux réponses, par exemple "
                          f"« {question} | Oui = 2 | Non = 0 ».")
            continue
        options, option_codes, line_errors = [], set(), []
        for answer in answers:
            label, sep, points = answer.rpartition("=")
            label, points = label.strip(), points.strip()
            if not sep or not label:
                line_errors.append(f"Ligne {number} : « {answer} » doit s'écrire "
                                   "« Réponse = points ».")
                continue
            try:
                value = int(points)
            except ValueError:
                line_errors.append(f"Ligne {number} : les points de « {label} » doivent être "
                                   f"un nombre entier (« {points} »).")
                continue
            options.append({"code": _code(label, option_codes), "label": label,
                            "points": value})
        if line_errors:
            errors.extend(line_errors)
            continue
        items.append({"code": _code(question, codes), "label": question, "options": options})
    if errors:
        raise ValidationError({"items": errors})
    return items


def items_text(items: list[dict]) -> str:
    """The items back as the editor's lines (parse_items(items_text(x)) gives x back)."""
    return "\n".join(
        " | ".join([item["label"], *(f"{o['label']} = {o['points']}" for o in item["options"])])
        for item in items
    )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_ok(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= MAX_LABEL


def validate(definition) -> dict:
    """Check a definition; return it, or raise ValidationError keyed by "items" / "bands"
    with messages a coordinator understands. Any JSON value is either accepted or refused
    with such messages: nothing else is raised."""
    if not isinstance(definition, dict):
        raise ValidationError({"definition": "La définition doit être un objet."})
    errors = {"items": [], "bands": []}
    items = definition.get("items")
    if not isinstance(items, list) or not items:
        errors["items"].append("Saisissez au moins une question.")
        items = []
    elif len(items) > MAX_ITEMS:
        errors["items"].append(f"{MAX_ITEMS} questions au plus.")
        items = []
    codes, max_score = set(), 0
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            errors["items"].append(f"Question {n} : illisible.")
            continue
        if not _text_ok(item.get("label")):
            errors["items"].append(f"Question {n} : l'intitulé manque ou dépasse "
                                   f"{MAX_LABEL} caractères.")
        code = item.get("code")
        if not isinstance(code, str) or not code or slugify(code) != code or len(code) > 60:
            errors["items"].append(f"Question {n} : code invalide.")
        elif code in codes:
            errors["items"].append(f"Question {n} : le code « {code} » est déjà pris.")
        else:
            codes.add(code)
        options = item.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
            errors["items"].append(f"Question {n} : de 2 à {MAX_OPTIONS} réponses.")
            continue
        option_codes, best = set(), 0
        for option in options:
            if not isinstance(option, dict):
                errors["items"].append(f"Question {n} : une réponse est illisible.")
                continue
            label = option.get("label")
            if not _text_ok(label):
                errors["items"].append(f"Question {n} : une réponse n'a pas d'intitulé.")
            ocode = option.get("code")
            if not isinstance(ocode, str) or not ocode or ocode in option_codes:
                errors["items"].append(f"Question {n} : deux réponses portent le même nom.")
            else:
                option_codes.add(ocode)
            points = option.get("points")
            if not _is_int(points) or not 0 <= points <= MAX_POINTS:
                errors["items"].append(f"Question {n} : les points de « {label} » doivent "
                                       f"être un nombre entier de 0 à {MAX_POINTS}.")
            else:
                best = max(best, points)
        max_score += best
    errors["bands"] = _band_errors(definition.get("bands"), max_score)
    bands = definition.get("bands")
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)
    return {"version": VERSION, "items": items, "bands": bands}


def _band_errors(bands, max_score) -> list[str]:
    """What is wrong with the thresholds; `max_score` None when the items are not known."""
    errors = []
    if not isinstance(bands, list) or not 1 <= len(bands) <= MAX_BANDS:
        return [f"De 1 à {MAX_BANDS} seuils."]
    previous, risks = None, set()
    for n, band in enumerate(bands, 1):
        if not isinstance(band, dict):
            errors.append(f"Seuil {n} : illisible.")
            continue
        start = band.get("from")
        if not _is_int(start) or start < 0:
            errors.append(f"Seuil {n} : « à partir de » doit être un nombre entier positif.")
        else:
            if n == 1 and start != 0:
                errors.append("Le premier seuil commence à 0 (tout score doit avoir un "
                              "niveau de risque).")
            if previous is not None and start <= previous:
                errors.append(f"Seuil {n} : les seuils vont en croissant ({start} après "
                              f"{previous}).")
            if n > 1 and max_score is not None and start > max_score:
                errors.append(f"Seuil {n} : {start} ne peut pas être atteint (score maximal "
                              f"{max_score}).")
            previous = start
        if not _text_ok(band.get("label")):
            errors.append(f"Seuil {n} : donnez le niveau de risque (ex. « Risque élevé »).")
        risk = band.get("risk")
        if not isinstance(risk, str) or not risk or len(risk) > 20 or risk in risks:
            errors.append(f"Seuil {n} : code de risque invalide ou répété.")
        else:
            risks.add(risk)
        if band.get("next_step") not in NextStep.values:
            errors.append(f"Seuil {n} : choisissez la suite à donner.")
    return errors


def build(*, items_text_value: str, bands: list[dict]) -> dict:
    """The definition from the editor's inputs: the lines of questions and the rows of
    thresholds ({"from", "label", "next_step"}; empty rows dropped)."""
    errors = {}
    try:
        items = parse_items(items_text_value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        items = []
    rows, taken = [], set()
    for band in bands:
        rows.append({"from": band["from"], "label": band["label"].strip(),
                     "risk": _code(band["label"], taken, 16),
                     "next_step": band["next_step"]})
    if errors:
        band_errors = _band_errors(rows, None)
        if band_errors:
            errors["bands"] = band_errors
        raise ValidationError(errors)
    return validate({"version": VERSION, "items": items, "bands": rows})


def definition_of(cpts, code: str) -> dict | None:
    from .models import Questionnaire

    if cpts is None:
        return None
    row = (Questionnaire.objects.for_cpts(cpts).filter(code=code, archived_at__isnull=True)
           .values_list("definition", flat=True).first())  # fmt: skip
    return row


def score(definition: dict, answers: dict) -> Result:
    """Score the answers ({item code: option code}); every item must be answered."""
    answers = answers if isinstance(answers, dict) else {}
    points, errors = {}, {}
    for item in definition["items"]:
        given = answers.get(item["code"])
        option = next((o for o in item["options"] if o["code"] == given), None)
        if option is None:
            errors[item["code"]] = (f"Réponse obligatoire : {item['label']}" if given in
                                    (None, "") else f"Réponse inconnue : {item['label']}")
            continue
        points[item["code"]] = option["points"]
    if errors:
        raise ValidationError(errors)
    total = sum(points.values())
    band = definition["bands"][0]
    for candidate in definition["bands"]:
        if total >= candidate["from"]:
            band = candidate
    return Result(score=total, risk=band["risk"], risk_label=band["label"],
                  next_step=band["next_step"], details={
                      "points": points, "reason": f"Score {total} : {band['label']}"})
