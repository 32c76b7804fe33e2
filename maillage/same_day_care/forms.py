import datetime

from django import forms
from django.utils import timezone

from maillage.directory.forms import PROFESSION_CHOICES
from maillage.directory.pickers import MemberPickerField
from maillage.territory.fields import CommuneField

from .models import (
    Mode,
    ReasonCategory,
    RotaShift,
    SameDayRequest,
    Slot,
    SlotKind,
    Urgency,
)

PROFESSIONS = [c for c in PROFESSION_CHOICES if c[0]]
MAX_UNAVAILABILITY_DAYS = 366


def _choice(label, choices, unknown, **kwargs):
    """A choice field whose refusal names the value, in French."""
    return forms.ChoiceField(
        label=label, choices=choices,
        error_messages={"invalid_choice": unknown, "required": f"Choisissez : {label.lower()}."},
        **kwargs,
    )  # fmt: skip


def _commune(value):
    # CommuneField has found it (by name, postal or INSEE code) or said why not.
    return value


class PublishForm(forms.Form):
    day = forms.DateField(
        label="Jour", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label="Heure du premier créneau",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.IntegerField(
        label="Durée d'un créneau (minutes)", min_value=5, max_value=240, initial=20
    )
    count = forms.IntegerField(
        label="Nombre de créneaux à la suite", min_value=1, max_value=48, initial=1
    )
    weeks = forms.IntegerField(
        label="Répéter chaque semaine pendant (semaines)", min_value=1, max_value=52, initial=1
    )
    profession_code = forms.ChoiceField(label="Profession", choices=PROFESSIONS, initial="10")
    kind = forms.ChoiceField(label="Type de créneau", choices=SlotKind.choices)
    mode = forms.ChoiceField(label="Modalité", choices=Mode.choices)
    commune = CommuneField(label="Commune du lieu")
    site = forms.CharField(label="Lieu (cabinet, adresse)", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()

    def clean_commune(self):
        return _commune(self.cleaned_data["commune"])


class RequestForm(forms.ModelForm):
    class Meta:
        model = SameDayRequest
        fields = ["last_name", "first_name", "birth_date", "phone", "commune", "reason",
                  "profession_code", "mode", "urgency", "home_visit"]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    commune = CommuneField(label="Commune")
    profession_code = forms.ChoiceField(
        label="Profession recherchée", choices=PROFESSIONS, initial="10"
    )
    reason = forms.ChoiceField(label="Motif", choices=ReasonCategory.choices)
    # Shown only when the same person already has a request in progress.
    confirm_duplicate = forms.BooleanField(
        label="C'est un autre besoin : enregistrer quand même une nouvelle demande",
        required=False,
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de naissance est dans le futur.")
        if value < datetime.date(1900, 1, 1):
            raise forms.ValidationError("Date de naissance antérieure à 1900.")
        return value

    def clean_commune(self):
        return _commune(self.cleaned_data["commune"])


class CriteriaForm(forms.Form):
    """Another delay or mode for a request without an appointment yet."""

    urgency = _choice("Délai", Urgency.choices, "Délai inconnu : choisissez dans la liste.")
    mode = _choice("Modalité", Mode.choices, "Modalité inconnue : choisissez dans la liste.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "criteria-%s")
        super().__init__(*args, **kwargs)


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label="Issue",
        choices=[
            ("fulfilled", "Honoré"),
            ("noshow", "Non honoré"),
            ("cancelled", "Annulé"),
            ("redirected", "Orienté vers les urgences"),
        ],
        error_messages={
            "invalid_choice": "Issue inconnue : %(value)s (honoré, non honoré, annulé ou "
            "orienté vers les urgences).",
            "required": "Choisissez l'issue du rendez-vous.",
        },
    )
    note = forms.CharField(
        label="Note",
        max_length=300,
        required=False,
        error_messages={"max_length": "Note trop longue : 300 caractères au plus."},
    )


class IcsImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier iCalendar (.ics)", error_messages={"required": "Choisissez un fichier .ics."}
    )
    profession_code = forms.ChoiceField(label="Profession", choices=PROFESSIONS, initial="10")
    kind = forms.ChoiceField(label="Type de créneau", choices=SlotKind.choices)
    mode = forms.ChoiceField(label="Modalité", choices=Mode.choices)
    commune = CommuneField(label="Commune du lieu")

    def clean_commune(self):
        return _commune(self.cleaned_data["commune"])


class RotaPeriodForm(forms.Form):
    label = forms.CharField(label="Nom", max_length=120, help_text="Ex. : samedi matin")
    weekday = forms.TypedChoiceField(
        label="Jour",
        coerce=int,
        choices=[
            (0, "lundi"),
            (1, "mardi"),
            (2, "mercredi"),
            (3, "jeudi"),
            (4, "vendredi"),
            (5, "samedi"),
            (6, "dimanche"),
        ],
    )
    start_time = forms.TimeField(label="Début", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="Fin", widget=forms.TimeInput(attrs={"type": "time"}))
    profession_code = forms.ChoiceField(label="Profession", choices=PROFESSIONS, initial="10")
    mode = forms.ChoiceField(label="Modalité", choices=Mode.choices)
    commune = CommuneField(label="Commune")
    site = forms.CharField(label="Lieu", max_length=200, required=False)
    only_from = forms.DateField(
        label="Seulement à partir du (vacances scolaires)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    only_until = forms.DateField(
        label="Seulement jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_commune(self):
        return _commune(self.cleaned_data["commune"])

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and (data["end_time"] <= data["start_time"])
        ):
            self.add_error("end_time", "La fin doit suivre le début.")
        if (
            data.get("only_from")
            and data.get("only_until")
            and (data["only_until"] < data["only_from"])
        ):
            self.add_error("only_until", "La date de fin précède la date de début.")
        return data


class RotaRangeForm(forms.Form):
    start = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "La date de fin précède la date de début.")
        return data


class _PublicIdChoice(forms.ModelChoiceField):
    """An object of a scoped queryset named by its public id; anything else is refused
    with a French message (a malformed id included)."""

    def __init__(self, queryset, *, label, unknown, describe, **kwargs):
        super().__init__(queryset, to_field_name="public_id", label=label, empty_label=None,
                         error_messages={"invalid_choice": unknown,
                                         "required": f"Choisissez : {label.lower()}."},
                         **kwargs)  # fmt: skip
        self.describe = describe

    def label_from_instance(self, obj):
        return self.describe(obj)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid_choice"],
                                        code="invalid_choice") from None  # fmt: skip


class VolunteerForm(forms.Form):
    member = forms.Field()  # replaced in __init__: the CPTS's professionals
    profession_code = _choice("Profession de garde", PROFESSIONS,
                              "Code profession inconnu : %(value)s.", initial="10")  # fmt: skip

    def __init__(self, *args, cpts, **kwargs):
        kwargs.setdefault("auto_id", "volunteer_%s")  # the period form has the same names
        super().__init__(*args, **kwargs)
        # Picked by name, e-mail or RPPS: a CPTS has too many professionals for a select.
        self.fields["member"] = MemberPickerField(
            cpts=cpts, scope="professionals", label="Professionnel",
            error_messages={"unknown": "Professionnel inconnu dans cette CPTS."},
        )  # fmt: skip


class SwapForm(forms.Form):
    first = forms.Field()
    second = forms.Field()

    def __init__(self, *args, cpts, **kwargs):
        kwargs.setdefault("auto_id", "swap_%s")
        super().__init__(*args, **kwargs)
        shifts = (
            RotaShift.objects.filter(cpts=cpts, date__gte=timezone.localdate())
            .select_related("period", "assignee")
        )

        def describe(shift):
            return (f"{shift.date:%d/%m} {shift.period.label} — "
                    f"{shift.assignee.get_full_name()}")  # fmt: skip

        for name, label in (("first", "Échanger la garde"), ("second", "avec")):
            self.fields[name] = _PublicIdChoice(shifts, label=label, describe=describe,
                                                unknown="Garde inconnue ou passée.")  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", "Choisissez deux gardes différentes.")
        return data


class WithdrawForm(forms.Form):
    withdraw = forms.Field()

    def __init__(self, *args, cpts, professional, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdraw"] = _PublicIdChoice(
            Slot.objects.for_cpts(cpts).filter(professional=professional),
            label="Créneau à retirer", unknown="Créneau inconnu : il n'est pas parmi les vôtres.",
            describe=str,
        )  # fmt: skip


class UnavailabilityForm(forms.Form):
    start_date = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Motif (facultatif)", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and start < timezone.localdate():
            self.add_error("start_date", "Cette date est passée : déclarez une indisponibilité "
                                         "à venir.")  # fmt: skip
        if start and end and end < start:
            self.add_error("end_date", "La date de fin précède la date de début.")
        elif start and end and (end - start).days >= MAX_UNAVAILABILITY_DAYS:
            self.add_error("end_date", f"Une indisponibilité dure au plus "
                                       f"{MAX_UNAVAILABILITY_DAYS} jours.")  # fmt: skip
        return data
