"""Pages of the annual report: the years and their versions, a year's preview with the
coordinator's comments, generating a version, marking it sent to the CPAM (frozen), and
downloading a version's PDF or XLSX.

Funders (reads audited) see and download; only the coordination comments, generates and
sends (manage_contract)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import audit, exports, permissions
from maillage.core.access import get_by_public_id, member_view
from maillage.core.forms import errors_to_form

from .. import access, report, report_charts, years
from .. import report_format as fmt
from ..models import Report

# ------------------------------------------------------------------ forms


class CommentText(forms.CharField):
    """Line endings unified as the service stores them; the length rule is the service's
    (one message for the page and a direct call)."""

    def to_python(self, value):
        return super().to_python(report.clean_comment(value) if value is not None else value)


class CommentForm(forms.Form):
    text = CommentText(label="Commentaire de la coordination", required=False, strip=False,
                       widget=forms.Textarea(attrs={"rows": 6}),
                       help_text=f"Texte simple, {report.MAX_COMMENT_CHARS} caractères au "
                       "plus. Il figure dans les prochaines versions générées.")  # fmt: skip


class SendForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je confirme que cette version a été envoyée à la CPAM : elle sera figée.",
        error_messages={"required": "Cochez la confirmation pour marquer la version envoyée."},
    )  # fmt: skip


# ------------------------------------------------------------------ helpers


def _contract(request):
    contract = access.contract_of(request.cpts)
    if contract is None:
        raise Http404
    return contract


def _year(contract, year) -> int:
    try:
        return years.check_year(contract, year)
    except ValidationError:
        raise Http404 from None


def _get_report(request, public_id) -> Report:
    return get_by_public_id(Report.objects.for_cpts(request.cpts).select_related("contract__cpts"),
                            public_id)  # fmt: skip


def _year_url(request, year) -> str:
    return reverse("reporting:report_year", args=[request.cpts.slug, year])


def _mission_texts(m: dict) -> dict:
    return {**{k: fmt.euros(m[k]) for k in ("fixed", "variable", "variable_earned")},
            **{k: fmt.date(m[k]) for k in ("started_on", "deployed_on", "start_by",
                                           "deployed_by")}}  # fmt: skip


def _indicator_texts(i: dict) -> dict:
    return {
        "baseline": fmt.number(i["baseline"]),
        "rule": fmt.rule_text(i),
        "value": fmt.value_text(i),
        "earned": fmt.euros(i["earned"]),
        "maximum": fmt.euros(i["maximum"]),
        "next_step": fmt.next_step_text(i),
    }


def _render_year(request, contract, year, *, forms_by_section=None, send_forms=None,
                 status=200):  # fmt: skip
    data = report.snapshot(contract, year)
    can_manage = permissions.manage_contract(request.membership)
    sections = dict(report.sections_of(contract))
    forms_by_section = forms_by_section or {}

    def comment_form(code, text):
        if not can_manage:
            return None
        return forms_by_section.get(code) or CommentForm(initial={"text": text},
                                                         prefix=code)  # fmt: skip

    missions = [{**m, "t": _mission_texts(m), "chart": report_charts.mission_chart(m),
                 "form": comment_form(m["code"], m["comment"]),
                 "indicators": [{**i, "t": _indicator_texts(i)} for i in m["indicators"]]}
                for m in data["missions"]]  # fmt: skip
    send_forms = send_forms or {}
    versions = [(v, send_forms.get(v.pk) or (SendForm(prefix=str(v.public_id))
                                             if can_manage and not v.frozen else None))
                for v in report.versions(contract, year)]  # fmt: skip
    start, end = years.bounds(contract, year)
    return render(request, "reporting/report/year.html", {
        "contract": contract, "year": year, "start": start, "end": end, "data": data,
        "missions": missions, "general_form": comment_form(report.GENERAL, data["comment"]),
        "general_title": sections[report.GENERAL], "versions": versions,
        "can_manage": can_manage, "years": years.all_years(contract),
        "totals": {k: fmt.euros(v) for k, v in data["totals"].items()},
    }, status=status)  # fmt: skip


# ------------------------------------------------------------------ pages


@member_view(permissions.see_contract)
def reports_view(request):
    contract = access.contract_of(request.cpts)
    access.audit_read(request, "reporting.reports")
    rows = []
    if contract is not None:
        today = timezone.localdate()
        by_year: dict[int, list] = {}
        for version in report.versions(contract):
            by_year.setdefault(version.year, []).append(version)
        for year in years.all_years(contract):
            start, end = years.bounds(contract, year)
            rows.append(
                {
                    "year": year,
                    "start": start,
                    "end": end,
                    "current": start <= today <= end,
                    "versions": by_year.get(year, []),
                }
            )
    return render(request, "reporting/report/index.html", {"contract": contract, "rows": rows})


@member_view(permissions.see_contract)
def report_year_view(request, year):
    contract = _contract(request)
    year = _year(contract, year)
    access.audit_read(request, "reporting.report_year", year=year)
    return _render_year(request, contract, year)


@member_view(permissions.manage_contract)
@require_POST
def report_comment_view(request, year, section):
    contract = _contract(request)
    year = _year(contract, year)
    if section not in dict(report.sections_of(contract)):
        raise Http404
    form = CommentForm(request.POST, prefix=section)
    if form.is_valid():
        try:
            report.save_comment(contract=contract, year=year, section=section,
                                text=form.cleaned_data["text"], actor=request.user,
                                request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Commentaire enregistré : il figurera dans la prochaine "
                             "version générée.")  # fmt: skip
            return redirect(f"{_year_url(request, year)}#section-{section}")
    return _render_year(request, contract, year, forms_by_section={section: form}, status=400)


@member_view(permissions.manage_contract)
@require_POST
def report_generate_view(request, year):
    contract = _contract(request)
    year = _year(contract, year)
    try:
        version = report.generate(contract=contract, year=year, actor=request.user,
                                  request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_year(request, contract, year, status=400)
    messages.success(request, f"Version {version.version} du rapport de l'année {year} "
                     "générée.")  # fmt: skip
    return redirect(f"{_year_url(request, year)}#versions")


@member_view(permissions.manage_contract)
@require_POST
def report_send_view(request, public_id):
    version = _get_report(request, public_id)
    form = SendForm(request.POST, prefix=str(version.public_id))
    if form.is_valid():
        try:
            report.mark_sent(report=version, actor=request.user, request=request)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"Version {version.version} marquée envoyée à la CPAM : "
                             "elle est désormais figée.")  # fmt: skip
            return redirect(f"{_year_url(request, version.year)}#versions")
    return _render_year(request, version.contract, version.year,
                        send_forms={version.pk: form}, status=400)  # fmt: skip


@member_view(permissions.manage_contract)
@require_POST
def report_delete_view(request, public_id):
    version = _get_report(request, public_id)
    try:
        report.delete(report=version, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render_year(request, version.contract, version.year, status=400)
    messages.success(request, f"Version {version.version} supprimée.")
    return redirect(f"{_year_url(request, version.year)}#versions")


@member_view(permissions.see_contract)
def report_version_view(request, public_id, fmt):
    if fmt not in report.FORMATS:
        raise Http404
    version = _get_report(request, public_id)
    audit.record(action="reporting.report_downloaded", actor=request.user, cpts=request.cpts,
                 obj=version, request=request,
                 detail={"year": version.year, "version": version.version,
                         "format": fmt})  # fmt: skip
    access.audit_read(request, "reporting.report_download", obj=version, format=fmt)
    content = bytes(getattr(version, fmt))
    return exports.file_response(content, report.filename(version, fmt), report.FORMATS[fmt])


urls = [
    path("c/<slug:cpts_slug>/contrat/rapport/", reports_view, name="reports"),
    path("c/<slug:cpts_slug>/contrat/rapport/<int:year>/", report_year_view, name="report_year"),
    path("c/<slug:cpts_slug>/contrat/rapport/<int:year>/commentaires/<str:section>/",
         report_comment_view, name="report_comment"),
    path("c/<slug:cpts_slug>/contrat/rapport/<int:year>/generer/", report_generate_view,
         name="report_generate"),
    path("c/<slug:cpts_slug>/contrat/rapport/versions/<uuid:public_id>/envoyer/",
         report_send_view, name="report_send"),
    path("c/<slug:cpts_slug>/contrat/rapport/versions/<uuid:public_id>/supprimer/",
         report_delete_view, name="report_delete"),
    path(
        "c/<slug:cpts_slug>/contrat/rapport/versions/<uuid:public_id>/<str:fmt>/",
        report_version_view,
        name="report_version",
    ),
]  # fmt: skip
