import unicodedata
import uuid

from django import forms

from maillage.core.models import Membership
from maillage.directory.models import PROFESSIONS
from maillage.directory.pickers import MemberPickerField

from .models import CoordinationNote, Enrolment, NoteKind, ResultKind, Task

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


# Enrolment pages ------------------------------------------------------------------------

NOTE_TEXT_MAX = CoordinationNote._meta.get_field("text").max_length
TASK_NOTE_MAX = Task._meta.get_field("result_note").max_length
END_REASON_MAX = Enrolment._meta.get_field("end_reason").max_length
# Several of these forms share one page (one per task for some): each is built with its
# own `auto_id`, so ids stay unique while the posted names stay plain.


class EnrolForm(forms.Form):
    """The pathway of an enrolment (the patient is chosen by a search before)."""

    template = forms.ChoiceField(
        label="Parcours",
        error_messages={"required": "Choisissez un parcours.",
                        "invalid_choice": "Choisissez un parcours dans la liste."},
    )  # fmt: skip

    def __init__(self, *args, templates, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.templates = {str(t.public_id): t for t in templates}
        self.fields["template"].choices = [
            (key, f"{t.name} (v{t.version})") for key, t in self.templates.items()
        ]


class TeamAddForm(forms.Form):
    """Adding one member to the care team being formed, by name, e-mail or RPPS: the
    enrolment page lists every member only while the CPTS has few of them."""

    def __init__(self, *args, cpts, label="Ajouter un membre à l'équipe de soins",
                 help_text="Nom, e-mail ou numéro RPPS (11 chiffres), puis « Ajouter ».",
                 **kwargs):  # fmt: skip
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        # "care_team": the members who may see patients, as meetings.invitable_members too.
        self.fields["add_member"] = MemberPickerField(
            cpts=cpts, scope="care_team", required=False, label=label, help_text=help_text)

    def picked(self) -> str | None:
        """The public id of the member picked, if the form is valid and one was."""
        if not self.is_valid() or self.cleaned_data["add_member"] is None:
            return None
        return str(self.cleaned_data["add_member"].public_id)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type", choices=NoteKind.choices, initial=NoteKind.NOTE,
        help_text="Une hospitalisation, un retour à domicile ou un autre événement prévient "
                  "toute l'équipe par e-mail.",
        error_messages={"invalid_choice": "Choisissez un type de note dans la liste."},
    )  # fmt: skip
    text = forms.CharField(label="Note", max_length=NOTE_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Écrivez la note."})  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)


YES_NO_RESULTS = [("oui", "Fait, normal"), ("non", "Fait, anormal")]


class CompleteForm(forms.Form):
    """Marking a task done: its result field depends on the step (number, yes/no, none).
    The number is parsed by the service ("7,2", plausibility), shown back on `value`."""

    note = forms.CharField(label="Commentaire (facultatif)", max_length=TASK_NOTE_MAX,
                           required=False)  # fmt: skip

    def __init__(self, *args, task, **kwargs):
        kwargs.setdefault("auto_id", f"t-{task.public_id}-%s")
        super().__init__(*args, **kwargs)
        step = task.step
        kind = step.result_kind if step is not None else ResultKind.NONE
        if kind in (ResultKind.NUMBER, ResultKind.GRADE):
            label = f"Résultat ({step.unit})" if step.unit else "Résultat"
            self.fields["value"] = forms.CharField(
                label=label, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                error_messages={"required": "Indiquez le résultat."},
            )  # fmt: skip
            self.fields["confirm"] = forms.BooleanField(
                label="Je confirme une valeur inhabituelle", required=False
            )
        elif kind == ResultKind.YESNO:
            self.fields["value"] = forms.ChoiceField(
                label="Résultat", choices=YES_NO_RESULTS,
                error_messages={"invalid_choice": "Résultat : « Fait, normal » ou « Fait, "
                                                  "anormal »."},
            )  # fmt: skip
        self.order_fields(["value", "confirm", "note"])


class ReassignForm(forms.Form):
    assignee = forms.ChoiceField(
        label="Confier à",
        error_messages={"required": "Choisissez un membre de l'équipe de soins du patient.",
                        "invalid_choice": "Choisissez un membre de l'équipe de soins du "
                                          "patient."},
    )  # fmt: skip

    def __init__(self, *args, task, team, **kwargs):
        kwargs.setdefault("auto_id", f"a-{task.public_id}-%s")
        kwargs.setdefault("initial", {"assignee": str(task.assignee.public_id)
                                      if task.assignee_id else ""})  # fmt: skip
        super().__init__(*args, **kwargs)
        self.users = {str(m.user.public_id): m.user for m in team}
        self.fields["assignee"].choices = [
            (str(m.user.public_id),
             (m.user.get_full_name() or m.user.email) + (f" ({m.role})" if m.role else ""))
            for m in team
        ]  # fmt: skip

    def chosen(self):
        return self.users[self.cleaned_data["assignee"]]


class GpPickerField(MemberPickerField):
    """A general practitioner of the CPTS linked to their directory entry (scope "gps"),
    picked by name, e-mail or RPPS. Also takes a user's public id (what the former select
    posted, API clients) and the patient's current GP unchanged even if no longer offered."""

    default_error_messages = {
        "unknown": "Choisissez un médecin généraliste membre de la CPTS, relié à sa fiche de "
                   "l'annuaire.",
        "several": "Plusieurs médecins correspondent : choisissez dans la liste ou précisez "
                   "(prénom, e-mail ou RPPS).",
    }  # fmt: skip

    def __init__(self, *, cpts, current=None, **kwargs):
        super().__init__(cpts=cpts, scope="gps", **kwargs)
        self.current = current  # the current GP's Membership, or None

    def to_python(self, value):
        key = value.get("id", "") if isinstance(value, dict) else ""
        if key and self.current is not None and key in (
            str(self.current.public_id), str(self.current.user.public_id)
        ):
            return self.current
        if key and _is_uuid(key):
            by_user = self.queryset.filter(user__public_id=key).select_related("user").first()
            if by_user is not None:
                return by_user
        return super().to_python(value)


class AttendingGpForm(forms.Form):
    """The patient's médecin traitant: a GP of the CPTS picked by name (suggestions as one
    types); an empty field records none (or one outside the CPTS)."""

    def __init__(self, *args, cpts, patient, **kwargs):
        kwargs.setdefault("auto_id", "gp-%s")
        current = None
        if patient.attending_gp_id:
            current = (Membership.objects.filter(cpts=cpts, user_id=patient.attending_gp_id)
                       .select_related("user").first())  # fmt: skip
        if current is not None:
            kwargs.setdefault("initial", {"attending_gp": current})
        super().__init__(*args, **kwargs)
        self.fields["attending_gp"] = GpPickerField(
            cpts=cpts, current=current, label="Médecin traitant", required=False,
            help_text="Nom, e-mail ou RPPS d'un médecin généraliste membre de la CPTS, relié "
                      "à sa fiche de l'annuaire. Videz le champ s'il n'en a pas ou s'il est "
                      "hors CPTS.",
        )  # fmt: skip

    def chosen(self):
        membership = self.cleaned_data.get("attending_gp")
        return membership.user if membership is not None else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class EndForm(forms.Form):
    reason = forms.CharField(
        label="Motif (objectif atteint, déménagement, décès, refus du patient…)",
        max_length=END_REASON_MAX,
        error_messages={"required": "Indiquez pourquoi le parcours se termine."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "end-%s")
        super().__init__(*args, **kwargs)


# End of enrolment pages ----------------------------------------------------------------
