"""Helpers of the register and calls tests (imported explicitly by those test files)."""

import datetime

from django.utils import timezone

from maillage.core.models import Membership
from maillage.crisis import vulnerable
from maillage.crisis.models import Activation
from maillage.patients.services import patient_create
from maillage.territory.models import Commune


def person(cpts, coordinator, birth_name, *, first="Odette", born="1940-02-03",
           commune="38053", phone="0611223344"):
    return patient_create(cpts=cpts, actor=coordinator, consent_method="oral",
                          allow_duplicate=True,
                          data={"birth_name": birth_name, "first_names": first,
                                "birth_date": born, "sex": "F", "commune": commune,
                                "phone": phone})  # fmt: skip


def membership(user, cpts):
    return Membership.objects.select_related("user").get(user=user, cpts=cpts)


def register(cpts, coordinator, patient, referent, *, criteria=("home_oxygen",),
             commune=None, notes=""):
    return vulnerable.register_create(
        cpts=cpts, actor=coordinator, patient=patient,
        referent_membership=membership(referent, cpts),
        commune=commune or patient.commune or Commune.objects.get(code="38053"),
        consent_on=timezone.localdate() - datetime.timedelta(days=10),
        consent_by=vulnerable.ConsentBy.PERSON, criteria=list(criteria), notes=notes,
    )  # fmt: skip


def activation(cpts, coordinator, *, kind="exercise"):
    return Activation.objects.create(cpts=cpts, kind=kind, crisis_type="afflux-malades",
                                     title="Canicule d'essai", started_by=coordinator)
