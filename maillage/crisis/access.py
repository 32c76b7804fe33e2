"""Need-to-know on the vulnerable register and its calls.

The coordination (who may see every patient) reads the whole register and every call; a
professional keeping the register reads the people they are the referent of, and a
caller the calls assigned to them (with the identity and phone the call needs); anyone
else reads nothing and gets 404. Every person shown, in a list as on a detail page,
leaves one audit row with the patient as subject (patients.access.record_shown).
"""

from django.db.models import Prefetch

from maillage.core import audit, permissions
from maillage.core.access import get_by_public_id
from maillage.patients.access import record_shown

from .models import Call, CallOutcome, VulnerableCriterion, VulnerablePerson

OPEN_OUTCOMES = (CallOutcome.PENDING, CallOutcome.NOT_REACHED)


def _with_details(queryset):
    return queryset.select_related("patient", "commune", "referent").prefetch_related(
        Prefetch("criteria", queryset=VulnerableCriterion.objects.order_by("code")))


def register_visible_to(membership):
    """The active register people this member may read (archived ones: nobody's lists)."""
    base = VulnerablePerson.objects.for_cpts(membership.cpts).active()
    if permissions.see_all_patients(membership):
        return _with_details(base)
    if permissions.keep_vulnerable_register(membership):
        return _with_details(base.filter(referent=membership.user))
    return base.none()


def get_person(membership, public_id, *, request=None, action="crisis.register_read"):
    """One register person the member may read, or 404; audited with the patient."""
    person = get_by_public_id(register_visible_to(membership), public_id)
    audit.record(action=action, actor=membership.user, cpts=membership.cpts, obj=person,
                 patient=person.patient, request=request)  # fmt: skip
    return person


def record_people_shown(membership, people, *, request=None, where: str,
                        action: str = "crisis.register_list") -> int:
    """One audit row per register person shown by a page or an export."""
    return record_shown(membership, [p.patient for p in people], request=request, where=where,
                        action=action)  # fmt: skip


def calls_visible_to(membership):
    """Calls of the member's CPTS: all of them for the coordination, a caller's own for a
    member who may call, none otherwise. A person withdrawn from the register (consent
    withdrawn) is no one's call any more."""
    base = Call.objects.for_cpts(membership.cpts).filter(person__archived_at__isnull=True)
    if permissions.see_all_patients(membership) and permissions.call_vulnerable(membership):
        return base
    if permissions.call_vulnerable(membership):
        return base.filter(caller=membership.user)
    return base.none()


def get_call(membership, public_id, *, request=None, action="crisis.call_read"):
    call = get_by_public_id(
        calls_visible_to(membership).select_related(
            "campaign__activation", "person__patient", "person__commune", "caller"),
        public_id,
    )  # fmt: skip
    audit.record(action=action, actor=membership.user, cpts=membership.cpts, obj=call,
                 patient=call.person.patient, request=request)  # fmt: skip
    return call


def record_calls_shown(membership, calls, *, request=None, where: str) -> int:
    return record_shown(membership, [c.person.patient for c in calls], request=request,
                        where=where, action="crisis.call_list")  # fmt: skip
