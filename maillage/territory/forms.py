import datetime

from django import forms
from django.utils import timezone


class AddCommunesForm(forms.Form):
    communes = forms.CharField(
        label="Communes à ajouter",
        help_text="Noms ou codes INSEE, séparés par des virgules (ex. : 38053, Four).",
        max_length=2000,
        widget=forms.TextInput(attrs={"list": "commune-suggestions", "autocomplete": "off"}),
        error_messages={"required": "Indiquez au moins une commune (nom ou code INSEE)."},
    )
    reason = forms.CharField(label="Motif (facultatif)", max_length=300, required=False)


class AddEpciForm(forms.Form):
    epci = forms.CharField(
        label="EPCI entier",
        help_text="Nom ou numéro SIREN de l'intercommunalité (ex. : 243800604).",
        max_length=200,
        error_messages={"required": "Indiquez un EPCI (nom ou numéro SIREN)."},
    )
    reason = forms.CharField(label="Motif (facultatif)", max_length=300, required=False)


class RemoveCommunesForm(forms.Form):
    communes = forms.CharField(
        label="Communes à retirer",
        max_length=2000,
        error_messages={"required": "Indiquez au moins une commune à retirer."},
    )
    reason = forms.CharField(label="Motif (facultatif)", max_length=300, required=False)


EARLIEST_CONTRACT = datetime.date(2019, 1, 1)  # the ACI was signed in 2019


class ContractForm(forms.Form):
    aci_signed_on = forms.DateField(
        label="Date de signature du contrat ACI",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de signature.",
            "invalid": "Date invalide (format attendu : AAAA-MM-JJ).",
        },
    )

    def clean_aci_signed_on(self):
        value = self.cleaned_data["aci_signed_on"]
        latest = timezone.localdate() + datetime.timedelta(days=366)
        if value < EARLIEST_CONTRACT:
            raise forms.ValidationError("L'ACI des CPTS date de 2019 : date trop ancienne.")
        if value > latest:
            raise forms.ValidationError(f"Date trop lointaine : au plus tard le {latest:%d/%m/%Y}.")
        return value
