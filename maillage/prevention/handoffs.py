"""The one place the prevention app calls other missions (DESIGN.md: missions never
import each other elsewhere): a positive screening without médecin traitant becomes a
request in the médecin-traitant queue through gp_access's own service, and a confirmed
diabetes is proposed for the diabetes pathway through the pathways enrol page. Only the
request's public id is kept on the follow-up."""

from urllib.parse import urlencode

from django.urls import reverse

from maillage.gp_access import services as gp_access
from maillage.gp_access.models import Origin

# The shipped pathway template a confirmed diabetes is proposed for (pathways/shipped.py).
DIABETES_PATHWAY = "diabete-type-2"


def gp_request(*, cpts, patient, actor, reason, request=None):
    """Create the request in the médecin-traitant queue, its priority computed by
    gp_access's rules (ALD, age 70+, C2S...), the screening reason as its message. Returns
    its public id. Raises the service's ValidationError (e.g. a request already open)."""
    created = gp_access.request_create(
        cpts=cpts, actor=actor, patient=patient, origin=Origin.SCREENING,
        message=f"Dépistage positif : {reason}", request=request,
    )  # fmt: skip
    return created.public_id


def pathway_enrol_url(cpts, patient) -> str:
    """The pathways enrol page with the patient and the diabetes template preselected."""
    query = urlencode({"patient": str(patient.public_id), "parcours": DIABETES_PATHWAY})
    return reverse("pathways:enrol", args=[cpts.slug]) + "?" + query
