import datetime

from django import forms
from django.utils import timezone

from maillage.directory.forms import PROFESSION_CHOICES

from .models import Mode, ReasonCategory, SameDayRequest, SlotKind

PROFESSIONS = [c for c in PROFESSION_CHOICES if c[0]]


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
    commune = forms.CharField(label="Commune du lieu (code INSEE)", max_length=5)
    site = forms.CharField(label="Lieu (cabinet, adresse)", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class RequestForm(forms.ModelForm):
    class Meta:
        model = SameDayRequest
        fields = ["last_name", "first_name", "birth_date", "phone", "commune", "reason",
                  "profession_code", "mode", "urgency", "home_visit"]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    commune = forms.CharField(label="Commune (code INSEE)", max_length=5)
    profession_code = forms.ChoiceField(
        label="Profession recherchée", choices=PROFESSIONS, initial="10"
    )
    reason = forms.ChoiceField(label="Motif", choices=ReasonCategory.choices)

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de naissance est dans le futur.")
        if value < datetime.date(1900, 1, 1):
            raise forms.ValidationError("Date de naissance antérieure à 1900.")
        return value

    def clean_commune(self):
        from maillage.territory.models import Commune

        code = self.cleaned_data["commune"].strip().upper()
        commune = Commune.objects.current().filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(f"Commune inconnue : {code}.")
        return commune


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("fulfilled", "Honoré"),
            ("noshow", "Non honoré"),
            ("cancelled", "Annulé"),
            ("redirected", "Orienté vers les urgences"),
        ]
    )
    note = forms.CharField(max_length=300, required=False)
    redirected = forms.BooleanField(required=False)


class IcsImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier iCalendar (.ics)", error_messages={"required": "Choisissez un fichier .ics."}
    )
    profession_code = forms.ChoiceField(label="Profession", choices=PROFESSIONS, initial="10")
    kind = forms.ChoiceField(label="Type de créneau", choices=SlotKind.choices)
    mode = forms.ChoiceField(label="Modalité", choices=Mode.choices)
    commune = forms.CharField(label="Commune du lieu (code INSEE)", max_length=5)


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
    commune = forms.CharField(label="Commune (code INSEE)", max_length=5)
    site = forms.CharField(label="Lieu", max_length=200, required=False)
    only_from = forms.DateField(
        label="Seulement à partir du (vacances scolaires)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    only_until = forms.DateField(
        label="Seulement jusqu'au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

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


class UnavailabilityForm(forms.Form):
    start_date = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Motif (facultatif)", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and (data["end_date"] < data["start_date"])
        ):
            self.add_error("end_date", "La date de fin précède la date de début.")
        return data
