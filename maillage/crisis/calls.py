"""Calling the vulnerable: a campaign over the register during an activation, each call
assigned to a caller, each outcome recorded once.

Outcomes: reached and fine; reached and needs help (a same-day request or a home visit
is recorded for them through crisis/handoffs.py); not reached (one more attempt, still to
call); after MAYOR_AFTER_ATTEMPTS failed attempts, reported to the town hall. An outcome
is written by a conditional UPDATE on what the caller saw (outcome and attempts), so two
callers recording the same call at once cannot overwrite each other: the second is told
what the first recorded.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Membership

from . import handoffs
from .models import Call, CallCampaign, CallOutcome, VulnerablePerson

MAYOR_AFTER_ATTEMPTS = 3
OPEN_OUTCOMES = (CallOutcome.PENDING, CallOutcome.NOT_REACHED)
RECORDABLE = (CallOutcome.FINE, CallOutcome.NEEDS_HELP, CallOutcome.NOT_REACHED,
              CallOutcome.MAYOR)  # fmt: skip

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.call_campaign_create": "Campagne d'appels des personnes vulnérables",
        "crisis.call_assign": "Appel confié (personne vulnérable)",
        "crisis.call_reassign": "Appel réattribué (personne vulnérable)",
        "crisis.call_outcome": "Résultat d'un appel (personne vulnérable)",
        "crisis.call_read": "Lecture d'un appel (personne vulnérable)",
        "crisis.call_list": "Liste d'appels (personnes vulnérables)",
    },
    "objects": {"crisis.Call": "Appel d'une personne vulnérable",
                "crisis.CallCampaign": "Campagne d'appels"},
    "places": {
        "crisis.campaign": "suivi d'une campagne d'appels",
        "crisis.my_calls": "mes appels (personnes vulnérables)",
        "crisis.campaign_new": "création d'une campagne d'appels",
    },
}  # fmt: skip


class StaleCall(Exception):
    """Someone recorded this call first: `call` is what is stored now."""

    def __init__(self, call):
        super().__init__("stale call")
        self.call = call


def callers_of(cpts):
    """The members who may be given calls."""
    return Membership.objects.active().filter(cpts=cpts).with_permission(
        permissions.call_vulnerable).select_related("user")  # fmt: skip


def people_for(cpts, *, communes=(), criteria=()):
    people = VulnerablePerson.objects.for_cpts(cpts).active()
    if communes:
        people = people.filter(commune__in=communes)
    if criteria:
        people = people.filter(criteria__code__in=criteria)
    return people.select_related("patient").distinct().order_by("pk")


def assign(people, callers) -> list[tuple]:
    """(person, caller) pairs: a person whose referent calls goes to them (they know
    them), the others to whoever has the fewest calls so far, in the order given."""
    load = {caller.pk: 0 for caller in callers}
    by_pk = {caller.pk: caller for caller in callers}
    pairs, rest = [], []
    for person in people:
        if person.referent_id in by_pk:
            pairs.append((person, by_pk[person.referent_id]))
            load[person.referent_id] += 1
        else:
            rest.append(person)
    order = [caller.pk for caller in callers]
    for person in rest:
        chosen = min(order, key=lambda pk: (load[pk], order.index(pk)))
        pairs.append((person, by_pk[chosen]))
        load[chosen] += 1
    return pairs


@transaction.atomic
def campaign_create(*, activation, actor, title, callers, communes=(), criteria=(),
                    request=None) -> CallCampaign:  # fmt: skip
    """One call per active register person matching the filters (all of them without
    filters), shared among `callers` (users who may call)."""
    from .vulnerable import CRITERIA, criteria_labels

    errors = {}
    if activation.ended_at is not None:
        errors["__all__"] = "Cette activation est terminée : plus de campagne d'appels."
    if not (title or "").strip():
        errors["title"] = "Indiquez l'intitulé de la campagne."
    allowed = set(callers_of(activation.cpts).values_list("user_id", flat=True))
    callers = list(dict.fromkeys(callers))
    if not callers:
        errors["callers"] = "Choisissez au moins un appelant."
    elif any(c.pk not in allowed for c in callers):
        errors["callers"] = "Un appelant doit être un professionnel ou la coordination de la CPTS."
    if any(code not in CRITERIA for code in criteria):
        errors["criteria"] = "Critère inconnu."
    if errors:
        raise ValidationError(errors)
    people = list(people_for(activation.cpts, communes=communes, criteria=criteria))
    if not people:
        raise ValidationError({"__all__": "Aucune personne du registre ne correspond à ces "
                                          "critères : rien à appeler."})  # fmt: skip
    campaign = CallCampaign.objects.create(cpts=activation.cpts, activation=activation,
                                           title=title.strip()[:200], created_by=actor)
    Call.objects.bulk_create([
        Call(cpts=activation.cpts, campaign=campaign, person=person, caller=caller)
        for person, caller in assign(people, callers)
    ])  # fmt: skip
    audit.record(action="crisis.call_campaign_create", actor=actor, cpts=activation.cpts,
                 obj=campaign, request=request,
                 detail={"count": len(people), "participants": len(callers),
                         "communes": [getattr(c, "name", str(c)) for c in communes],
                         "filters": criteria_labels(criteria)})  # fmt: skip
    audit.record_each(action="crisis.call_assign", subjects=[p.patient for p in people],
                      actor=actor, cpts=activation.cpts, request=request,
                      detail={"via": "crisis.campaign_new"})  # fmt: skip
    return campaign


def _reload(call):
    return Call.objects.select_related("outcome_by").get(pk=call.pk)


@transaction.atomic
def record_outcome(*, call, actor, outcome, seen_outcome, seen_attempts, note="",
                   help_mode="practice", phone="", origin="professional",
                   request=None) -> Call:  # fmt: skip
    """Record what the call gave. `seen_outcome`/`seen_attempts` are what the caller's
    page showed: if the call changed since, nothing is written and StaleCall carries the
    stored call. A person who needs help gets a same-day request (handoffs)."""
    if outcome not in RECORDABLE:
        raise ValidationError({"outcome": "Résultat d'appel inconnu."})
    if call.campaign.closed_at is not None or call.campaign.activation.ended_at is not None:
        raise ValidationError({"outcome": "Cette campagne d'appels est terminée."})
    if outcome == CallOutcome.MAYOR and seen_attempts < MAYOR_AFTER_ATTEMPTS:
        raise ValidationError({"outcome": f"Le signalement à la mairie vient après "
                                          f"{MAYOR_AFTER_ATTEMPTS} tentatives sans réponse."})
    now = timezone.now()
    changes = {"outcome": outcome, "outcome_by": actor, "outcome_at": now,
               "note": (note or "").strip()[:500] or call.note}  # fmt: skip
    if outcome == CallOutcome.NOT_REACHED:
        changes.update(attempts=seen_attempts + 1, last_attempt_at=now)
    elif outcome in (CallOutcome.FINE, CallOutcome.NEEDS_HELP):
        changes.update(attempts=seen_attempts + 1, last_attempt_at=now)
    # The guard: only the state the caller saw, still open. On PostgreSQL a concurrent
    # writer waits for this row's lock, then finds the state changed and updates nothing.
    guard = Call.objects.filter(pk=call.pk, outcome=seen_outcome, attempts=seen_attempts,
                                outcome__in=OPEN_OUTCOMES)  # fmt: skip
    if outcome == CallOutcome.MAYOR:
        guard = guard.filter(attempts__gte=MAYOR_AFTER_ATTEMPTS)
    if guard.update(**changes) == 0:
        raise StaleCall(_reload(call))
    detail = {"status": CallOutcome(outcome).label,
              "count": changes.get("attempts", seen_attempts)}
    if outcome == CallOutcome.NEEDS_HELP:
        # A ValidationError here (an unusable phone) undoes the outcome too.
        request_id = handoffs.same_day_request(call=call, actor=actor, origin=origin,
                                               mode=help_mode, phone=phone, request=request)
        Call.objects.filter(pk=call.pk).update(same_day_request=request_id)
        detail["kind"] = handoffs.HELP_MODES.get(help_mode, help_mode)
        detail["with"] = f"demande de soins non programmés {str(request_id)[:8]}"
    audit.record(action="crisis.call_outcome", actor=actor, cpts=call.cpts, obj=call,
                 patient=call.person.patient, request=request, detail=detail)  # fmt: skip
    return _reload(call)


@transaction.atomic
def reassign(*, call, actor, caller, request=None) -> Call:
    """Give a call still to make to another caller (a user who may call)."""
    if not callers_of(call.cpts).filter(user=caller).exists():
        raise ValidationError({"caller": "Un appelant doit être un professionnel ou la "
                                         "coordination de la CPTS."})  # fmt: skip
    previous = call.caller.email if call.caller_id else ""
    if Call.objects.filter(pk=call.pk, outcome__in=OPEN_OUTCOMES).update(caller=caller) == 0:
        raise StaleCall(_reload(call))
    audit.record(action="crisis.call_reassign", actor=actor, cpts=call.cpts, obj=call,
                 patient=call.person.patient, request=request,
                 detail={"from": previous, "to": caller.email})  # fmt: skip
    return _reload(call)


def progress(calls) -> dict:
    """Counts of a campaign's calls by state (a queryset of calls)."""
    counts = {"to_call": 0, "fine": 0, "needs_help": 0, "not_reached": 0, "mayor": 0}
    for outcome in calls.values_list("outcome", flat=True):
        key = "to_call" if outcome == CallOutcome.PENDING else outcome
        counts[key] += 1
    counts["total"] = sum(counts.values())
    return counts


# When one person is in several campaigns of an activation, their best news counts.
_RANK = {CallOutcome.NEEDS_HELP: 4, CallOutcome.FINE: 3, CallOutcome.MAYOR: 2,
         CallOutcome.NOT_REACHED: 1, CallOutcome.PENDING: 0}  # fmt: skip


def activation_counts(activation) -> dict:
    """People of the register called during `activation`, by outcome: aggregate only, no
    identity (the crisis board, the proofs). Exercises are counted like the rest: the
    caller decides by `activation.kind` whether the figures count."""
    best = {}
    for person_id, outcome in Call.objects.filter(campaign__activation=activation).values_list(
            "person_id", "outcome"):  # fmt: skip
        if _RANK[outcome] >= _RANK.get(best.get(person_id), -1):
            best[person_id] = outcome
    outcomes = list(best.values())
    fine = outcomes.count(CallOutcome.FINE)
    needs_help = outcomes.count(CallOutcome.NEEDS_HELP)
    return {"people": len(outcomes), "reached": fine + needs_help, "fine": fine,
            "needs_help": needs_help, "not_reached": outcomes.count(CallOutcome.NOT_REACHED),
            "mayor": outcomes.count(CallOutcome.MAYOR)}  # fmt: skip
