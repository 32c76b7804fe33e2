import datetime

from django import forms
from django.utils import timezone

from maillage.core.models import cpts_finess_validator
from maillage.core.validators import validate_finess, validate_phone_fr

from .fields import CommuneInput


class AddCommunesForm(forms.Form):
    communes = forms.CharField(
        label="Communes à ajouter",
        help_text="Noms, codes postaux ou codes INSEE, séparés par des virgules "
        "(ex. : Four, Bourgoin-Jallieu (38), 38053).",
        max_length=2000,
        widget=CommuneInput(multiple=True),
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


class CptsIdentityForm(forms.Form):
    """The CPTS as the SAS knows it: its FINESS and phone (FHIR Organization)."""

    finess = forms.CharField(
        label="Numéro FINESS de la CPTS",
        help_text="9 caractères : le département puis 7 chiffres, ex. 380012344. Transmis au "
        "SAS avec les créneaux ; laissez vide si la CPTS n'en a pas encore.",
        max_length=20,
        required=False,
        # Django links the help text (aria-describedby="id_finess_helptext").
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    phone = forms.CharField(
        label="Téléphone de la CPTS",
        help_text="Numéro de la coordination transmis au SAS, ex. 04 74 12 34 56.",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_finess(self):
        value = self.cleaned_data["finess"].strip()
        if not value:
            return ""
        number = validate_finess(value).value  # the format, with its French message
        cpts_finess_validator(number)  # and the check digit
        return number

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        return validate_phone_fr(value).value if value else ""
