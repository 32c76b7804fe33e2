"""Payments received, matched against the schedule.

A payment is matched to one line of the computed schedule (funding.schedule), named by its
due date, funding line and kind, so that each line can say whether it is paid:

- given a line: that line (it must exist in the schedule);
- otherwise: the open lines (not yet fully paid) whose amount, or whose remainder when it
  is partly paid, is exactly the payment's amount; the one due nearest the day it was
  received. A payment that matches nothing is refused with the nearest expected lines, so
  the coordinator can pick one (a balance computed by the CPAM with its own figures rarely
  equals our estimate to the cent).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from maillage.core import audit

from . import funding, missions
from .achievement import ZERO, money
from .models import FUNDING_LINES, Contract, Payment, ScheduleKind

PAID, PARTLY_PAID, DUE, OVERDUE = "paid", "partly_paid", "due", "overdue"
STATUS_LABELS = {PAID: "Payée", PARTLY_PAID: "Payée en partie", DUE: "À venir",
                 OVERDUE: "En retard"}  # fmt: skip


def received_by_line(contract) -> dict[tuple, Decimal]:
    """{(due_on, line, kind): amount received}, in one query."""
    rows = (Payment.objects.filter(contract=contract).values("due_on", "line", "kind")
            .annotate(total=Sum("amount")))  # fmt: skip
    return {(r["due_on"], r["line"], r["kind"]): r["total"] for r in rows}


@dataclass
class LineStatus:
    line: funding.Line
    received: Decimal
    status: str
    payments: list  # [Payment] matched to it

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.line.amount - self.received)

    @property
    def mission_label(self) -> str:
        return missions.label(self.line.line)


def status_of(line: funding.Line, received: Decimal, today: datetime.date) -> str:
    """paid (received at least the amount), partly paid, overdue (its date is past and
    nothing came), due (to come)."""
    if received >= line.amount:
        return PAID
    if received > 0:
        return PARTLY_PAID
    return OVERDUE if line.date < today else DUE


def statuses(contract, *, today=None, lines=None) -> list[LineStatus]:
    """Each schedule line with what was received for it and its status."""
    today = today or timezone.localdate()
    lines = funding.schedule(contract, today=today) if lines is None else lines
    by_key: dict = {}
    for payment in Payment.objects.filter(contract=contract).order_by("received_on", "pk"):
        by_key.setdefault((payment.due_on, payment.line, payment.kind), []).append(payment)
    out = []
    for ln in lines:
        matched = by_key.get(ln.key, [])
        received = sum((p.amount for p in matched), ZERO)
        out.append(LineStatus(ln, received, status_of(ln, received, today), matched))
    return out


def describe(line: funding.Line) -> str:
    kind = "avance" if line.kind == ScheduleKind.ADVANCE else "solde"
    return (f"{line.date:%d/%m/%Y} · {missions.label(line.line)} · {kind} de l'année "
            f"{line.year} : {funding.format_amount(line.amount)}")  # fmt: skip


def _nearest(open_lines, day, count=3) -> list:
    return sorted(open_lines, key=lambda s: (abs((s.line.date - day).days), s.line.date))[:count]


def _amount(value) -> Decimal:
    unreadable = ValidationError({"amount": "Indiquez un montant en euros (ex. : 67500,00)."})
    try:
        # French typing: "67 500,00" (spaces, non-breaking ones too, and a decimal comma).
        amount = Decimal(re.sub(r"[\s\u202f]", "", str(value)).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise unreadable from None
    if not amount.is_finite():
        raise unreadable
    if amount <= 0:
        raise ValidationError({"amount": "Un versement a un montant positif."})
    # Before rounding to the cent: "1e308" cannot be quantized (InvalidOperation).
    if amount >= Decimal("1e10"):
        raise ValidationError({"amount": "Montant trop grand."})
    if amount != money(amount):
        raise ValidationError({"amount": "Deux décimales au plus (les centimes)."})
    return amount


@transaction.atomic
def record_payment(*, contract, received_on, amount, reference, line=None, due_on=None,
                   kind=None, note="", actor, request=None) -> Payment:  # fmt: skip
    """Record a payment received and match it to a schedule line (rules in the module's
    docstring). Refused, with nothing written: a zero or negative amount, a date in the
    future, a reference already recorded for this contract, a line that is not in the
    schedule or already paid in full, a payment that matches nothing."""
    # The contract's row is locked so that two payments entered at once cannot both be
    # matched to the same open line.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    today = timezone.localdate()
    errors = {}
    try:
        amount = _amount(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(received_on, datetime.date):
        errors["received_on"] = ["Indiquez la date de réception (JJ/MM/AAAA)."]
    elif received_on > today:
        errors["received_on"] = ["Un versement reçu ne peut pas être daté dans le futur."]
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = ["Indiquez la référence du virement (relevé bancaire, avis de "
                               "paiement de la CPAM)."]  # fmt: skip
    elif len(reference) > Payment._meta.get_field("reference").max_length:
        errors["reference"] = ["120 caractères au plus."]
    elif Payment.objects.filter(contract=contract, reference__iexact=reference).exists():
        errors["reference"] = [f"Un versement de référence « {reference} » est déjà enregistré."]
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = ["300 caractères au plus."]
    if line is not None and line not in dict(FUNDING_LINES):
        errors["line"] = ["Ligne de financement inconnue."]
    if errors:
        raise ValidationError(errors)

    rows = statuses(contract, today=today)
    if line is not None or due_on is not None or kind is not None:
        chosen = next((s for s in rows if s.line.key == (due_on, line, kind)), None)
        if chosen is None:
            raise ValidationError({"line": "Cette échéance n'existe pas dans l'échéancier du "
                                           "contrat."})  # fmt: skip
        if chosen.status == PAID:
            # A second payment named for a line already paid in full would pay it twice
            # (a reference typed twice under two spellings, two people entering one
            # transfer): the coordinator picks the line it really pays.
            raise ValidationError({"line": "Cette échéance est déjà payée en totalité : "
                                           "choisissez celle que ce versement paie."})  # fmt: skip
    else:
        open_lines = [s for s in rows if s.status != PAID]
        fitting = [s for s in open_lines if amount in (s.line.amount, s.remaining)]
        if not fitting:
            nearest = _nearest(open_lines, received_on)
            listed = "; ".join(describe(s.line) for s in nearest)
            message = (f"Ce versement de {funding.format_amount(amount)} ne correspond à aucune "
                       "échéance attendue.")  # fmt: skip
            message += (f" Échéances les plus proches : {listed}. Choisissez l'échéance qu'il "
                        "paie." if listed else " Aucune échéance n'est ouverte.")  # fmt: skip
            raise ValidationError({"amount": message})
        chosen = _nearest(fitting, received_on, 1)[0]
    payment = Payment(contract=contract, received_on=received_on, amount=amount,
                      reference=reference, line=chosen.line.line, kind=chosen.line.kind,
                      due_on=chosen.line.date, note=note, entered_by=actor)  # fmt: skip
    payment.full_clean()
    payment.save()
    audit.record(action="reporting.payment_recorded", actor=actor, request=request,
                 cpts=contract.cpts, obj=payment,
                 detail={"amount": str(amount), "reference": reference,
                         "line": chosen.line.line, "due_on": chosen.line.date.isoformat(),
                         "kind": chosen.line.kind})  # fmt: skip
    return payment


@transaction.atomic
def delete_payment(*, payment, actor, request=None) -> None:
    """Remove a payment entered by mistake (the audit trail keeps what it was)."""
    detail = {"amount": str(payment.amount), "reference": payment.reference,
              "received_on": payment.received_on.isoformat(), "line": payment.line}  # fmt: skip
    audit.record(action="reporting.payment_deleted", actor=actor, request=request,
                 cpts=payment.contract.cpts, obj=payment, detail=detail)  # fmt: skip
    payment.delete()


AUDIT_LABELS: dict = {
    "actions": {
        "reporting.payment_recorded": "Versement reçu enregistré",
        "reporting.payment_deleted": "Versement supprimé (saisi par erreur)",
    },
    "places": {},
}


def ready():
    from maillage.core.audit_trail import register_labels

    register_labels(**AUDIT_LABELS)
