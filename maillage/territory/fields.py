"""A form field for a commune typed by name, with suggestions as one types.

The widget is a text input that asks the suggestions endpoint (htmx GET) for a listbox of
communes, as an ARIA combobox; maillage.js handles the keyboard and the choice (the CSP
allows no inline script). The field accepts what `communes.resolve_commune` accepts (a
name, "Name (38)", a postal code, an INSEE code) and cleans to a `Commune`, so API
clients and tests posting INSEE codes keep working.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse

from .communes import MAX_INPUT, commune_label, labels_for, resolve_commune, search_communes
from .models import Commune

HELP = "Nom de la commune (ex. : Bourgoin-Jallieu), code postal ou code INSEE."


class CommuneInput(forms.TextInput):
    """A combobox input: suggestions come from `territory:commune_suggestions`."""

    template_name = "territory/widgets/commune_input.html"

    def __init__(self, attrs=None, *, multiple=False):
        super().__init__(attrs)
        self.multiple = multiple

    def format_value(self, value):
        # What was typed comes back for correction, unless it cannot be a commune name
        # (the browser stops at maxlength): a pasted essay is not sent back to the page.
        if isinstance(value, str) and len(value) > MAX_INPUT:
            return ""
        # A stored or initial value is a Commune or its INSEE code: show its name.
        if isinstance(value, Commune):
            return commune_label(value)
        if isinstance(value, str) and len(value) == 5 and value[:2].isalnum():
            commune = Commune.objects.filter(code=value.upper()).select_related(
                "departement").first()  # fmt: skip
            if commune is not None:
                return commune_label(commune)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"].update({
            "role": "combobox", "autocomplete": "off", "aria-autocomplete": "list",
            "aria-expanded": "false", "aria-controls": f"{input_id}-suggestions",
            "autocapitalize": "off", "spellcheck": "false", "data-combobox": "",
        })  # fmt: skip
        if self.multiple:
            widget["attrs"]["data-combobox-multiple"] = ""
        url = reverse("territory:commune_suggestions") + f"?field={name}"
        widget["attrs"].update({
            "hx-get": url + ("&multiple=1" if self.multiple else ""),
            "hx-trigger": "input changed delay:250ms", "hx-sync": "this:replace",
            "hx-target": f"#{input_id}-suggestions", "hx-swap": "innerHTML",
        })  # fmt: skip
        widget["listbox_id"] = f"{input_id}-suggestions"
        widget["status_id"] = f"{input_id}-suggestions-status"
        widget["htmx_src"] = static("django_htmx/htmx-2.min.js")
        return context


class CommuneField(forms.Field):
    """A commune, typed by name (or postal or INSEE code); cleans to a `Commune`.

    `queryset` narrows the communes accepted (default: current communes)."""

    widget = CommuneInput
    default_error_messages = {
        "required": "Indiquez la commune (nom, code postal ou code INSEE).",
    }

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("help_text", HELP)
        super().__init__(**kwargs)
        self.queryset = queryset

    def to_python(self, value):
        if isinstance(value, Commune):
            return value
        value = "" if value in self.empty_values else str(value).strip()
        if not value:
            return None
        try:
            return resolve_commune(value, queryset=self.queryset)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code=exc.code) from None

    def prepare_value(self, value):
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # The browser stops a pasted essay; the server says why for anything longer.
        attrs["maxlength"] = str(MAX_INPUT)
        return attrs


def suggestions(text: str, *, multiple: bool = False):
    """(label, commune) pairs for the suggestions list. With `multiple`, only the last
    comma-separated item is looked up (the territory form takes a list)."""
    if multiple:
        text = text.replace(";", ",").split(",")[-1]
    communes = search_communes(text)
    labels = labels_for(communes)
    for commune in communes:
        # "15 838" with a narrow no-break space, as French writes it.
        commune.population_display = f"{commune.population:,}".replace(",", "\u202f")
    return [(labels[c.pk], c) for c in communes]
