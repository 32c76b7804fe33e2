from django import forms
from django.core.exceptions import ValidationError

from maillage.core.public_forms import SpamGuardMixin
from maillage.core.validators import validate_phone_fr
from maillage.patients.forms import PatientForm
from maillage.territory.fields import CommuneField

from .models import Criterion, Origin, Status

STAFF_ORIGINS = [(o.value, o.label) for o in Origin if o != Origin.PUBLIC_FORM]


class CarerPhoneMixin:
    """The carer's phone is checked (and stored in E.164) before anything is written: a
    request refused after its patient was created would leave the patient alone."""

    def clean_carer_phone(self):
        value = (self.cleaned_data.get("carer_phone") or "").strip()
        if not value:
            return ""
        try:
            return validate_phone_fr(value).value
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from exc


class RequestForm(CarerPhoneMixin, PatientForm):
    origin = forms.ChoiceField(label="Origine de la demande", choices=STAFF_ORIGINS)
    carer_name = forms.CharField(label="Nom de l'aidant (si la demande vient d'un proche)",
                                 max_length=150, required=False)  # fmt: skip
    carer_relation = forms.CharField(label="Lien avec le patient", max_length=100,
                                     required=False)  # fmt: skip
    carer_phone = forms.CharField(label="Téléphone de l'aidant", max_length=25, required=False)
    message = forms.CharField(label="Informations utiles", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class PublicRequestForm(SpamGuardMixin, CarerPhoneMixin, PatientForm):
    """The resident's form, kept from bots by core.public_forms (honeypot and signed time
    stamp)."""

    for_someone_else = forms.BooleanField(label="Je fais la demande pour un proche",
                                          required=False)  # fmt: skip
    carer_name = forms.CharField(label="Votre nom (si vous faites la demande pour un proche)",
                                 max_length=150, required=False)  # fmt: skip
    carer_relation = forms.CharField(label="Votre lien avec la personne", max_length=100,
                                     required=False)  # fmt: skip
    carer_phone = forms.CharField(label="Votre téléphone", max_length=25, required=False)
    message = forms.CharField(label="Message (facultatif)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    consent = forms.BooleanField(
        label="J'accepte que la CPTS enregistre ces informations pour me trouver un médecin "
        "traitant (vous pouvez retirer votre accord à tout moment).",
        error_messages={"required": "Votre accord est nécessaire pour traiter la demande."},
    )

    STAMP_SALT = "gp-public-form"

    def clean(self):
        data = super().clean()
        # Every problem is reported in one answer: the expired stamp, the fields, and the
        # checks of the patient service (NIR key, commune, phone), not one round each.
        self.check_spam(data)
        if data.get("for_someone_else") and not data.get("carer_name"):
            self.add_error("carer_name", "Indiquez votre nom.")
        if not (data.get("phone") or data.get("email") or data.get("carer_phone")):
            if "phone" not in self.errors:
                self.add_error("phone", "Indiquez un téléphone ou une adresse e-mail.")
        self._check_patient(data)
        return data

    def _check_patient(self, data):
        """The patient service's checks, run now on the fields that passed their own, so
        their messages come with the others (the service runs them again on save)."""
        from maillage.patients.services import clean_patient_data

        values = {name: data.get(name) for name in PatientForm.base_fields}
        try:
            clean_patient_data(values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="Nouvel état", choices=Status.choices)
    reason = forms.CharField(label="Motif", max_length=300, required=False)


class AnswerForm(forms.Form):
    """A GP's answer to a proposed patient: accept, or decline with a reason."""

    answer = forms.ChoiceField(
        choices=[("accept", "Accepter"), ("decline", "Refuser")],
        error_messages={"invalid_choice": "Réponse inconnue : acceptez ou refusez.",
                        "required": "Réponse inconnue : acceptez ou refusez."},
    )  # fmt: skip
    reason = forms.CharField(label="Motif du refus", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Indiquez le motif du refus.")
        return data


class CapacityForm(forms.Form):
    monthly_new_patients = forms.IntegerField(label="Nouveaux patients par mois", min_value=0,
                                              max_value=200)  # fmt: skip
    max_distance_km = forms.IntegerField(
        label="Distance maximale (km, facultatif)", min_value=1, max_value=200, required=False
    )
    min_age = forms.IntegerField(label="Âge minimum (facultatif)", min_value=0, max_value=120,
                                 required=False)  # fmt: skip
    max_age = forms.IntegerField(label="Âge maximum (facultatif)", min_value=0, max_value=120,
                                 required=False)  # fmt: skip
    home_visits = forms.BooleanField(label="J'accepte des patients à visiter à domicile",
                                     required=False)  # fmt: skip
    paused_until = forms.DateField(label="En pause jusqu'au (facultatif)", required=False,
                                   widget=forms.DateInput(attrs={"type": "date"},
                                                          format="%Y-%m-%d"))  # fmt: skip
    practice_commune = CommuneField(label="Commune d'exercice")


class PriorityForm(forms.Form):
    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in Criterion:
            self.fields[criterion.value] = forms.IntegerField(
                label=criterion.label, min_value=0, max_value=10_000,
                initial=weights.get(criterion.value, 0),
            )  # fmt: skip
