"""Types shared by every API router: the same limits and messages as the forms, declared
in the OpenAPI schema (lengths, enums, formats) so a client knows them before sending.

Strings are as long as the model field they fill allows; choices are `Literal`s built
from the models' TextChoices, so the schema lists the values; dates and date-times are
bounded, so nothing at the far ends of the calendar reaches the database (or overflows
converting to UTC). NUL characters are refused before any of this, for every input, by
core.middleware.RejectNulBytesMiddleware.
"""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Schema
from ninja import Status as Response
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .models import Cpts

# The error type of the validators below: the API's 422 handler shows their message as is.
FRENCH_ERROR = "maillage"

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)


def refuse(message: str):
    """A pydantic error whose message reaches the caller unchanged."""
    return PydanticCustomError(FRENCH_ERROR, message)


def text(max_length: int):
    """A string of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length)]


def model_text(model, field: str):
    """A string as long as `model.field` allows."""
    return text(model._meta.get_field(field).max_length)


def choice(values: Iterable[str]):
    """One of `values` (a TextChoices' `.values`, or any strings), listed in the schema."""
    return Literal[tuple(str(v) for v in values)]


def _email(value: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise refuse("Adresse e-mail invalide.") from None
    return value


# An e-mail address, or "" where the field is optional; checked as the forms' EmailField.
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


def _date(value: datetime.date) -> datetime.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise refuse(f"Date hors des limites acceptées (du {DATE_MIN:%d/%m/%Y} "
                     f"au {DATE_MAX:%d/%m/%Y}).")  # fmt: skip
    return value


Date = Annotated[datetime.date, AfterValidator(_date)]


def _birth_date(value: datetime.date) -> datetime.date:
    # The messages of patients.services.clean_patient_data: the forms say the same.
    if value > timezone.localdate():
        raise refuse("La date de naissance est dans le futur.")
    if value < DATE_MIN:
        raise refuse("Date de naissance antérieure à 1900 : vérifiez l'année.")
    return value


BirthDate = Annotated[datetime.date, AfterValidator(_birth_date)]


def _datetime(value: datetime.datetime) -> datetime.datetime:
    # Checked before any conversion: 0001-01-01T00:00:00+14:00 cannot be expressed in
    # UTC at all (OverflowError), and the databases refuse years past 9999.
    if not DATE_MIN.year <= value.year <= DATE_MAX.year:
        raise refuse(f"Date et heure hors des limites acceptées (années {DATE_MIN.year} "
                     f"à {DATE_MAX.year}).")  # fmt: skip
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # read as the platform's local time
    return value


DateTime = Annotated[datetime.datetime, AfterValidator(_datetime)]

# The `cpts` parameter every operation takes: a CPTS slug.
CptsSlug = model_text(Cpts, "slug")


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """Every error of the API: a French `detail`, and one message per field in cause."""

    detail: str
    errors: list[FieldError] = []


# What any operation may answer: 400 (a domain rule, a NUL character, several CPTS and
# no `cpts`), 401 (no valid token nor verified session), 404 (outside the caller's
# need-to-know or CPTS), 422 (the input does not match the schema).
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Writes also get 403: a browser session without the CSRF token.
WRITE_ERRORS = {**ERRORS, 403: ErrorOut}


@contextmanager
def fields_renamed(**names):
    """A service's ValidationError named after the API's fields: the service says `on`,
    the schema `done_on`."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


def unprocessable(exc: ValidationError):
    """A service's ValidationError as the API's 422: every field named, the first in
    `detail` (what a person reads), all in `errors`."""
    pairs = ([(f, " ".join(m)) for f, m in exc.message_dict.items()]
             if hasattr(exc, "error_dict") else [(None, " ".join(exc.messages))])  # fmt: skip
    errors = [{"field": f, "message": m} for f, m in pairs]
    first = errors[0]
    detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return Response(422, {"detail": detail, "errors": errors})
