from django import forms
from django.core.validators import validate_email

from maillage.core.validators import phone_fr_validator
from maillage.territory.fields import CommuneField

from .diagnostic import GP_GROUP, group_label
from .models import PROFESSIONS, DirectoryEntry, MembershipStatus, StructureEntry

PROFESSION_CHOICES = [("", "Toutes les professions")] + sorted(
    PROFESSIONS.items(), key=lambda item: item[1]
)
GROUP_CHOICES = [(GP_GROUP, group_label(GP_GROUP))] + [
    (code, label) for code, label in sorted(PROFESSIONS.items(), key=lambda item: item[1])
]
YES_NO = [("", "Indifférent"), ("oui", "Oui"), ("non", "Non")]


class SearchForm(forms.Form):
    q = forms.CharField(label="Nom", required=False, max_length=100)
    profession_code = forms.ChoiceField(
        label="Profession", required=False, choices=PROFESSION_CHOICES
    )
    skill = forms.CharField(label="Compétence", required=False, max_length=100,
                            help_text="Ex. : ETP diabète")  # fmt: skip
    commune = CommuneField(label="Commune", required=False)
    accepts_new_patients = forms.ChoiceField(
        label="Accepte de nouveaux patients", required=False, choices=YES_NO
    )
    membership_status = forms.ChoiceField(
        label="Statut dans la CPTS",
        required=False,
        choices=[("", "Tous")] + list(MembershipStatus.choices),
    )

    def clean_accepts_new_patients(self):
        value = self.cleaned_data["accepts_new_patients"]
        return {"oui": True, "non": False}.get(value)


class PublicSearchForm(forms.Form):
    q = forms.CharField(label="Nom", required=False, max_length=100)
    profession_code = forms.ChoiceField(
        label="Profession", required=False, choices=PROFESSION_CHOICES
    )
    commune = CommuneField(label="Commune", required=False)


class StructureCommuneForm(forms.Form):
    """The commune filter of the structures page (its other filters are plain inputs)."""

    commune = CommuneField(label="Commune", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "s-%s")
        super().__init__(*args, **kwargs)


class EntryForm(forms.ModelForm):
    class Meta:
        model = DirectoryEntry
        fields = ["membership_status", "accepts_new_patients", "takes_part_snp", "home_visits",
                  "languages", "skills", "phone", "email", "notes"]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email:
            validate_email(email)
        return email

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone:
            phone_fr_validator(phone)
        return phone


class StructureEntryForm(forms.ModelForm):
    class Meta:
        model = StructureEntry
        fields = ["membership_status", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone:
            phone_fr_validator(phone)
        return phone


class LocalProfessionalForm(forms.Form):
    last_name = forms.CharField(label="Nom", max_length=120,
                                error_messages={"required": "Indiquez le nom."})  # fmt: skip
    first_name = forms.CharField(label="Prénom", max_length=120, required=False)
    profession = forms.ChoiceField(label="Profession", choices=GROUP_CHOICES)
    commune = CommuneField(
        label="Commune d'exercice",
        error_messages={"required": "Indiquez la commune d'exercice."},
    )  # fmt: skip
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False,
                            validators=[phone_fr_validator])  # fmt: skip
    email = forms.EmailField(label="E-mail", required=False)


class LocalStructureForm(forms.Form):
    name = forms.CharField(
        label="Nom", max_length=200, error_messages={"required": "Indiquez le nom de la structure."}
    )
    category = forms.CharField(
        label="Catégorie",
        max_length=200,
        required=False,
        help_text="Ex. : SSIAD, association de patients, CCAS.",
    )
    commune = CommuneField(
        label="Commune", error_messages={"required": "Indiquez la commune de la structure."},
    )  # fmt: skip
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False,
                            validators=[phone_fr_validator])  # fmt: skip


class DiagnosticForm(forms.Form):
    km = forms.DecimalField(
        label="Distance au médecin généraliste le plus proche (km)", min_value=1,
        max_value=200, decimal_places=1, required=False, initial=10, localize=True,
        error_messages={"invalid": "Saisissez un nombre de kilomètres."},
    )  # fmt: skip


class DensityReferenceForm(forms.Form):
    profession_code = forms.ChoiceField(label="Profession", choices=GROUP_CHOICES)
    density = forms.DecimalField(
        label="Densité nationale pour 10 000 habitants", min_value=0, max_value=1000,
        max_digits=7, decimal_places=2, localize=True,
        error_messages={"invalid": "Saisissez un nombre (ex. 8,5)."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reference-%s")  # shares the page with LocalFigureForm
        super().__init__(*args, **kwargs)


class LocalFigureForm(forms.Form):
    profession_code = forms.ChoiceField(label="Profession", choices=GROUP_CHOICES)
    commune = CommuneField(label="Commune (vide : tout le territoire)", required=False)
    count = forms.IntegerField(label="Effectif réel", min_value=0, max_value=100_000,
                               error_messages={"required": "Indiquez l'effectif."})  # fmt: skip
    note = forms.CharField(label="Justification", max_length=300,
                           error_messages={"required": "Justifiez la correction."})  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "figure-%s")
        super().__init__(*args, **kwargs)
