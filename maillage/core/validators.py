"""Validators for French health-domain identifiers.

Pure Python: no model imports and no Django settings needed. Every ``validate_*``
function returns a :class:`Checked` (normalised value + non-blocking warnings)
or raises :class:`django.core.exceptions.ValidationError` with a stable ``code``
and a French, user-facing message.

The ``*_validator`` callables at the bottom wrap them for use in a model or form
field's ``validators=[...]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.fr import nir as stdnum_nir

__all__ = [
    "ADELI_LUHN_WARNING",
    "FINESS_LUHN_WARNING",
    "RPPS_LUHN_WARNING",
    "Checked",
    "adeli_validator",
    "finess_validator",
    "insee_commune_validator",
    "luhn_check_digit",
    "mssante_email_validator",
    "nir_key",
    "nir_validator",
    "phone_fr_validator",
    "rpps_validator",
    "validate_adeli",
    "validate_finess",
    "validate_insee_commune",
    "validate_mssante_email",
    "validate_nir",
    "validate_phone_fr",
    "validate_rpps",
]


@dataclass(frozen=True)
class Checked:
    """Result of a successful validation."""

    value: str  # normalised form, suitable for storage
    warnings: tuple[str, ...] = ()


RPPS_LUHN_WARNING = "Le chiffre de contrôle du RPPS ne correspond pas (Luhn) : vérifiez le numéro."
ADELI_LUHN_WARNING = (
    "Le chiffre de contrôle du numéro ADELI ne correspond pas (Luhn) : vérifiez le numéro."
)
FINESS_LUHN_WARNING = (
    "Le chiffre de contrôle du numéro FINESS ne correspond pas (Luhn) : vérifiez le numéro."
)

# Separators users commonly type inside identifiers: any Unicode whitespace
# (including the non-breaking and narrow non-breaking spaces of French
# typography), dots and dashes.
_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]+")
_ASCII_ALNUM = re.compile(r"[0-9A-Z]*")


def _text(value: object, code: str, label: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{label} doit être une chaîne de caractères.", code=code)
    return value


def _compact(value: str) -> str:
    """Strip separators and upper-case the value."""
    return _SEPARATORS.sub("", value).upper()


def _is_digits(value: str) -> bool:
    # str.isdigit() accepts non-ASCII digits ("²", "٣"...), which we do not want.
    return _ASCII_DIGITS.fullmatch(value) is not None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _chars_typed(count: int) -> str:
    suffix = "s" if count > 1 else ""
    return f"{count} caractère{suffix} saisi{suffix}"


# --------------------------------------------------------------------------- Luhn


def luhn_check_digit(digits: str) -> str:
    """Return the Luhn check digit to append to ``digits`` (ASCII digits only)."""
    if not digits or not _is_digits(digits):
        raise ValueError(f"luhn_check_digit expects ASCII digits, got {digits!r}")
    total = 0
    # The check digit will be the rightmost digit, so the rightmost payload
    # digit is the first one to be doubled.
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _luhn_ok(digits: str) -> bool:
    return luhn_check_digit(digits[:-1]) == digits[-1]


# ---------------------------------------------------------------------------- NIR

_NIR_SEX_DIGITS = frozenset("123478")
_NIR_TEMPORARY_SEX_DIGITS = frozenset("3478")
_NIR_BODY = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}")


def _nir_month_ok(month: int) -> bool:
    # 01-12: known month; 20-42: special/fictitious months used by the RNIPP;
    # 50-99: numbers attributed from an incomplete civil status.
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def nir_key(first13: str) -> str:
    """Return the 2-digit key of a NIR from its first 13 characters.

    Key = 97 - (number mod 97), where Corsican departments 2A and 2B are
    replaced by 19 and 18 before computing the number.
    """
    body = first13.upper() if isinstance(first13, str) else first13
    if not isinstance(body, str) or _NIR_BODY.fullmatch(body) is None:
        raise ValueError(f"nir_key expects the 13 first characters of a NIR, got {first13!r}")
    # python-stdnum implements exactly this rule, Corsica included.
    return stdnum_nir.calc_check_digits(body)


def validate_nir(value: str) -> Checked:
    """Validate a French NIR (social security number), 13 characters + 2-digit key."""
    number = _compact(_text(value, "nir_format", "Le NIR"))
    if _ASCII_ALNUM.fullmatch(number) is None:
        raise ValidationError(
            "Le NIR ne doit contenir que des chiffres (ainsi que 2A ou 2B pour la Corse).",
            code="nir_format",
        )
    if len(number) != 15:
        if len(number) == 13:
            message = (
                "Le NIR doit comporter 15 caractères : la clé (2 derniers chiffres) semble manquer."
            )
        else:
            message = (
                "Le NIR doit comporter 15 caractères (13 + clé de 2 chiffres) : "
                f"{_plural(len(number), 'saisi')}."
            )
        raise ValidationError(message, code="nir_length")
    body, key = number[:13], number[13:]
    if _NIR_BODY.fullmatch(body) is None or not _is_digits(key):
        raise ValidationError(
            "Le NIR ne doit contenir que des chiffres, sauf le département de naissance "
            "(7e et 8e caractères) qui peut valoir 2A ou 2B pour la Corse.",
            code="nir_format",
        )
    sex = number[0]
    if sex not in _NIR_SEX_DIGITS:
        raise ValidationError(
            "Le premier chiffre du NIR (sexe) doit être 1 ou 2 (ou 3, 4, 7, 8 pour un "
            f"numéro provisoire) : {sex} saisi.",
            code="nir_sex",
        )
    month = number[3:5]
    if not _nir_month_ok(int(month)):
        raise ValidationError(
            "Le mois de naissance du NIR (4e et 5e chiffres) doit être compris entre 01 "
            f"et 12 (ou 20-42, 50-99 pour les cas particuliers) : {month} saisi.",
            code="nir_format",
        )
    expected = nir_key(body)
    if key != expected:
        raise ValidationError(
            f"La clé du NIR est incorrecte : {expected} attendu, {key} saisi.",
            code="nir_key",
        )
    warnings: tuple[str, ...] = ()
    if sex in _NIR_TEMPORARY_SEX_DIGITS:
        warnings = (
            f"NIR provisoire (premier chiffre {sex}) : pensez à le remplacer par le NIR "
            "définitif dès qu'il sera attribué.",
        )
    return Checked(number, warnings)


# ----------------------------------------------------------------- RPPS and ADELI


def validate_rpps(value: str) -> Checked:
    """Validate an RPPS number: exactly 11 digits; a bad Luhn digit is only a warning."""
    number = _compact(_text(value, "rpps_format", "Le numéro RPPS"))
    if not _is_digits(number):
        raise ValidationError(
            "Le numéro RPPS ne doit contenir que des chiffres (11 chiffres attendus).",
            code="rpps_format",
        )
    if len(number) != 11:
        raise ValidationError(
            "Le numéro RPPS doit comporter exactement 11 chiffres : "
            f"{_plural(len(number), 'saisi')}.",
            code="rpps_format",
        )
    warnings = () if _luhn_ok(number) else (RPPS_LUHN_WARNING,)
    return Checked(number, warnings)


_ADELI = re.compile(r"(?:[0-9]{2}|2A|2B)[0-9]{7}")


def validate_adeli(value: str) -> Checked:
    """Validate an ADELI number: department (2 digits, 2A or 2B) + 7 digits.

    A bad Luhn digit is only a warning. The Luhn check is skipped for Corsican
    numbers (2A/2B) as the digit substitution used for them is not documented.
    """
    number = _compact(_text(value, "adeli_format", "Le numéro ADELI"))
    if _ADELI.fullmatch(number) is None:
        if len(number) != 9:
            detail = _chars_typed(len(number))
        else:
            detail = "format incorrect"
        raise ValidationError(
            "Le numéro ADELI doit comporter 9 caractères : le département (2 chiffres, "
            f"ou 2A/2B) suivi de 7 chiffres, ex. 381234567 ({detail}).",
            code="adeli_format",
        )
    warnings: tuple[str, ...] = ()
    if _is_digits(number) and not _luhn_ok(number):
        warnings = (ADELI_LUHN_WARNING,)
    return Checked(number, warnings)


# ------------------------------------------------------------------------- FINESS

_FINESS = re.compile(r"(?:0[1-9]|[1-8][0-9]|9[0-8]|2A|2B|9[A-FJ])[0-9]{7}")


def validate_finess(value: str) -> Checked:
    """Validate a FINESS number: department prefix (2 characters) + 7 digits.

    Accepted prefixes: 01-98, 2A, 2B and the overseas 9A to 9F (9E: Saint-Pierre-et-
    Miquelon) and 9J.
    The last digit is a Luhn check digit; a mismatch is only a warning, and the
    check is skipped for prefixes containing a letter (undocumented convention).
    """
    number = _compact(_text(value, "finess_format", "Le numéro FINESS"))
    if _FINESS.fullmatch(number) is None:
        if len(number) != 9:
            detail = _chars_typed(len(number))
        elif _is_digits(number[2:]):
            detail = f"département {number[:2]} inconnu"
        else:
            detail = "format incorrect"
        raise ValidationError(
            "Le numéro FINESS doit comporter 9 caractères : le département (01 à 98, 2A, "
            f"2B, 9A…9J) suivi de 7 chiffres, ex. 380780080 ({detail}).",
            code="finess_format",
        )
    warnings: tuple[str, ...] = ()
    if _is_digits(number) and not _luhn_ok(number):
        warnings = (FINESS_LUHN_WARNING,)
    return Checked(number, warnings)


# ---------------------------------------------------------------- INSEE commune

_INSEE_SHAPE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")


def validate_insee_commune(value: str) -> Checked:
    """Validate an INSEE (COG) commune code, e.g. 38053, 2A004, 97411."""
    code = _compact(_text(value, "insee_format", "Le code commune INSEE"))
    if _INSEE_SHAPE.fullmatch(code) is None:
        if len(code) != 5:
            detail = _chars_typed(len(code))
        else:
            detail = "seuls des chiffres, ou 2A/2B pour la Corse, sont admis"
        raise ValidationError(
            f"Le code commune INSEE doit comporter 5 caractères, ex. 38053 ou 2A004 ({detail}).",
            code="insee_format",
        )
    department = code[:2]
    if department in ("2A", "2B"):
        return Checked(code)
    if department == "20":
        raise ValidationError(
            f"Le code commune INSEE {code} n'existe plus : depuis 1976, les communes corses "
            "commencent par 2A (Corse-du-Sud) ou 2B (Haute-Corse).",
            code="insee_department",
        )
    number = int(department)
    if 1 <= number <= 95 or number == 98:
        # 98x: overseas collectivities (Wallis-et-Futuna, Polynésie, Nouvelle-Calédonie...).
        return Checked(code)
    if number == 97:
        # 971-976 (DROM and Saint-Pierre-et-Miquelon), 977 Saint-Barthélemy, 978 Saint-Martin.
        if code[2] in "12345678":
            return Checked(code)
        message = f"Le code commune INSEE {code} est invalide : {code[:3]} n'est pas un "
        message += "département ou une collectivité d'outre-mer (971 à 978)."
    elif number == 99:
        message = (
            f"Le code {code} désigne un pays étranger (codes 99xxx), pas une commune française."
        )
    else:
        message = f"Le code commune INSEE {code} est invalide : le département {department} "
        message += "n'existe pas."
    raise ValidationError(message, code="insee_department")


# -------------------------------------------------------------------------- Phone

# Regions using 10-digit national numbers starting with 0, tried in order when
# the number is typed without an international prefix (e.g. 0590 27 12 34).
_PHONE_NATIONAL_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "BL", "MF")
# Overseas geographic and mobile ranges of the French numbering plan. The FR
# metadata of libphonenumber also accepts some of them (e.g. 0596...), which
# would normalise them to a wrong +33 E.164 number: route them explicitly.
# RE/YT share +262 and GP/BL/MF share +590, so the E.164 form is the same.
_PHONE_OVERSEAS_PREFIXES = {
    "0262": "RE",
    "0263": "RE",
    "0269": "YT",
    "0639": "YT",
    "0692": "RE",
    "0693": "RE",
    "0590": "GP",
    "0690": "GP",
    "0691": "GP",
    "0594": "GF",
    "0694": "GF",
    "0596": "MQ",
    "0696": "MQ",
    "0697": "MQ",
}
# Saint-Pierre-et-Miquelon and the Pacific collectivities use 6 to 8-digit
# numbers, which would make many short digit strings look valid: they are only
# accepted in international format (+508, +687, +689, +681).
_PHONE_REGIONS = frozenset((*_PHONE_NATIONAL_REGIONS, "PM", "NC", "PF", "WF"))
_PHONE_CHARS = re.compile(r"[0-9+().\-/\s]+")
_PHONE_MESSAGE = "Numéro de téléphone invalide : 10 chiffres attendus (ex. 06 12 34 56 78)."


def _parse_phone(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def validate_phone_fr(value: str) -> Checked:
    """Validate a French (metropolitan or overseas) phone number; normalise to E.164."""
    text = _text(value, "phone_invalid", "Le numéro de téléphone").strip()
    if not text or _PHONE_CHARS.fullmatch(text) is None:
        raise ValidationError(_PHONE_MESSAGE, code="phone_invalid")
    digits = re.sub(r"[^0-9]", "", text)
    international = text.startswith("+") or digits.startswith("00")
    if not international and (len(digits) != 10 or not digits.startswith("0")):
        raise ValidationError(_PHONE_MESSAGE, code="phone_invalid")
    if international:
        regions: tuple[str, ...] = ("FR",)
    elif digits[:4] in _PHONE_OVERSEAS_PREFIXES:
        regions = (_PHONE_OVERSEAS_PREFIXES[digits[:4]],)
    else:
        regions = _PHONE_NATIONAL_REGIONS
    foreign = False
    for region in regions:
        number = _parse_phone(text, region)
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        if phonenumbers.region_code_for_number(number) not in _PHONE_REGIONS:
            foreign = True
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Checked(e164)
    if foreign:
        message = (
            "Numéro de téléphone invalide : seuls les numéros français (métropole et "
            "outre-mer) sont acceptés."
        )
    elif not international:
        message = (
            "Numéro de téléphone invalide : ce numéro à 10 chiffres n'est pas attribuable "
            "en France, vérifiez-le (ex. 06 12 34 56 78)."
        )
    else:
        message = _PHONE_MESSAGE
    raise ValidationError(message, code="phone_invalid")


# ------------------------------------------------------------------ MSSanté e-mail

_MSSANTE_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+mssante\.fr")


def validate_mssante_email(value: str) -> Checked:
    """Validate a secure health messaging (MSSanté) address, e.g. x@medecin.mssante.fr."""
    email = _text(value, "email_invalid", "L'adresse e-mail").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            "Adresse e-mail invalide (ex. prenom.nom@medecin.mssante.fr).",
            code="email_invalid",
        ) from None
    domain = email.rpartition("@")[2]
    if domain == "mssante.fr":
        raise ValidationError(
            "Adresse MSSanté invalide : le domaine doit comporter le sous-domaine de "
            "l'opérateur (ex. @medecin.mssante.fr), pas seulement @mssante.fr.",
            code="mssante_domain",
        )
    if _MSSANTE_DOMAIN.fullmatch(domain) is None:
        raise ValidationError(
            f"L'adresse doit être une messagerie sécurisée de santé (MSSanté) : le domaine "
            f"doit se terminer par .mssante.fr (ex. @medecin.mssante.fr), {domain} saisi.",
            code="mssante_domain",
        )
    return Checked(email)


# ---------------------------------------------------- Django field validators


def nir_validator(value: str) -> None:
    validate_nir(value)


def rpps_validator(value: str) -> None:
    validate_rpps(value)


def adeli_validator(value: str) -> None:
    validate_adeli(value)


def finess_validator(value: str) -> None:
    validate_finess(value)


def insee_commune_validator(value: str) -> None:
    validate_insee_commune(value)


def phone_fr_validator(value: str) -> None:
    validate_phone_fr(value)


def mssante_email_validator(value: str) -> None:
    validate_mssante_email(value)
