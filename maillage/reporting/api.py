"""API of the ACI contract: /api/v1/aci/..."""

from ninja import Router

router = Router(tags=["contrat ACI"])

# Each area adds its operations in its own block (contract, funding, report).

# -- contract --

# -- funding --

# -- report --
# The year's report as a file: the latest stored version, or, when none was generated yet,
# a draft made on the fly and stored nowhere (a GET writes no report).
from typing import Literal as _Literal  # noqa: E402

from django.core.exceptions import ValidationError as _ValidationError  # noqa: E402
from django.http import HttpResponse as _HttpResponse  # noqa: E402
from ninja import Status as _Status  # noqa: E402

from maillage.core import audit as _audit  # noqa: E402
from maillage.core import permissions as _permissions  # noqa: E402
from maillage.core.api import api_membership as _api_membership  # noqa: E402
from maillage.core.api import api_permission as _api_permission  # noqa: E402
from maillage.core.api_types import ERRORS as _ERRORS  # noqa: E402
from maillage.core.api_types import CptsSlug as _CptsSlug  # noqa: E402

from . import access as _access  # noqa: E402
from . import report as _report  # noqa: E402
from . import years as _years  # noqa: E402

_FILE = {"schema": {"type": "string", "format": "binary"}}


def _unprocessable(field: str, message: str):
    return _Status(422, {"detail": f"{field} : {message}",
                         "errors": [{"field": field, "message": message}]})  # fmt: skip


@router.get(
    "/aci/report", response={200: None, **_ERRORS},
    summary="Le rapport annuel d'une année du contrat, en PDF ou en XLSX",
    description="La dernière version générée de l'année ; à défaut, un brouillon produit à "
    "la volée et non enregistré. 422 pour une année hors du contrat ou un format inconnu, "
    "404 sans contrat.",
    openapi_extra={"responses": {"200": {
        "description": "Le fichier du rapport",
        "content": dict.fromkeys(_report.FORMATS.values(), _FILE)}}},
)  # fmt: skip
@_api_permission(_permissions.see_contract)
def aci_report(request, year: int | None = None, format: _Literal["pdf", "xlsx"] = "pdf",
               cpts: _CptsSlug | None = None):  # fmt: skip
    membership = _api_membership(request, cpts)
    contract = _access.contract_of(membership.cpts)
    if contract is None:
        return _Status(404, {"detail": "Aucun contrat ACI n'est saisi pour cette CPTS.",
                             "errors": []})  # fmt: skip
    if year is None:
        return _unprocessable("year", "Champ obligatoire : l'année du contrat (1, 2, 3…).")
    try:
        year = _years.check_year(contract, year)
    except _ValidationError as exc:
        return _unprocessable("year", " ".join(exc.message_dict["year"]))
    stored = _report.latest(contract, year)
    if stored is not None:
        content, name = bytes(getattr(stored, format)), _report.filename(stored, format)
        _audit.record(action="reporting.report_downloaded", actor=request.auth,
                      cpts=membership.cpts, obj=stored, request=request,
                      detail={"year": year, "version": stored.version, "format": format})
    else:
        data, pdf, xlsx = _report.draft_files(contract, year)
        content, name = (pdf if format == "pdf" else xlsx), _report.filename(data, format)
    if _permissions.reads_audited(membership):
        _audit.record(action="reporting.funder_read", actor=request.auth, cpts=membership.cpts,
                      obj=stored, request=request,
                      detail={"where": "reporting.report_api", "year": year,
                              "format": format})  # fmt: skip
    # A file, not JSON: returned as is by the operation.
    response = _HttpResponse(content, content_type=_report.FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
