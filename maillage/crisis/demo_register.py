"""Demo: a few people of the vulnerable register, taken from the demo's patients (the
oldest first), with their consent, criteria and a referent each. Idempotent: a patient
already registered, or who withdrew their consent, is left alone.

Not wired into maillage/demo: call `build(cpts, coordinator, referents)` from the demo
builder (referents: the users who keep the register, e.g. the demo GP and nurse)."""

import datetime

from django.utils import timezone

from maillage.core.models import Membership
from maillage.patients.models import Patient

from . import vulnerable
from .models import VulnerablePerson

HOW_MANY = 6
# Criteria of the demo people in turn, with the consent given by them or a third party.
PROFILES = (
    (("age65_isolated", "social_isolation"), vulnerable.ConsentBy.PERSON,
     "Vit seule au 2e étage sans ascenseur."),
    (("home_oxygen",), vulnerable.ConsentBy.PERSON,
     "Concentrateur d'oxygène : prévenir si coupure."),
    (("dialysis", "insulin"), vulnerable.ConsentBy.THIRD_PARTY, "Fille joignable le soir."),
    (("heavy_dependency",), vulnerable.ConsentBy.THIRD_PARTY,
     "GIR 2 ; clé chez la gardienne."),
    (("disability", "age60_unfit"), vulnerable.ConsentBy.PERSON, ""),
    (("insulin", "age65_isolated"), vulnerable.ConsentBy.PERSON, "Malentendant : parler fort."),
)  # fmt: skip


def build(cpts, coordinator, referents) -> list[VulnerablePerson]:
    """Register up to HOW_MANY demo patients not registered yet; returns those added."""
    referents = list(Membership.objects.active().filter(
        cpts=cpts, user__in=list(referents)).select_related("user").order_by("pk"))  # fmt: skip
    if not referents:
        return []
    if VulnerablePerson.objects.for_cpts(cpts).count() >= HOW_MANY:
        return []
    known = set(VulnerablePerson.objects.for_cpts(cpts).values_list("patient_id", flat=True))
    candidates = (Patient.objects.for_cpts(cpts).current().filter(commune__isnull=False)
                  .exclude(pk__in=known).order_by("birth_date", "pk"))  # fmt: skip
    added = []
    today = timezone.localdate()
    missing = HOW_MANY - len(known)
    for index, patient in enumerate(candidates[:missing]):
        criteria, consent_by, notes = PROFILES[index % len(PROFILES)]
        added.append(vulnerable.register_create(
            cpts=cpts, actor=coordinator, patient=patient,
            referent_membership=referents[index % len(referents)], commune=patient.commune,
            consent_on=today - datetime.timedelta(days=30 + 7 * index), consent_by=consent_by,
            criteria=list(criteria), notes=notes,
        ))  # fmt: skip
    return added
