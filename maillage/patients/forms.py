from django import forms

from maillage.territory.fields import CommuneField

from .models import Consent, Sex

SITUATION_FIELDS = ("ald", "ald_detail", "c2s", "ame", "isolated", "disability", "pregnant",
                    "chronic_treatment", "needs_home_visits")  # fmt: skip


class PatientForm(forms.Form):
    """Identity (INS traits), contact and situation. Domain checks (NIR key, dates,
    commune) happen in the service and come back on their field."""

    birth_name = forms.CharField(label="Nom de naissance", max_length=100)
    used_name = forms.CharField(label="Nom utilisé (si différent)", max_length=100, required=False)
    first_names = forms.CharField(label="Prénoms (tous, dans l'ordre de l'état civil)",
                                  max_length=150)  # fmt: skip
    birth_date = forms.DateField(label="Date de naissance",
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"invalid": "Date invalide."})  # fmt: skip
    sex = forms.ChoiceField(label="Sexe", choices=Sex.choices)
    birth_place_code = forms.CharField(label="Lieu de naissance (code INSEE, facultatif)",
                                       max_length=5, required=False)  # fmt: skip
    nir = forms.CharField(label="Numéro de sécurité sociale (facultatif)", max_length=25,
                          required=False)  # fmt: skip
    phone = forms.CharField(label="Téléphone", max_length=25, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    commune = CommuneField(label="Commune de résidence")
    ald = forms.BooleanField(label="Affection de longue durée (ALD)", required=False)
    ald_detail = forms.CharField(label="Laquelle (facultatif)", max_length=200, required=False)
    c2s = forms.BooleanField(label="Complémentaire santé solidaire (C2S)", required=False)
    ame = forms.BooleanField(label="Aide médicale de l'État (AME)", required=False)
    isolated = forms.BooleanField(label="Personne isolée", required=False)
    disability = forms.BooleanField(label="Situation de handicap", required=False)
    pregnant = forms.BooleanField(label="Grossesse en cours", required=False)
    chronic_treatment = forms.BooleanField(label="Traitement chronique", required=False)
    needs_home_visits = forms.BooleanField(label="Ne peut pas se déplacer (visites à domicile)",
                                           required=False)  # fmt: skip


class ConsentForm(forms.Form):
    consent_method = forms.ChoiceField(label="Consentement du patient recueilli",
                                       choices=Consent.Method.choices)  # fmt: skip
    confirm_duplicate = forms.BooleanField(
        label="Il s'agit bien d'une autre personne que le patient déjà enregistré",
        required=False,
    )
