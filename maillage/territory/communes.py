"""Finding a commune the way people name it: by its name (case, accents, hyphens and
"St"/"Ste" ignored), by its postal code or by its INSEE code.

`search_communes` ranks suggestions as one types; `resolve_commune` turns what a form
received into one commune, or a French error that lists the choices when the name is
shared ("Saint-Martin (38)" then picks one) and never repeats a long input back.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When

from maillage.core.validators import validate_insee_commune

from .models import Commune, search_key

SUGGESTION_LIMIT = 20
# What machines send for a commune (API, imports): its INSEE code.
INSEE_CODE_LENGTH = 5
# Longer than any commune name with its qualifier ("Saint-Remy-en-Bouzemont-Saint-Genest-
# et-Isson (51)" is 50 characters): past it, the input is not a commune.
MAX_INPUT = 120
# How much of an unknown name the error shows back.
ECHO_MAX = 40
# Shown in an "ambiguous" error before "…".
CHOICES_SHOWN = 8

# The articles INSEE writes before some names (geography.ARTICLES), as search keys.
ARTICLES = ("l", "le", "la", "les", "aux", "las", "los")
# Abbreviations people type for the words of place names.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "Saint-Martin (38)", "Saint-Martin (38410)", "Saint-Martin - 38": a name and what
# disambiguates it (a département, a postal or an INSEE code).
QUALIFIED = re.compile(r"^(?P<name>.*?)[\s,-]*[(\[]?\s*(?P<qualifier>\d[\dAB]\d{0,3}|2[AB]\d{0,3})"
                       r"\s*[)\]]?$", re.IGNORECASE)  # fmt: skip
# An INSEE code or a postal code, or the beginning of one (Corsica: 2A, 2B).
CODE_LIKE = re.compile(r"^(?:\d{2,5}|2[AB]\d{0,3})$", re.IGNORECASE)


def name_key(text: str) -> str:
    """The comparable form of a typed name: `search_key`, abbreviations written out."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in search_key(text).split())


def _printable(text: str) -> bool:
    return not any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"


def _postal(code: str) -> Q:
    """Communes one of whose postal codes starts with `code`."""
    return Q(postal_codes__startswith=code) | Q(postal_codes__contains=" " + code)


def _words(key: str) -> Q:
    """Every typed word begins a word of the name."""
    condition = Q()
    for word in key.split():
        condition &= Q(search_name__startswith=word) | Q(search_name__contains=" " + word)
    return condition


def _qualifier(value: str) -> Q:
    """A département (2-3 characters), or a postal or INSEE code (5)."""
    value = value.upper()
    if len(value) == 5:
        return Q(code=value) | _postal(value)
    return Q(departement__code=value)


def search_communes(text: str, *, queryset=None, limit: int = SUGGESTION_LIMIT) -> list[Commune]:
    """Communes matching what was typed, best first: the exact name, then names beginning
    with it, then the others; more inhabitants first within each. Codes (INSEE or postal)
    match by their beginning. Empty, too short or too long input finds nothing."""
    text = (text or "").strip()
    if len(text) > MAX_INPUT or not _printable(text):
        return []
    base = (queryset if queryset is not None else Commune.objects.current()).select_related(
        "departement"
    )
    compact = text.replace(" ", "")
    if CODE_LIKE.match(compact):
        code = compact.upper()
        rank = Case(When(code=code, then=Value(0)), When(_postal(code), then=Value(1)),
                    default=Value(2), output_field=IntegerField())  # fmt: skip
        matches = base.filter(Q(code__startswith=code) | _postal(code))
        return list(matches.annotate(rank=rank).order_by("rank", "-population", "name")[:limit])
    qualifier = None
    found = QUALIFIED.match(text)
    if found and found.group("name").strip():
        text, qualifier = found.group("name"), found.group("qualifier")
    key = name_key(text)
    if len(key.replace(" ", "")) < 2:
        return []
    matches = base.filter(_words(key))
    if qualifier:
        matches = matches.filter(_qualifier(qualifier))
    rank = Case(When(search_name=key, then=Value(0)),
                When(search_name__startswith=key, then=Value(1)),
                default=Value(2), output_field=IntegerField())  # fmt: skip
    return list(matches.annotate(rank=rank).order_by("rank", "-population", "name")[:limit])


def departement_code(commune: Commune) -> str:
    return commune.departement.code if commune.departement_id else commune.code[:2]


def commune_label(commune: Commune) -> str:
    """How a commune is written in a field: "Bourgoin-Jallieu (38)"."""
    return f"{commune.name} ({departement_code(commune)})"


def commune_choice(commune: Commune) -> str:
    """A commune in a list of choices, with what tells it apart from its namesakes."""
    postal = commune.postal_codes.split()
    where = departement_code(commune) + (f", {postal[0]}" if postal else "")
    return f"{commune.name} ({where}, code INSEE {commune.code})"


def labels_for(communes) -> dict[int, str]:
    """The label each commune gets in a field: "Name (dép.)", or "Name (INSEE code)" for
    the few communes that share their name with another in the same département."""
    communes = list(communes)
    names = {c.search_name for c in communes}
    shared = set()
    if names:
        seen = {}
        for pk, name, dep in (Commune.objects.current().filter(search_name__in=names)
                              .values_list("pk", "search_name", "departement_id")):  # fmt: skip
            seen.setdefault((name, dep), set()).add(pk)
        shared = {pk for pks in seen.values() if len(pks) > 1 for pk in pks}
    return {c.pk: f"{c.name} ({c.code})" if c.pk in shared else commune_label(c)
            for c in communes}  # fmt: skip


def _ambiguous(typed: str, matches) -> ValidationError:
    shown = sorted(matches, key=lambda c: (-c.population, c.code))
    listed = " ; ".join(commune_choice(c) for c in shown[:CHOICES_SHOWN])
    more = f" ; et {len(shown) - CHOICES_SHOWN} autres" if len(shown) > CHOICES_SHOWN else ""
    example = commune_label(shown[0])
    return ValidationError(
        f"Plusieurs communes s'appellent « {_echo(typed)} » : {listed}{more}. Précisez le "
        f"département ou le code postal, par exemple « {example} ».",
        code="ambiguous",
    )


def resolve_commune(text: str, *, queryset=None, insee_first: bool = False) -> Commune:
    """The one commune `text` names: an INSEE code, a postal code shared by no other
    commune, or a name (case and accents ignored) with, when the name is shared, its
    département or postal code in brackets. Raises ValidationError in French otherwise.

    Five digits that are one commune's INSEE code and another's postal code are refused
    as ambiguous (a person typing a postal code must not get another commune), unless
    `insee_first`: for values a page wrote itself (a hidden input), which are codes."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Indiquez une commune (nom, code postal ou code INSEE).",
                              code="required")  # fmt: skip
    if len(text) > MAX_INPUT:
        raise ValidationError(
            f"Saisie trop longue pour un nom de commune ({MAX_INPUT} caractères au plus) : "
            "indiquez le nom, le code postal ou le code INSEE.", code="too_long",
        )  # fmt: skip
    if not _printable(text):
        raise ValidationError("Caractères non valides dans le nom de la commune.",
                              code="invalid")  # fmt: skip
    communes = queryset if queryset is not None else Commune.objects.current()
    communes = communes.select_related("departement")
    compact = text.replace(" ", "")
    if CODE_LIKE.match(compact):
        code = compact.upper()
        if len(code) != 5:
            raise ValidationError(
                f"Code incomplet : « {code} ». Un code postal ou un code INSEE doit comporter 5 "
                "caractères (ex. 38300 ou 38053) ; vous pouvez aussi écrire le nom de la commune.",
                code="invalid",
            )
        commune = communes.filter(code=code).first()
        postal = [c for c in communes.filter(_postal(code)).order_by("-population", "code")
                  if code in c.postal_codes.split() and c != commune]  # fmt: skip
        if commune is not None and (insee_first or not postal):
            return commune
        if commune is not None:
            # A person typing their postal code must not get another commune whose INSEE
            # code happens to be the same digits: both are named, the person chooses.
            listed = " ; ".join(commune_choice(c) for c in [commune, *postal][:CHOICES_SHOWN])
            raise ValidationError(
                f"{code} est le code INSEE d'une commune et le code postal d'une autre : "
                f"{listed}. Indiquez le nom de la commune, par exemple « "
                f"{commune_label(postal[0])} ».", code="ambiguous",
            )  # fmt: skip
        if len(postal) == 1:
            return postal[0]
        if len(postal) > 1:
            listed = " ; ".join(commune_choice(c) for c in postal[:CHOICES_SHOWN])
            extra = len(postal) - CHOICES_SHOWN
            more = f" ; et {extra} autres" if extra > 0 else ""
            raise ValidationError(
                f"Le code postal {code} couvre plusieurs communes : {listed}{more}. Indiquez le "
                f"nom de la commune, par exemple « {commune_label(postal[0])} ».",
                code="ambiguous",
            )  # fmt: skip
        try:
            validate_insee_commune(code)  # says what is wrong with the code, if anything
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid") from None
        raise ValidationError(f"Aucune commune avec le code {code} (code postal ou INSEE).",
                              code="unknown")  # fmt: skip
    qualifier = None
    found = QUALIFIED.match(text)
    if found and found.group("name").strip():
        name, qualifier = found.group("name"), found.group("qualifier")
    else:
        name = text
    key = name_key(name)
    matches = list(communes.filter(search_name=key)[:50]) if key else []
    if key and not matches:
        # "Isle d'Abeau" for "L'Isle-d'Abeau", "Pin" for "Le Pin": the article left out.
        with_article = [f"{article} {key}" for article in ARTICLES]
        matches = list(communes.filter(search_name__in=with_article)[:50])
    if qualifier and matches:
        narrowed = [c for c in matches if _qualifies(c, qualifier.upper())]
        if not narrowed:
            raise ValidationError(
                f"Aucune commune « {_echo(name)} » pour « {qualifier.upper()} » : "
                f"{' ; '.join(commune_choice(c) for c in matches[:CHOICES_SHOWN])}.",
                code="unknown",
            )
        matches = narrowed
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise _ambiguous(name, matches)
    close = search_communes(name, queryset=communes, limit=5) if key else []
    hint = " Vouliez-vous dire : " + " ; ".join(labels_for(close).values()) + " ?" if close else ""
    raise ValidationError(f"Aucune commune nommée « {_echo(name)} ».{hint}", code="unknown")


def _qualifies(commune: Commune, qualifier: str) -> bool:
    if len(qualifier) == 5:
        return qualifier == commune.code or qualifier in commune.postal_codes.split()
    return qualifier == departement_code(commune)
