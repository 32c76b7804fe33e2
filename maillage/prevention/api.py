"""API of the prevention mission: /api/v1/prevention/..."""

from ninja import Router

router = Router(tags=["prévention"])

# Each area adds its operations in its own block (programme, screening, indicators).

# -- programme --

# -- screening --

# -- indicators --
# The figures of one action; for a vaccination campaign also its doses and coverage
# (doses, not people: a first dose is not told apart). Counts only, no patient data.

import datetime as _dt  # noqa: E402

from ninja import Schema as _Schema  # noqa: E402

from maillage.core import permissions as _permissions  # noqa: E402
from maillage.core.access import get_by_public_id as _get_by_public_id  # noqa: E402
from maillage.core.api import api_membership as _api_membership  # noqa: E402
from maillage.core.api import api_permission as _api_permission  # noqa: E402
from maillage.core.api_types import ERRORS as _ERRORS  # noqa: E402
from maillage.core.api_types import CptsSlug as _CptsSlug  # noqa: E402


class DosesByOut(_Schema):
    label: str
    doses: int


class DosesByWeekOut(_Schema):
    week: _dt.date
    doses: int


class CampaignOut(_Schema):
    doses: int
    by_vaccine: list[DosesByOut]
    by_age_band: list[DosesByOut]
    by_week: list[DosesByWeekOut]
    by_site: list[DosesByOut]
    target_size: int | None
    target_note: str
    objective_rate: float | None
    coverage: float | None
    objective_reached: bool


class ActionIndicatorsOut(_Schema):
    id: str
    kind: str
    title: str
    informed: int | None
    screened: int
    positive: int
    referred: int
    seen: int
    lost: int
    campaign: CampaignOut | None


def _pairs(rows):
    return [{"label": str(label), "doses": n or 0} for label, n in rows]


@router.get("/prevention/actions/{action_id}/indicators",
            response={200: ActionIndicatorsOut, **_ERRORS},
            summary="Les chiffres d'une action : informés, dépistés, positifs, orientés, vus, "
                    "perdus de vue ; pour une campagne, les doses et la couverture")  # fmt: skip
@_api_permission(_permissions.see_prevention_indicators)
def action_indicators(request, action_id: str, cpts: _CptsSlug | None = None):
    from . import indicators as _indicators
    from .models import Action as _Action

    membership = _api_membership(request, cpts)
    action = _get_by_public_id(_Action.objects.for_cpts(membership.cpts)
                               .select_related("programme_theme"), action_id)  # fmt: skip
    data = _indicators.action_indicators(action)
    campaign = data["campaign"]
    if campaign is not None:
        campaign = {
            **campaign,
            "by_vaccine": _pairs(campaign["by_vaccine"]),
            "by_age_band": _pairs(campaign["by_age_band"]),
            "by_site": _pairs(campaign["by_site"]),
            "by_week": [{"week": w, "doses": n} for w, n in campaign["by_week"]],
            "objective_rate": (float(campaign["objective_rate"])
                               if campaign["objective_rate"] is not None else None),
            "coverage": float(campaign["coverage"]) if campaign["coverage"] is not None
            else None,
        }  # fmt: skip
    return {"id": str(action.public_id), "kind": action.kind, "title": action.title,
            **data["figures"], "campaign": campaign}  # fmt: skip
