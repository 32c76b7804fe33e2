"""Helpers of the activation tests: the cell, the plan's actions, answers, calls."""

import datetime

from django.utils import timezone

from maillage.crisis import activations, plan
from maillage.crisis.models import (
    AlertRecipient,
    Call,
    CallCampaign,
    Contact,
    VulnerablePerson,
)
from maillage.patients.services import patient_create
from maillage.territory.models import Commune


def cell_member(cpts, user, *, in_cell=True, name=None) -> Contact:
    return Contact.objects.create(cpts=cpts, name=name or user.get_full_name() or user.email,
                                  account=user, email=user.email, in_cell=in_cell,
                                  profession_code="10")  # fmt: skip


def plan_actions(cpts, author, crisis_type="nrbc",
                 body="Contexte\n- Réunir la cellule\n- Prévenir le Centre 15\n"):  # fmt: skip
    plan.record_revision(cpts=cpts, section=f"sheet-{crisis_type}", body=body, author=author)
    return plan.actions_for(cpts, crisis_type)


def crisis(cpts, actor, **extra):
    values = {"kind": "crisis", "crisis_type": "nrbc", "title": "Fuite chimique",
              "trigger_authority": "prefet", "trigger_reference": "Arrêté 2026-114"}
    values.update(extra)
    return activations.activate(cpts=cpts, actor=actor, **values)


def exercise(cpts, actor, **extra):
    values = {"kind": "exercise", "crisis_type": "nrbc", "title": "Exercice NRBC"}
    values.update(extra)
    return activations.activate(cpts=cpts, actor=actor, **values)


def answer_available(alert, contact, answer="available_now", at=None):
    recipient = AlertRecipient.objects.get(alert=alert, contact=contact)
    notification = recipient.notification
    notification.answer = answer
    notification.answered_at = at or timezone.now()
    notification.save(update_fields=["answer", "answered_at"])
    return recipient


def reached_call(cpts, activation, coordinator, *, outcome="fine", name="Ondine"):
    patient = patient_create(cpts=cpts, actor=coordinator, consent_method="oral",
                             allow_duplicate=True,
                             data={"birth_name": name, "first_names": "Lou",
                                   "birth_date": "1940-01-02", "sex": "F", "commune": "38053",
                                   "phone": "0611223344"})  # fmt: skip
    person = VulnerablePerson.objects.create(
        cpts=cpts, patient=patient, referent=coordinator,
        commune=Commune.objects.get(code="38053"),
        consent_on=datetime.date(2026, 1, 5), consent_by="person")  # fmt: skip
    campaign = CallCampaign.objects.create(cpts=cpts, activation=activation, title="Appels",
                                           created_by=coordinator)  # fmt: skip
    return Call.objects.create(cpts=cpts, campaign=campaign, person=person, outcome=outcome)
