"""Spending per mission, entered or imported from the accounting (CSV), against the
funding received.

The Sénat found no data on what CPTS spend their money on: the board enters each
expense on a funding line (a mission of the contract, or the operating grant) or imports
the accounting's export, and sees per line what was spent against what the Assurance
Maladie paid (the Payment rows received in the period).

The import reads what accounting software writes: semicolons or commas, UTF-8 with or
without a BOM or Windows-1252, French amounts ("1 234,56") and dates (31/12/2027), a
mission by its code or its name. It is all-or-nothing: one bad line and nothing is
written, every error named with its line number.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from maillage.core import audit

from . import years
from .models import FUNDING_LINES, OPERATING, MissionCode, Payment, Spending

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
MAX_LABEL = 300
MAX_LINES = 5000
MAX_BYTES = 2 * 1024 * 1024
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
COLUMNS = ("date", "libelle", "mission", "montant")

AUDIT_LABELS: dict = {
    "actions": {
        "reporting.spending_add": "Saisie d'une dépense par mission",
        "reporting.spending_import": "Import des dépenses depuis la comptabilité",
    },
    "places": {"reporting.budget": "Budget par mission"},
}


# Parsing ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("'", " ").replace("’", " ").split())


def parse_amount(text) -> Decimal:
    """An amount in euros as accounting writes it: "1 234,56", "1234.56", "1.234,56",
    "1 234,56 €". Strictly positive, to the cent."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = str(text or "").strip()
        raw = re.sub(r"[\s\u00a0\u202f']", "", raw).removesuffix("€").removesuffix("EUR")
        if not raw:
            raise ValidationError("Indiquez un montant.")
        if raw.startswith("-") or raw.startswith("("):
            raise ValidationError("Le montant d'une dépense est positif.")
        if "," in raw and "." in raw:
            # The last separator is the decimal one: "1.234,56" or "1,234.56".
            thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
            raw = raw.replace(thousands, "").replace(",", ".")
        else:
            raw = raw.replace(",", ".")
        if not re.fullmatch(r"\+?[0-9]+(\.[0-9]+)?", raw):
            raise ValidationError(f"Montant illisible : « {str(text)[:40]} » (ex. : 1 234,56).")
        value = Decimal(raw)
    try:
        if not value.is_finite() or value <= 0:
            raise ValidationError("Le montant d'une dépense est positif.")
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError("Le montant se compte au centime près (deux décimales).")
    except InvalidOperation:
        raise ValidationError("Montant illisible.") from None
    if value > MAX_AMOUNT:
        raise ValidationError("Montant trop grand.")
    return value.quantize(Decimal("0.01"))


DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(text) -> datetime.date:
    """A date as accounting writes it (31/12/2027, 31/12/27, 2027-12-31)."""
    if isinstance(text, datetime.date):
        day = text
    else:
        raw = str(text or "").strip()
        if not raw:
            raise ValidationError("Indiquez la date.")
        for fmt in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValidationError(f"Date illisible : « {raw[:40]} » (ex. : 31/12/2027).")
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(f"Date hors des années possibles ({EARLIEST.year} à "
                              f"{LATEST.year}).")  # fmt: skip
    return day


def _line_names() -> dict[str, str]:
    names = {}
    for code, label in FUNDING_LINES:
        names[_fold(code)] = code
        names[_fold(str(label))] = code
        names[_fold(str(label).split(" (")[0])] = code
    # The words accounting uses for the same lines.
    names.update({"crise": MissionCode.CRISE, "crises": MissionCode.CRISE,
                  "acces aux soins": MissionCode.ACCES, "parcours": MissionCode.PARCOURS,
                  "qualite": MissionCode.QUALITE, "accompagnement": MissionCode.ACCOMPAGNEMENT,
                  "fonctionnement": OPERATING})  # fmt: skip
    return names


def parse_line(text) -> str:
    """A funding line by its code ("parcours") or its name ("Parcours
    pluriprofessionnels", "Fonctionnement")."""
    found = _line_names().get(_fold(str(text or "")))
    if found is None:
        raise ValidationError(
            f"Mission inconnue : « {str(text or '')[:60]} » (attendu : "
            + ", ".join(code for code, _ in FUNDING_LINES)
            + ")."
        )
    return str(found)


def clean_label(text) -> str:
    """Stored as text (the pages escape it); control characters and NUL removed, spaces
    trimmed."""
    label = "".join(ch for ch in str(text or "") if unicodedata.category(ch)[0] != "C")
    label = " ".join(label.split())
    if not label:
        raise ValidationError("Indiquez un libellé.")
    if len(label) > MAX_LABEL:
        raise ValidationError(f"Libellé trop long : {MAX_LABEL} caractères au plus.")
    return label


def file_label(name) -> str:
    """An imported file's name as recorded in each row's origin: text only, 150 characters
    at most, never empty."""
    label = "".join(ch for ch in str(name or "") if unicodedata.category(ch)[0] != "C")
    return " ".join(label.split())[-150:] or "import.csv"


# Entry --------------------------------------------------------------------------------


def _validated(*, spent_on, line, label, amount) -> dict:
    errors, data = {}, {}
    for name, parse, value in (("spent_on", parse_date, spent_on), ("line", parse_line, line),
                               ("label", clean_label, label),
                               ("amount", parse_amount, amount)):  # fmt: skip
        try:
            data[name] = parse(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def record_spending(*, cpts, spent_on, line, label, amount, actor, request=None,
                    source: str = "") -> Spending:  # fmt: skip
    data = _validated(spent_on=spent_on, line=line, label=label, amount=amount)
    row = Spending.objects.create(cpts=cpts, entered_by=actor, source=source[:200], **data)
    audit.record(action="reporting.spending_add", actor=actor, cpts=cpts, obj=row,
                 request=request, detail={"line": data["line"], "amount": str(data["amount"]),
                                          "where": "reporting.budget"})  # fmt: skip
    return row


# Import -------------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int  # the line of the file (the header is line 1)
    spent_on: datetime.date
    line: str
    label: str
    amount: Decimal


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": "Fichier trop lourd : 2 Mo au plus."})
    if not data.strip():
        raise ValidationError({"file": "Le fichier est vide."})
    if b"\x00" in data:
        raise ValidationError({"file": "Ce fichier n'est pas un CSV (contenu binaire)."})
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": "Encodage illisible : enregistrez le fichier en UTF-8."})


def parse_csv(text: str) -> list[ImportRow]:
    """Every row of the file, or one ValidationError listing each bad line ("Ligne 4 :
    ..."), at most MAX_LINES rows."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError({"file": "Le fichier est vide."}) from None
    columns = [_fold(h) for h in header]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ValidationError({"file": "Colonnes attendues : date;libellé;mission;montant "
                                       f"(manque : {', '.join(missing)})."})  # fmt: skip
    at = {c: columns.index(c) for c in COLUMNS}
    rows, errors = [], []
    try:
        for record in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) + len(errors) >= MAX_LINES:
                raise ValidationError({"file": f"Trop de lignes : {MAX_LINES} au plus par "
                                               "import."})  # fmt: skip
            cells = {c: record[i] if i < len(record) else "" for c, i in at.items()}
            try:
                data = _validated(spent_on=cells["date"], line=cells["mission"],
                                  label=cells["libelle"], amount=cells["montant"])  # fmt: skip
            except ValidationError as exc:
                what = {"spent_on": "date", "line": "mission", "label": "libellé",
                        "amount": "montant"}  # fmt: skip
                problems = "; ".join(f"{what[k]} : {' '.join(v)}"
                                     for k, v in exc.message_dict.items())  # fmt: skip
                errors.append(f"Ligne {number} : {problems}")
                continue
            rows.append(ImportRow(number=number, **data))
    except csv.Error as exc:
        raise ValidationError(
            {"file": f"Ligne {reader.line_num} : CSV illisible ({exc})."}
        ) from None
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": "Aucune dépense dans le fichier."})
    return rows


@transaction.atomic
def import_spending(*, cpts, text: str, file_name: str, actor, request=None) -> list[Spending]:
    """All the file's rows, or nothing: the file is parsed again at confirmation, so what is
    written is what was validated."""
    rows = parse_csv(text)
    name = file_label(file_name)
    created = Spending.objects.bulk_create([
        Spending(cpts=cpts, spent_on=r.spent_on, line=r.line, label=r.label, amount=r.amount,
                 source=f"{name} (ligne {r.number})", entered_by=actor)
        for r in rows])  # fmt: skip
    audit.record(action="reporting.spending_import", actor=actor, cpts=cpts, request=request,
                 detail={"file": name, "lines": len(created),
                         "where": "reporting.budget"})  # fmt: skip
    return created


# The page ----------------------------------------------------------------------------


@dataclass
class LineTotal:
    line: str
    label: str
    received: Decimal
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return self.received - self.spent


def period(contract, year: int) -> tuple[datetime.date, datetime.date]:
    """A contract year, or a calendar year when the CPTS has no contract."""
    if contract is not None:
        return years.bounds(contract, year)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def totals(cpts, contract, span) -> list[LineTotal]:
    start, end = span
    spent = dict(Spending.objects.for_cpts(cpts).filter(spent_on__range=(start, end))
                 .values_list("line").annotate(total=Sum("amount")))  # fmt: skip
    received = {}
    lines = []
    if contract is not None:
        received = dict(Payment.objects.filter(contract=contract,
                                               received_on__range=(start, end))
                        .values_list("line").annotate(total=Sum("amount")))  # fmt: skip
        lines = [m.code for m in contract.missions.filter(included=True)] + [OPERATING]
    labels = dict(FUNDING_LINES)
    for code, _ in FUNDING_LINES:
        if code not in lines and (code in spent or code in received):
            lines.append(code)
    zero = Decimal("0.00")
    return [LineTotal(line=code, label=str(labels.get(code, code)),
                      received=received.get(code) or zero, spent=spent.get(code) or zero)
            for code in lines]  # fmt: skip


def spending(cpts, span):
    return Spending.objects.for_cpts(cpts).filter(spent_on__range=span).select_related("entered_by")


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
