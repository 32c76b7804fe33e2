"""The vulnerable register: patients of the CPTS to contact in a crisis, with their consent.

It complements the mayor's heatwave register (registre canicule, décret 2004-926, kept by
the mayor or the CCAS) and is never merged with it: nothing here imports from it or
exports to it. Registration needs the person's consent (given by them or by a third
party, as for the mayor's register). Who may read it is crisis/access.py; every write
below leaves an audit row naming the patient.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.patients.access import grant_access, revoke_access

from .models import VulnerableCriterion, VulnerablePerson

# Why a person is on the register. Codes are stored; labels are what people read.
CRITERIA: dict[str, str] = {
    "age65_isolated": "65 ans ou plus et isolé(e)",
    "home_oxygen": "Oxygène à domicile",
    "dialysis": "Dialyse",
    "insulin": "Traitement par insuline",
    "heavy_dependency": "Dépendance lourde (GIR 1-2)",
    "disability": "Handicap",
    "age60_unfit": "60 ans ou plus, inapte au travail",
    "social_isolation": "Isolement social",
    "high_risk_pregnancy": "Grossesse à risque",
    "child_special_needs": "Enfant à besoins particuliers",
    "home_ventilation": "Ventilation ou appareillage électrique à domicile",
    "cognitive_disorder": "Troubles cognitifs",
    "bedridden": "Personne alitée",
}


class ConsentBy:
    PERSON = "person"
    THIRD_PARTY = "third_party"
    CHOICES = [(PERSON, "La personne elle-même"),
               (THIRD_PARTY, "Un tiers (proche, aidant, représentant légal)")]  # fmt: skip
    LABELS = dict(CHOICES)


# The reason of the need-to-know grant the referent receives on the patient.
REFERENT_GRANT = "crisis.register_referent"
NO_CONSENT = "Sans consentement, la personne ne peut pas être inscrite."

AUDIT_LABELS: dict = {
    "actions": {
        "crisis.register_create": "Inscription au registre des personnes vulnérables",
        "crisis.register_update": "Modification d'une inscription au registre des personnes "
                                  "vulnérables",
        "crisis.register_archive": "Retrait du registre des personnes vulnérables "
                                   "(consentement retiré)",
        "crisis.register_read": "Lecture d'une inscription au registre des personnes "
                                "vulnérables",
        "crisis.register_list": "Liste du registre des personnes vulnérables",
        "crisis.register_export": "Export du registre des personnes vulnérables",
    },
    "objects": {"crisis.VulnerablePerson": "Inscription au registre des personnes vulnérables"},
    # Fields named in the "changed" detail of an update.
    "fields": {"referent": "référent", "commune": "commune", "consent_on": "date du "
               "consentement", "consent_by": "consentement donné par", "notes": "consignes",
               "criteria": "critères"},
    "places": {
        "crisis.register": "registre des personnes vulnérables",
        "crisis.register_new": "inscription au registre (personne déjà inscrite)",
        "crisis.register_export": "export CSV du registre des personnes vulnérables",
    },
}  # fmt: skip


class AlreadyRegistered(Exception):
    """The patient is already on the active register: `person` is that registration."""

    def __init__(self, person):
        super().__init__("already registered")
        self.person = person


def criteria_labels(codes) -> list[str]:
    return [CRITERIA.get(code, code) for code in codes]


def _check(*, consent_on, consent_by, criteria, referent_membership) -> dict:
    errors = {}
    if consent_on is None:
        errors["consent_on"] = NO_CONSENT
    elif consent_on > timezone.localdate():
        errors["consent_on"] = "La date du consentement ne peut pas être dans le futur."
    elif consent_on < datetime.date(2000, 1, 1):
        errors["consent_on"] = "Date du consentement improbable : vérifiez l'année."
    if consent_by not in ConsentBy.LABELS:
        errors["consent_by"] = NO_CONSENT + " Indiquez qui l'a donné."
    unknown = [c for c in criteria if c not in CRITERIA]
    if not criteria:
        errors["criteria"] = "Cochez au moins un critère de vulnérabilité."
    elif unknown:
        errors["criteria"] = "Critère inconnu."
    if referent_membership is None:
        errors["referent"] = "Choisissez le professionnel référent."
    else:
        from maillage.core import permissions

        if not permissions.keep_vulnerable_register(referent_membership):
            errors["referent"] = ("Le référent doit être un professionnel de santé ou la "
                                  "coordination de la CPTS.")  # fmt: skip
    return errors


@transaction.atomic
def register_create(*, cpts, actor, patient, referent_membership, commune, consent_on,
                    consent_by, criteria, notes="", request=None) -> VulnerablePerson:  # fmt: skip
    """Put a patient on the register. Refuses without consent (date not in the future,
    and who gave it), without a criterion or a referent; a patient already registered
    raises AlreadyRegistered. The referent is granted need-to-know on the patient."""
    criteria = sorted(set(criteria or []))
    errors = _check(consent_on=consent_on, consent_by=consent_by, criteria=criteria,
                    referent_membership=referent_membership)  # fmt: skip
    if patient is None or patient.cpts_id != cpts.pk:
        errors["patient"] = "Choisissez un patient de la CPTS."
    if commune is None:
        errors["commune"] = "Indiquez la commune de la personne."
    if errors:
        raise ValidationError(errors)
    existing = VulnerablePerson.objects.for_cpts(cpts).active().filter(patient=patient).first()
    if existing is not None:
        raise AlreadyRegistered(existing)
    try:
        with transaction.atomic():
            person = VulnerablePerson.objects.create(
                cpts=cpts, patient=patient, referent=referent_membership.user, commune=commune,
                consent_on=consent_on, consent_by=consent_by, consent_recorded_by=actor,
                notes=notes.strip(),
            )  # fmt: skip
    except IntegrityError:  # registered by someone else at the same moment
        raise AlreadyRegistered(
            VulnerablePerson.objects.for_cpts(cpts).active().get(patient=patient)
        ) from None
    VulnerableCriterion.objects.bulk_create(
        [VulnerableCriterion(person=person, code=code) for code in criteria])  # fmt: skip
    grant_access(patient=patient, user=referent_membership.user, reason=REFERENT_GRANT)
    audit.record(action="crisis.register_create", actor=actor, cpts=cpts, obj=person,
                 patient=patient, request=request,
                 detail={"value": criteria_labels(criteria),
                         "method": ConsentBy.LABELS[consent_by],
                         "with": referent_membership.user.email})  # fmt: skip
    return person


@transaction.atomic
def register_update(*, person, actor, referent_membership, commune, consent_on, consent_by,
                    criteria, notes="", request=None) -> VulnerablePerson:  # fmt: skip
    criteria = sorted(set(criteria or []))
    errors = _check(consent_on=consent_on, consent_by=consent_by, criteria=criteria,
                    referent_membership=referent_membership)  # fmt: skip
    if commune is None:
        errors["commune"] = "Indiquez la commune de la personne."
    if errors:
        raise ValidationError(errors)
    person = VulnerablePerson.objects.select_for_update().get(pk=person.pk)
    if person.archived_at is not None:
        raise ValidationError({"__all__": "Cette personne a été retirée du registre."})
    before = {"referent": person.referent_id, "commune": person.commune_id,
              "consent_on": person.consent_on, "consent_by": person.consent_by,
              "notes": person.notes,
              "criteria": sorted(person.criteria.values_list("code", flat=True))}  # fmt: skip
    new_referent = referent_membership.user
    if new_referent.pk != person.referent_id:
        _revoke_referent(person)
        grant_access(patient=person.patient, user=new_referent, reason=REFERENT_GRANT)
    person.referent, person.commune = new_referent, commune
    person.consent_on, person.consent_by, person.notes = consent_on, consent_by, notes.strip()
    person.save(update_fields=["referent", "commune", "consent_on", "consent_by", "notes"])
    person.criteria.exclude(code__in=criteria).delete()
    have = set(person.criteria.values_list("code", flat=True))
    VulnerableCriterion.objects.bulk_create(
        [VulnerableCriterion(person=person, code=c) for c in criteria if c not in have])
    after = {"referent": new_referent.pk, "commune": commune.pk, "consent_on": consent_on,
             "consent_by": consent_by, "notes": notes.strip(), "criteria": criteria}
    audit.record(action="crisis.register_update", actor=actor, cpts=person.cpts, obj=person,
                 patient=person.patient, request=request,
                 detail={"changed": [name for name, value in after.items()
                                     if before[name] != value]})  # fmt: skip
    return person


def _revoke_referent(person):
    # Only the grant the register gave: a care team's or a referral's stays.
    revoke_access(patient=person.patient, user=person.referent, reason=REFERENT_GRANT)


@transaction.atomic
def register_archive(*, person, actor, reason="", request=None) -> VulnerablePerson:
    """Consent withdrawn: the person leaves the register and its lists (calls still to
    make included); the audit trail keeps every read and write. Idempotent."""
    person = VulnerablePerson.objects.select_for_update().get(pk=person.pk)
    if person.archived_at is not None:
        return person
    person.archived_at = timezone.now()
    person.save(update_fields=["archived_at"])
    _revoke_referent(person)
    audit.record(action="crisis.register_archive", actor=actor, cpts=person.cpts, obj=person,
                 patient=person.patient, request=request,
                 detail={"reason": reason[:300]})  # fmt: skip
    return person


def export_rows(people) -> list[list]:
    """The CSV rows of the coordination's export (cells neutralised by core.exports)."""
    today = timezone.localdate()
    rows = []
    for person in people:
        patient = person.patient
        rows.append([
            patient.display_name, f"{patient.birth_date:%d/%m/%Y}", patient.age(today),
            patient.phone, person.commune.name, person.commune.code,
            " ; ".join(criteria_labels(c.code for c in person.criteria.all())),
            person.referent.get_full_name() or person.referent.email,
            f"{person.consent_on:%d/%m/%Y}", ConsentBy.LABELS.get(person.consent_by, ""),
            person.notes,
        ])  # fmt: skip
    return rows


EXPORT_HEADER = ["Nom", "Date de naissance", "Âge", "Téléphone", "Commune", "Code INSEE",
                 "Critères", "Référent", "Consentement le", "Consentement donné par",
                 "Consignes"]  # fmt: skip
