"""A patient's documents: the personalised care plan (PPS) as a page and a PDF, and the
FHIR export of their care plans and care teams. Every read is audited."""

import json

from django.http import HttpResponse
from django.shortcuts import render

from maillage.core import permissions
from maillage.core.access import member_view

from ..documents import build_pps, patient_documents, pdf_filename, render_pdf
from ..fhir import care_plan_bundle


def _pps(request, public_id, action):
    patient, enrolments = patient_documents(request.membership, public_id, action=action,
                                            request=request)  # fmt: skip
    return build_pps(patient=patient, enrolments=enrolments, viewer=request.user,
                     cpts=request.cpts)  # fmt: skip


def _private(response):
    # Patient data: never kept by a shared cache or the browser's back-forward cache.
    response["Cache-Control"] = "no-store, private"
    return response


@member_view(permissions.see_patients)
def pps_view(request, public_id):
    pps = _pps(request, public_id, "pathway.pps_read")
    return _private(render(request, "pathways/pps.html", {"pps": pps, "patient": pps.patient}))


@member_view(permissions.see_patients)
def pps_pdf_view(request, public_id):
    pps = _pps(request, public_id, "pathway.pps_pdf")
    response = HttpResponse(render_pdf(pps), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(pps)}"'
    return _private(response)


@member_view(permissions.see_patients)
def fhir_view(request, public_id):
    pps = _pps(request, public_id, "pathway.fhir_export")
    body = json.dumps(care_plan_bundle(pps), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="careplan-{pps.today:%Y-%m-%d}.json"'
    return _private(response)
