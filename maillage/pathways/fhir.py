"""A patient's care plans as FHIR R4: a Bundle of type "collection" holding the Patient,
one CarePlan and one CareTeam per enrolment the caller may see, the Practitioners they
name and an Observation per recorded result.

Every resource is built through the fhir.resources R4B models (docs/decisions/0005: the
R4B shapes of these resources are those of R4), so a wrong shape fails here. Resources
are identified inside the bundle by `urn:uuid:` full URLs made of our public ids, and
reference each other that way: the bundle stands alone, whoever reads it.

Task -> CarePlan.activity.detail:
- code.text: the step label (or the free label of a task decided in concertation);
- status: "scheduled" (open), "completed" (done), "cancelled";
- scheduledPeriod.end: the due date (the task is to be done by then);
- performer: the assignee, or for a done task whoever completed it;
- outcomeReference: the Observation holding the result, when one was recorded.
"""

import re
import uuid

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.practitioner import Practitioner

from .documents import Contact, PathwayPlan, Pps, profession_of
from .models import ResultKind, Task

IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"  # idNat_PS: "8" + RPPS, "0" + ADELI
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
FR_CORE_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
# Our own small code systems (no national code exists for a care team's referent).
CARE_TEAM_ROLE_SYSTEM = "urn:maillage:fhir:care-team-role"
PATHWAY_STEP_SYSTEM = "urn:maillage:fhir:pathway-step"
_NATIONAL_ID = re.compile(r"^(8\d{11}|0(\d{2}|2[AB])\d{7})$")
# Fixed namespace: a CareTeam has no public id of its own; derive a stable one.
_ID_NAMESPACE = uuid.UUID("0c0a3f56-8e53-4d0b-9a54-3a4f1c6f2b70")

GENDERS = {"F": "female", "M": "male", "I": "unknown"}
ACTIVITY_STATUS = {
    Task.Status.DUE: "scheduled",
    Task.Status.DONE: "completed",
    Task.Status.CANCELLED: "cancelled",
}


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True)


def _urn(value) -> str:
    return f"urn:uuid:{value}"


def _ref(value, display: str | None = None) -> dict:
    reference = {"reference": _urn(value)}
    if display:
        reference["display"] = display
    return reference


def care_team_id(enrolment) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"care-team:{enrolment.public_id}"))


def patient_resource(patient, attending_gp: Contact | None = None) -> FhirPatient:
    names = [{"use": "official", "family": patient.birth_name,
              "given": patient.first_names.split() or None}]  # fmt: skip
    if patient.used_name and patient.used_name != patient.birth_name:
        names.append({"use": "usual", "family": patient.used_name,
                      "given": patient.first_names.split()[:1] or None})  # fmt: skip
    data = {
        "id": str(patient.public_id),
        "name": names,
        "birthDate": patient.birth_date,
        "gender": GENDERS.get(patient.sex, "unknown"),
    }
    if patient.nir:
        # The matricule INS when the NIR is known. Its identity status (qualified through
        # the INSi teleservice or not) is not carried: a receiver that needs a qualified
        # INS checks it with INSi.
        data["identifier"] = [{
            "use": "official",
            "type": {"coding": [{"system": FR_CORE_V2_0203, "code": "INS-NIR"}],
                     "text": "INS-NIR"},
            "system": INS_NIR_SYSTEM,
            "value": patient.nir,
        }]  # fmt: skip
    if attending_gp is not None:
        data["generalPractitioner"] = [_ref(attending_gp.public_id, attending_gp.name)]
    if patient.commune_id:
        data["address"] = [{"city": patient.commune.name, "district": patient.commune.code,
                            "country": "FR"}]  # fmt: skip
    return FhirPatient(**data)


def practitioner_resource(contact: Contact) -> Practitioner:
    data = {"id": contact.public_id}
    name = {"text": contact.name}
    if contact.last_name:
        name["family"] = contact.last_name
    if contact.first_name:
        name["given"] = [contact.first_name]
    data["name"] = [name]
    if _NATIONAL_ID.match(contact.national_id or ""):
        data["identifier"] = [{"system": IDNPS_SYSTEM, "value": contact.national_id}]
    if contact.email:
        data["telecom"] = [{"system": "email", "value": contact.email, "use": "work"}]
    return Practitioner(**data)


def care_team_resource(plan: PathwayPlan, patient_id: str) -> CareTeam:
    participants = []
    for line in plan.team:
        roles = [{"text": line.role or line.contact.profession or "Membre de l'équipe"}]
        if line.is_referent:
            roles.append({"coding": [{"system": CARE_TEAM_ROLE_SYSTEM, "code": "referent",
                                      "display": "Référent"}], "text": "Référent"})  # fmt: skip
        member = _ref(line.contact.public_id, line.contact.name)
        participants.append({"role": roles, "member": member})
    data = {
        "id": care_team_id(plan.enrolment),
        "status": "inactive" if plan.ended_on else "active",
        "name": f"Équipe de soins : {plan.name}",
        "subject": _ref(patient_id),
        "period": {"start": plan.enrolled_on},
    }
    if plan.ended_on:
        data["period"]["end"] = plan.ended_on
    if participants:
        data["participant"] = participants
    return CareTeam(**data)


def observation_resource(task: Task, patient_id: str, contacts) -> Observation | None:
    """The recorded result of a done task, or None when it has no value."""
    if task.status != Task.Status.DONE:
        return None
    data = {
        "id": str(task.public_id),
        "status": "final",
        "code": _code(task),
        "subject": _ref(patient_id),
        "effectiveDateTime": task.completed_on,
    }
    kind = task.step.result_kind if task.step_id else ResultKind.NONE
    if task.result_number is not None:
        if kind == ResultKind.GRADE:
            data["valueInteger"] = int(task.result_number)
        else:
            data["valueQuantity"] = {"value": task.result_number}
            if task.step_id and task.step.unit:
                data["valueQuantity"]["unit"] = task.step.unit
    elif task.result_bool is not None:
        data["valueCodeableConcept"] = {"text": "normal" if task.result_bool else "anormal"}
    else:
        return None
    if task.result_note:
        data["note"] = [{"text": task.result_note}]
    if task.completed_by_id:
        who = contacts[task.completed_by_id]
        data["performer"] = [_ref(who.public_id, who.name)]
    return Observation(**data)


def _code(task: Task) -> dict:
    code = {"text": task.title}
    if task.step_id:
        code["coding"] = [{"system": PATHWAY_STEP_SYSTEM, "code": task.step.code,
                           "display": task.step.label}]  # fmt: skip
    return code


def _activity(task: Task, contacts, observation) -> dict:
    detail = {
        "code": _code(task),
        "status": ACTIVITY_STATUS[task.status],
        "scheduledPeriod": {"end": task.due_date},
    }
    performer_id = task.completed_by_id if task.status == Task.Status.DONE else None
    performer_id = performer_id or task.assignee_id
    if performer_id:
        who = contacts[performer_id]
        detail["performer"] = [_ref(who.public_id, who.name)]
    described = []
    profession = profession_of(task)
    if profession:
        described.append(f"Profession attendue : {profession}")
    if task.completed_on:
        described.append(f"Fait le {task.completed_on:%d/%m/%Y}")
    if described:
        detail["description"] = ". ".join(described) + "."
    activity = {"detail": detail}
    if observation is not None:
        activity["outcomeReference"] = [_ref(observation.id)]
    return activity


def care_plan_resource(plan: PathwayPlan, patient_id: str, contacts, observations) -> CarePlan:
    data = {
        "id": str(plan.enrolment.public_id),
        "status": "completed" if plan.ended_on else "active",
        "intent": "plan",
        "title": plan.name,
        "subject": _ref(patient_id),
        "period": {"start": plan.enrolled_on},
        "careTeam": [_ref(care_team_id(plan.enrolment))],
    }
    if plan.ended_on:
        data["period"]["end"] = plan.ended_on
    activities = [_activity(t, contacts, observations.get(t.pk)) for t in plan.tasks]
    if activities:
        data["activity"] = activities
    return CarePlan(**data)


def care_plan_bundle(pps: Pps) -> dict:
    """The whole export as JSON-ready data, validated by the models on the way."""
    patient_id = str(pps.patient.public_id)
    resources = [patient_resource(pps.patient, pps.attending_gp)]
    # Contacts a resource refers to: each gets its Practitioner.
    named = {pps.attending_gp.user_id} if pps.attending_gp else set()
    for plan in pps.pathways:
        observations = {}
        for task in plan.tasks:
            observation = observation_resource(task, patient_id, pps.contacts)
            if observation is not None:
                observations[task.pk] = observation
        resources.append(care_plan_resource(plan, patient_id, pps.contacts, observations))
        resources.append(care_team_resource(plan, patient_id))
        resources += observations.values()
        named |= {line.contact.user_id for line in plan.team}
        for task in plan.tasks:
            named |= {task.assignee_id, task.completed_by_id if task.status == "done" else None}
    named.discard(None)
    resources += [practitioner_resource(pps.contacts[pk]) for pk in sorted(named)]
    bundle = Bundle(
        id=str(uuid.uuid4()),
        type="collection",
        timestamp=pps.edited_at.isoformat(timespec="seconds"),
        entry=[{"fullUrl": _urn(r.id), "resource": r} for r in resources],
    )
    return _dump(bundle)
