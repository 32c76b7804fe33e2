import unicodedata

from django import forms

from maillage.directory.models import PROFESSIONS

from .models import ResultKind

# Template editor ---------------------------------------------------------------------



def _without_accents(label: str) -> str:
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()


# Alphabetical as a French reader expects it: « Épithésiste » among the E.
PROFESSION_CHOICES = [("", "Non précisée")] + sorted(
    PROFESSIONS.items(), key=lambda item: _without_accents(item[1])
)


def _decimal(label, help_text=""):
    return forms.DecimalField(label=label, help_text=help_text, required=False, max_digits=10,
                              decimal_places=2, localize=True,
                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip


class TemplateForm(forms.Form):
    name = forms.CharField(label="Nom du parcours", max_length=200,
                           error_messages={"required": "Indiquez le nom du parcours."})  # fmt: skip
    description = forms.CharField(label="Description (facultatif)", required=False,
                                  max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class StepForm(forms.Form):
    """A step of a draft. Parsing only: the rules that need the other steps (condition on a
    numeric result, cycles...) are the editor service's, shown back on this form."""

    label = forms.CharField(
        label="Intitulé de l'étape", max_length=200,
        error_messages={"required": "Indiquez l'intitulé de l'étape."},
    )  # fmt: skip
    profession_code = forms.ChoiceField(label="Profession responsable",
                                        choices=PROFESSION_CHOICES, required=False)  # fmt: skip
    due_offset_days = forms.IntegerField(
        label="Échéance (jours après l'inclusion)", min_value=0, max_value=3650, initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": "Indiquez l'échéance en jours (0 : dès l'inclusion)."},
    )  # fmt: skip
    recurrence_days = forms.IntegerField(
        label="Récurrence (jours)", min_value=1, max_value=3650, required=False,
        help_text="Laissez vide pour une étape à faire une seule fois. Ex. : 91 pour tous les "
                  "3 mois, 365 pour chaque année.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    result_kind = forms.ChoiceField(label="Résultat attendu", choices=ResultKind.choices,
                                    initial=ResultKind.NONE)  # fmt: skip
    unit = forms.CharField(label="Unité (valeur numérique)", max_length=30, required=False,
                           help_text="Ex. : %, g/L, kg, mL/min/1,73 m².")  # fmt: skip
    plausible_min = _decimal("Valeur plausible minimale",
                             "Pour une valeur numérique ou un grade ; une valeur hors de cet "
                             "intervalle demande une confirmation.")  # fmt: skip
    plausible_max = _decimal("Valeur plausible maximale")
    condition_step = forms.ChoiceField(
        label="Condition : l'étape démarre selon le résultat de", required=False,
        help_text="Laissez « Aucune » pour une étape toujours prévue.",
    )  # fmt: skip
    condition_min = _decimal("… lorsque ce résultat est supérieur ou égal à")

    def __init__(self, *args, steps=(), **kwargs):
        """`steps`: the draft's other steps, the possible conditions."""
        super().__init__(*args, **kwargs)
        self.steps = {s.code: s for s in steps}
        self.fields["condition_step"].choices = [("", "Aucune")] + [
            (s.code, f"{s.label} ({s.get_result_kind_display().lower()})") for s in steps
        ]

    def clean_condition_step(self):
        code = self.cleaned_data.get("condition_step")
        return self.steps.get(code) if code else None

    @classmethod
    def initial_for(cls, step) -> dict:
        initial = {f: getattr(step, f) for f in (
            "label", "profession_code", "due_offset_days", "recurrence_days", "result_kind",
            "unit", "plausible_min", "plausible_max", "condition_min")}  # fmt: skip
        initial["condition_step"] = step.condition_step.code if step.condition_step_id else ""
        return initial


class PublishForm(forms.Form):
    apply_to_existing = forms.BooleanField(
        label="Appliquer aussi aux patients déjà inclus", required=False,
        help_text="Leurs tâches à faire passent à la nouvelle version (les étapes retirées "
                  "sont annulées, les nouvelles étapes sont planifiées) ; l'historique des "
                  "tâches faites est conservé.",
    )  # fmt: skip


# End of template editor ----------------------------------------------------------------
