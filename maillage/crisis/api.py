"""API of the crisis mission: /api/v1/crisis/..."""

from ninja import Router

router = Router(tags=["crise"])

# -- plan --
import datetime  # noqa: E402

from ninja import Schema  # noqa: E402
from ninja import Status as PlanStatus  # noqa: E402

from maillage.core import permissions  # noqa: E402
from maillage.core.api import api_membership, api_permission  # noqa: E402
from maillage.core.api_types import ERRORS, CptsSlug  # noqa: E402

from . import plan as crisis_plan  # noqa: E402


class PlanSectionOut(Schema):
    code: str
    title: str
    body: str


class PlanOut(Schema):
    version: int
    approved_at: datetime.datetime
    approved_by: str
    delivered_on: datetime.date | None
    frame_version: str
    sections: list[PlanSectionOut]


@router.get("/crisis/plan", response={200: PlanOut, **ERRORS},
            summary="Le plan de crise en vigueur (la dernière version approuvée)")  # fmt: skip
@api_permission(permissions.see_crisis_plan)
def crisis_plan_current(request, cpts: CptsSlug | None = None):
    membership = api_membership(request, cpts)
    version = crisis_plan.newest_approved(membership.cpts)
    if version is None:
        return PlanStatus(404, {"detail": "Aucune version du plan de crise n'est encore "
                                "approuvée par le bureau.", "errors": []})  # fmt: skip
    return {
        "version": version.number, "approved_at": version.approved_at,
        "approved_by": crisis_plan.person_name(version.approved_by),
        "delivered_on": version.delivered_on, "frame_version": version.frame_version,
        "sections": [{"code": s["code"], "title": s["title"], "body": s.get("body", "")}
                     for s in version.sections],
    }  # fmt: skip


# -- activations --


# -- alerts --
