"""The coordination's pages on patients: probable duplicates to check."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods

from maillage.core import permissions
from maillage.core.access import member_view
from maillage.core.forms import errors_to_form
from maillage.territory.models import Commune

from . import duplicates
from .access import record_shown, search
from .models import DuplicateReview, Sex
from .services import PATIENT_FIELDS


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[(s.value, s.label) for s in DuplicateReview.Status
                 if s != DuplicateReview.Status.OPEN],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision.",
                        "invalid_choice": "Décision inconnue."},
    )  # fmt: skip
    patient = forms.ChoiceField(label="Patient enregistré qui correspond", required=False)
    note = forms.CharField(label="Commentaire (obligatoire pour écarter)", required=False,
                           max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.public_id): c for c in candidates}
        self.fields["patient"].choices = [("", "—")] + [
            (key, f"{c.display_name}, {c.birth_date:%d/%m/%Y}")
            for key, c in self.candidates.items()
        ]


@member_view(permissions.resolve_duplicates)
def reviews_view(request):
    reviews = list(duplicates.reviews_open(request.cpts).select_related("submitted_by")
                   .annotate(candidate_count=Count("candidates"))[:200])  # fmt: skip
    # The list shows the identities submitted: each one is audited.
    record_shown(request.membership, reviews, request=request, where="duplicate_review")
    return render(request, "patients/reviews.html", {"reviews": reviews})


@member_view(permissions.resolve_duplicates)
@require_http_methods(["GET", "POST"])
def review_view(request, public_id):
    review = duplicates.get_review(request.membership, public_id, request=request)
    candidates = list(review.candidates.select_related("commune"))
    form = ResolveForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = form.candidates.get(form.cleaned_data["patient"])
            duplicates.review_resolve(
                review=review, actor=request.user, decision=form.cleaned_data["decision"],
                patient=chosen, note=form.cleaned_data["note"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "Doublon traité : la demande suit son cours.")
            return redirect("patients:reviews", request.cpts.slug)
    fields = [(name, _label(name)) for name in PATIENT_FIELDS if name in review.data]
    submitted = dict(review.data)
    if submitted.get("commune"):
        submitted["commune"] = Commune.objects.filter(code=submitted["commune"]).first()
    rows = [(label, _shown(submitted.get(name)), [_shown(getattr(c, name)) for c in candidates])
            for name, label in fields]  # fmt: skip
    return render(request, "patients/review.html", {
        "review": review, "candidates": candidates, "rows": rows, "form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


def _label(name: str) -> str:
    from .models import Patient

    # capfirst, not str.capitalize(), which lowercases the rest ("Nir", "code insee").
    return capfirst(Patient._meta.get_field(name).verbose_name)


def _shown(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    if hasattr(value, "code") and hasattr(value, "name"):
        return f"{value.name} ({value.code})"
    if value in Sex.values:
        return Sex(value).label
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # an ISO date kept as text
        return f"{text[8:]}/{text[5:7]}/{text[:4]}"
    return text


@member_view(permissions.see_patients)
def patient_suggestions_view(request):
    """The listbox of a patient picker (pickers.PatientPickerInput): the patients the
    caller may see that match what was typed, each one shown audited."""
    field = request.GET.get("field", "q")[:50]
    typed = (request.GET.get(field) or request.GET.get("q", "")).strip()
    if len(typed) < 2 or len(typed) > 100 or "\x00" in typed:
        return render(request, "patients/_patient_options.html", {"matches": []})
    found = search(request.membership, typed, limit=PICKER_LIMIT + 1)
    matches = found[:PICKER_LIMIT]
    record_shown(request.membership, matches, request=request, where="patients.picker")
    return render(request, "patients/_patient_options.html",
                  {"matches": matches, "more": len(found) > PICKER_LIMIT})  # fmt: skip


# The search narrows as one types: the list never needs to hold everyone.
PICKER_LIMIT = 10
