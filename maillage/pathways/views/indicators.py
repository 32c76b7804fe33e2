"""Indicators of the pathways mission: a page and its CSV, for coordinators and the board
(aggregates only: no patient appears)."""

from django.shortcuts import render
from django.utils import timezone

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.exports import csv_response

from .. import indicators
from .meetings import PeriodForm


def _data(request):
    """(form, data); data is None when the period typed is invalid."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    default_start, default_end = indicators.default_period(today)
    start = (form.cleaned_data.get("du") if form.is_bound else None) or default_start
    end = (form.cleaned_data.get("au") if form.is_bound else None) or default_end
    return form, indicators.compute(request.cpts, start=start, end=end, today=today)


@member_view(permissions.see_pathway_indicators)
def indicators_view(request):
    form, data = _data(request)
    if data is None:
        return render(request, "pathways/indicators.html", {"form": form, "data": None},
                      status=400)  # fmt: skip
    return render(request, "pathways/indicators.html", {
        "form": form, "data": data,
        "query": f"du={data['start']:%Y-%m-%d}&au={data['end']:%Y-%m-%d}",
    })  # fmt: skip


@member_view(permissions.see_pathway_indicators)
def indicators_csv_view(request):
    form, data = _data(request)
    if data is None:
        return render(request, "pathways/indicators.html", {"form": form, "data": None},
                      status=400)  # fmt: skip
    return csv_response(f"parcours-{request.cpts.slug}.csv", ["Indicateur", "Valeur"],
                        indicators.as_rows(data))  # fmt: skip
