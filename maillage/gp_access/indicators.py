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


# The indicator registry (core.indicators) ------------------------------------------------
# Each figure is one aggregate query over a period: what the ACI report and the contract
# pages read, never the page above.

MISSION = "gp_access"


def _found_gp(cpts, period):
    """Requests whose médecin traitant was declared in the period (assigned_at set in it);
    a request later closed still counts, since it found a doctor."""
    from maillage.core.indicators import period_bounds

    low, high = period_bounds(period)
    return GpRequest.objects.for_cpts(cpts).filter(assigned_at__gte=low, assigned_at__lt=high)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def volunteer_gps(cpts, period):
    from maillage.core.indicators import Value

    gps = GpCapacity.objects.filter(cpts=cpts, monthly_new_patients__gt=0)
    paused = gps.filter(paused_until__gte=period[1]).count()
    return Value(gps.count(), note=f"état actuel des disponibilités ; dont {paused} en pause "
                                   f"au {period[1]:%d/%m/%Y}")  # fmt: skip


def patients_found_gp(cpts, period):
    from maillage.core.indicators import Value

    return Value(_found_gp(cpts, period).values("patient").distinct().count())


def ald_found_gp(cpts, period):
    from maillage.core.indicators import Value

    rows = _found_gp(cpts, period).filter(patient__ald=True)
    return Value(rows.values("patient").distinct().count())


def over70_found_gp(cpts, period):
    """Age on the day the médecin traitant was declared: the birth dates are read as dates
    only (no identity), the comparison needs each row's own day."""
    from django.utils import timezone

    from maillage.core.indicators import Value

    patients = set()
    for patient_id, assigned_at, birth in (_found_gp(cpts, period)
                                           .values_list("patient", "assigned_at",
                                                        "patient__birth_date")):  # fmt: skip
        if birth <= _years_before(timezone.localtime(assigned_at).date(), 70):
            patients.add(patient_id)
    return Value(len(patients))


def c2s_ald_found_gp(cpts, period):
    from maillage.core.indicators import Value

    rows = _found_gp(cpts, period).filter(patient__ald=True, patient__c2s=True)
    return Value(rows.values("patient").distinct().count())


def ald_waiting(cpts, period):
    """ALD patients whose request was made before the end of the period and was neither
    given a médecin traitant nor finished (closed, cancelled, sent to the DAC) by then: the
    history of transitions tells, so a past year's figure does not move afterwards."""
    from django.db.models import Exists, OuterRef, Q

    from maillage.core.indicators import Value, period_bounds

    from .models import Transition

    _low, high = period_bounds(period)
    ended = Transition.objects.filter(request=OuterRef("pk"), at__lt=high,
                                      to_status__in=(*FINISHED_OR_ASSIGNED,))  # fmt: skip
    rows = (GpRequest.objects.for_cpts(cpts)
            .filter(patient__ald=True, created_at__lt=high)
            .exclude(Q(assigned_at__lt=high) | Exists(ended)))  # fmt: skip
    return Value(rows.values("patient").distinct().count())


FINISHED_OR_ASSIGNED = (Status.ASSIGNED, Status.CLOSED, Status.CANCELLED, Status.REDIRECTED)

INDICATORS = (
    ("gp_access.volunteer_gps", "Médecins volontaires pour de nouveaux patients",
     "Médecins ayant déclaré à la CPTS un nombre de nouveaux patients par mois supérieur à "
     "zéro (état actuel : l'historique des disponibilités n'est pas conservé) ; la note "
     "donne ceux en pause à la fin de la période.", "médecins", volunteer_gps),
    ("gp_access.patients_found_gp", "Patients ayant trouvé un médecin traitant",
     "Patients dont une demande de médecin traitant a abouti (médecin traitant déclaré) "
     "pendant la période, chacun compté une fois.", "patients", patients_found_gp),
    ("gp_access.ald_found_gp", "Patients en ALD ayant trouvé un médecin traitant",
     "Patients en ALD (affection de longue durée) dont une demande a abouti (médecin "
     "traitant déclaré) pendant la période, chacun compté une fois.", "patients",
     ald_found_gp),
    ("gp_access.over70_found_gp", "Patients de 70 ans et plus ayant trouvé un médecin "
     "traitant", "Patients âgés de 70 ans ou plus le jour où leur médecin traitant a été "
     "déclaré, pendant la période, chacun compté une fois.", "patients", over70_found_gp),
    ("gp_access.c2s_ald_found_gp", "Patients C2S en ALD ayant trouvé un médecin traitant",
     "Patients bénéficiaires de la C2S (complémentaire santé solidaire) et en ALD dont une "
     "demande a abouti (médecin traitant déclaré) pendant la période, chacun compté une "
     "fois.", "patients", c2s_ald_found_gp),
    ("gp_access.ald_waiting", "Patients en ALD toujours sans médecin traitant",
     "Patients en ALD dont la demande, faite avant la fin de la période, n'avait à cette "
     "date ni abouti ni été close, annulée ou orientée vers le DAC.", "patients",
     ald_waiting),
)  # fmt: skip


def register_indicators():
    from maillage.core import indicators

    for code, label, definition, unit, function in INDICATORS:
        indicators.register(code, mission=MISSION, label=label, definition=definition,
                            unit=unit, source="demandes de médecin traitant (Maillage)",
                            compute=function)  # fmt: skip
    indicators.register_start(MISSION, label="première demande de médecin traitant",
                              first_activity=first_activity)  # fmt: skip


def first_activity(cpts):
    from django.utils import timezone

    first = (GpRequest.objects.for_cpts(cpts).order_by("created_at")
             .values_list("created_at", flat=True).first())  # fmt: skip
    return timezone.localtime(first).date() if first else None
