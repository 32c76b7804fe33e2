"""ACI indicators of the médecin traitant mission (aggregates only, no patient data)."""

import datetime
import statistics
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from .models import GpCapacity, GpRequest, Proposal, Status

PRIORITY_GROUPS = ("ALD", "70 ans et plus", "C2S / AME", "autres")


def status_counts(cpts) -> dict[str, int]:
    return dict(
        GpRequest.objects.for_cpts(cpts).values("status").annotate(n=Count("pk"))
        .values_list("status", "n")
    )  # fmt: skip


def _group(patient, on) -> str:
    if patient.ald:
        return "ALD"
    if patient.age(on) >= 70:
        return "70 ans et plus"
    if patient.c2s or patient.ame:
        return "C2S / AME"
    return "autres"


def compute(cpts, *, months: int = 12) -> dict:
    today = timezone.localdate()
    waiting = Counter()
    open_requests = (
        GpRequest.objects.for_cpts(cpts)
        .filter(status__in=[Status.NEW, Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED])
        .select_related("patient")
    )
    for r in open_requests:
        waiting[_group(r.patient, today)] += 1
    assigned = list(
        GpRequest.objects.for_cpts(cpts).filter(assigned_at__isnull=False)
        .select_related("patient")
    )  # fmt: skip
    delays = [(r.assigned_at - r.created_at).days for r in assigned]
    per_month = defaultdict(Counter)
    first_month = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    for r in assigned:
        day = timezone.localtime(r.assigned_at).date()
        if day < first_month:
            continue
        key = f"{day:%Y-%m}"
        per_month[key]["total"] += 1
        if r.patient.ald:
            per_month[key]["ALD"] += 1
        if r.patient.age(day) >= 70:
            per_month[key]["70 ans et plus"] += 1
        if r.patient.c2s:
            per_month[key]["C2S"] += 1
    gps = GpCapacity.objects.filter(cpts=cpts, monthly_new_patients__gt=0)
    return {
        "waiting_by_group": [(g, waiting.get(g, 0)) for g in PRIORITY_GROUPS],
        "waiting_total": sum(waiting.values()),
        "median_days_to_assignment": statistics.median(delays) if delays else None,
        "assigned_total": len(assigned),
        "per_month": sorted(per_month.items()),
        "gps_taking_part": gps.count(),
        "gps_active_now": sum(1 for c in gps if not c.is_paused(today)),
        "proposals_accepted": Proposal.objects.filter(cpts=cpts, state="accepted").count(),
        "proposals_declined": Proposal.objects.filter(cpts=cpts, state="declined").count(),
        "statuses": status_counts(cpts),
    }


def as_rows(data: dict):
    yield ["Patients en attente", data["waiting_total"]]
    for group, count in data["waiting_by_group"]:
        yield [f"En attente : {group}", count]
    yield ["Délai médian demande → médecin traitant (jours)",
           data["median_days_to_assignment"] if data["median_days_to_assignment"] is not None
           else ""]  # fmt: skip
    yield ["Patients ayant trouvé un médecin traitant", data["assigned_total"]]
    for month, counts in data["per_month"]:
        for key in ("total", "ALD", "70 ans et plus", "C2S"):
            yield [f"{month} : attributions {key}", counts.get(key, 0)]
    yield ["Médecins volontaires", data["gps_taking_part"]]
    yield ["Propositions acceptées", data["proposals_accepted"]]
    yield ["Propositions refusées", data["proposals_declined"]]
