"""Picking a patient by name: a search field with suggestions as one types, over the
patients the caller may see (access.search, need-to-know), never a list cut at N.

The widget is the combobox of the commune field (maillage.js): a visible text input
(`<name>_search`) asking `patients:suggestions` for matches, and a hidden input `<name>`
that receives the chosen patient's public id. Without JavaScript, or when nothing was
chosen, the typed text is searched: one match is that patient, several ask for more
(a birth date, a NIR), none says so. Every patient a suggestion names is audited by the
suggestions view; the field itself names nobody in its errors.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.templatetags.static import static
from django.urls import reverse

from maillage.core.access import get_by_public_id

from .access import patients_visible_to, search

SEARCH_MAX = 100


class PatientPickerInput(forms.Widget):
    template_name = "patients/widgets/patient_picker.html"

    def __init__(self, attrs=None, *, cpts_slug="", text_name=None):
        super().__init__(attrs)
        self.cpts_slug = cpts_slug
        self.text_name = text_name  # default: "<name>_search"

    def _text_name(self, name):
        return self.text_name or f"{name}_search"

    def value_from_datadict(self, data, files, name):
        return {"id": (data.get(name) or "").strip(),
                "text": (data.get(self._text_name(name)) or "").strip()}  # fmt: skip

    def value_omitted_from_data(self, data, files, name):
        return name not in data and self._text_name(name) not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        chosen = value if isinstance(value, dict) else {"id": "", "text": ""}
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update({
            "input_id": input_id, "text_name": self._text_name(name),
            "text_value": chosen.get("text", "")[:SEARCH_MAX], "id_value": chosen.get("id", ""),
            "suggest_url": reverse("patients:suggestions", args=[self.cpts_slug])
            + f"?field={self._text_name(name)}",
            "htmx_src": static("django_htmx/htmx-2.min.js"),
        })  # fmt: skip
        return context


class PatientPickerField(forms.Field):
    """A patient the membership may see, picked by name, birth date or NIR; cleans to a
    Patient. Build it with the caller's membership (the scope)."""

    widget = PatientPickerInput
    default_error_messages = {
        "required": "Choisissez un patient (nom, date de naissance ou NIR).",
        "unknown": "Aucun patient ne correspond parmi ceux que vous suivez.",
        "several": "Plusieurs patients correspondent : choisissez dans la liste ou précisez "
                   "la date de naissance (JJ/MM/AAAA) ou le NIR.",
        "too_long": f"Recherche trop longue ({SEARCH_MAX} caractères au plus).",
    }  # fmt: skip

    def __init__(self, *, membership, **kwargs):
        kwargs.setdefault("help_text", "Nom et prénom, date de naissance (JJ/MM/AAAA) ou NIR. "
                                       "Seuls les patients que vous suivez sont proposés.")
        super().__init__(**kwargs)
        self.membership = membership
        self.widget.cpts_slug = membership.cpts.slug

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.membership = self.membership
        return copy

    def to_python(self, value):
        value = value if isinstance(value, dict) else {"id": "", "text": str(value or "")}
        if value.get("id"):
            try:
                return get_by_public_id(patients_visible_to(self.membership), value["id"])
            except Http404:
                raise ValidationError(self.error_messages["unknown"], code="unknown") from None
        text = value.get("text", "")
        if not text:
            return None
        if len(text) > SEARCH_MAX or "\x00" in text:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        matches = search(self.membership, text, limit=2)
        if not matches:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if len(matches) > 1:
            raise ValidationError(self.error_messages["several"], code="several")
        return matches[0]

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
