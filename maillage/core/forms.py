from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.template import loader
from django.urls import reverse

from . import messaging
from .models import Role


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
        error_messages={
            "required": "Saisissez votre adresse e-mail.",
            "invalid": "Adresse e-mail invalide.",
        },
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe."},
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres de votre application d'authentification",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
        error_messages={"required": "Saisissez le code affiché par votre application."},
    )

    def clean_code(self):
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(code) != 6:
            raise forms.ValidationError("Le code comporte 6 chiffres.")
        return code


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        error_messages={
            "required": "Indiquez l'adresse e-mail de la personne invitée.",
            "invalid": "Adresse e-mail invalide.",
        },
    )
    role = forms.ChoiceField(
        label="Rôle",
        choices=Role.choices,
        # The least powerful patient-facing role is the default: no accidental coordinator.
        initial=Role.PROFESSIONAL,
        error_messages={"invalid_choice": "Choisissez un rôle dans la liste."},
    )
    title = forms.CharField(
        label="Fonction (facultatif)",
        max_length=120,
        required=False,
        help_text="Ex. : médecin généraliste, infirmière, EHPAD Les Tilleuls.",
    )


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(
        label="Prénom", max_length=150, error_messages={"required": "Indiquez votre prénom."}
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, error_messages={"required": "Indiquez votre nom."}
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirmez le mot de passe."},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and (data["password1"] != data["password2"])
        ):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return data


class ResetRequestForm(PasswordResetForm):
    """Ask for a reset link. The link carries the account's public UUID, never its id."""

    email = forms.EmailField(
        label="Adresse e-mail de votre compte",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
        error_messages={
            "required": "Saisissez l'adresse e-mail de votre compte.",
            "invalid": "Adresse e-mail invalide.",
        },
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """Queued for the workers (sent after the commit), not sent from the request."""
        context = {**context, "uid": str(context["user"].public_id)}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context).strip()
        link = context.get("site_url", "") + reverse(
            "core:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]})
        messaging.notify(cpts=None, recipients=[context["user"]], kind="core.password_reset",
                         subject=subject, body=body, link=link)  # fmt: skip


class NewPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": "Les deux mots de passe ne sont pas identiques."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "Nouveau mot de passe", "Confirmation du nouveau mot de passe"
        first.error_messages["required"] = "Choisissez un nouveau mot de passe."
        second.error_messages["required"] = "Confirmez le nouveau mot de passe."
        second.help_text = "Saisissez le même mot de passe, pour vérification."


class UnlockForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)


def errors_to_form(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message next to its field (or at
    the top when the field is not in the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
