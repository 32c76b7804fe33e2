"""The one place the crisis app calls another mission: a vulnerable person who needs help
gets a same-day request (soins non programmés) recorded through the same-day app's own
service, as a regulator would record it. Missions never import each other elsewhere
(DESIGN.md): the call keeps only the request's public id."""

from maillage.same_day_care import services as same_day
from maillage.same_day_care.models import Mode, ReasonCategory, Urgency

HELP_MODES = {
    Mode.PRACTICE: "Rendez-vous de soins non programmés dans la journée",
    Mode.HOME: "Visite à domicile dans la journée",
}
GENERAL_PRACTICE = "10"  # RPPS profession code of a médecin


def same_day_request(*, call, actor, origin, mode, phone, request=None):
    """Record the same-day request of the person of `call`: their identity, phone and
    commune, today, at the practice or at home. Returns its public id. Raises the
    service's ValidationError (a phone it cannot use, for example)."""
    patient = call.person.patient
    snp_request = same_day.request_create(
        cpts=call.cpts, actor=actor, origin=origin, request=request,
        data={
            "last_name": patient.used_name or patient.birth_name,
            "first_name": (patient.first_names.split(" ")[0] if patient.first_names
                           else patient.first_names),
            "birth_date": patient.birth_date,
            "phone": phone,
            "commune": call.person.commune,
            "reason": ReasonCategory.OTHER,
            "profession_code": GENERAL_PRACTICE,
            "mode": Mode.HOME if mode == Mode.HOME else Mode.PRACTICE,
            "home_visit": mode == Mode.HOME,
            "urgency": Urgency.SAME_DAY,
        },
    )  # fmt: skip
    return snp_request.public_id
