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
