"""API of the ACI contract: /api/v1/aci/..."""

from ninja import Router

router = Router(tags=["contrat ACI"])

# Each area adds its operations in its own block (contract, funding, report).

# -- contract --
# The body is checked by contract.clean_payload, not by the schema, so every refusal
# names its field the same way ("missions[1].years[0].fixed") as the page's form does.
from typing import Any  # noqa: E402

from ninja import Schema  # noqa: E402
from ninja import Status as Response  # noqa: E402

from maillage.core import audit, permissions  # noqa: E402
from maillage.core.api import api_membership, api_permission  # noqa: E402
from maillage.core.api_types import ERRORS, WRITE_ERRORS, CptsSlug  # noqa: E402

from . import access as contract_access  # noqa: E402
from . import contract as contract_services  # noqa: E402


class MissionYearIn(Schema):
    year: Any = None
    fixed: Any = None
    variable: Any = None


class MissionIn(Schema):
    code: Any = None
    started_on: Any = None
    years: list[MissionYearIn] | None = None


class ContractIn(Schema):
    signed_on: Any = None
    size_class: Any = None
    operating_grant: Any = None
    missions: list[MissionIn] | None = None


class MissionYearOut(Schema):
    year: int
    fixed: str
    variable: str


class MissionOut(Schema):
    code: str
    started_on: str | None
    years: list[MissionYearOut]


class ContractOut(Schema):
    signed_on: str
    size_class: int
    operating_grant: str
    years: int
    missions: list[MissionOut]
    warnings: list[str]


def _contract_unprocessable(exc):
    pairs = ([(f, " ".join(m)) for f, m in exc.message_dict.items()]
             if hasattr(exc, "error_dict") else [(None, " ".join(exc.messages))])  # fmt: skip
    errors = [{"field": f, "message": m} for f, m in pairs]
    first = errors[0]
    detail = f"{first['field']} : {first['message']}" if first["field"] else first["message"]
    return Response(422, {"detail": detail, "errors": errors})


@router.get("/aci/contract", response={200: ContractOut, **ERRORS},
            summary="Le contrat ACI : signature, taille, montants par mission")  # fmt: skip
@api_permission(permissions.see_contract)
def aci_contract_get(request, cpts: CptsSlug | None = None):
    from django.http import Http404

    membership = api_membership(request, cpts)
    contract = contract_access.contract_of(membership.cpts)
    if contract is None:
        raise Http404
    if permissions.reads_audited(membership):
        audit.record(action="reporting.funder_read", actor=request.auth, cpts=membership.cpts,
                     obj=contract, request=request,
                     detail={"where": "reporting.api_contract"})  # fmt: skip
    return contract_services.as_payload(contract)


@router.put("/aci/contract", response={200: ContractOut, **WRITE_ERRORS},
            summary="Remplacer le contrat ACI (le crée s'il n'existe pas)")  # fmt: skip
@api_permission(permissions.manage_contract)
def aci_contract_put(request, payload: ContractIn, cpts: CptsSlug | None = None):
    from django.core.exceptions import ValidationError

    membership = api_membership(request, cpts)
    try:
        contract = contract_services.save_payload(cpts=membership.cpts, payload=payload.dict(),
                                                  actor=request.auth, request=request)  # fmt: skip
    except ValidationError as exc:
        return _contract_unprocessable(exc)
    return contract_services.as_payload(contract)


# -- funding --

# -- report --
