"""Alerts (the form with its live count, an alert's page, the yearly test of the contact
tree), the answer page reached from the message without logging in, the live board."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from maillage.core import permissions
from maillage.core.access import get_object_for_member, member_view
from maillage.core.forms import errors_to_form
from maillage.directory.models import PROFESSIONS
from maillage.notifications import answers, services
from maillage.notifications.models import Answer
from maillage.territory.fields import CommuneField

from .. import board
from ..alerts import (
    CHANNEL_LABELS,
    ESCALATION_MAX,
    ESCALATION_MIN,
    MESSAGE_MAX,
    answered,
    count_recipients,
    send_alert,
    skills_text,
)
from ..models import Activation, Alert, AlertRecipient, Contact
from ..skills import SKILLS

# Forms ----------------------------------------------------------------------------------

CHANNEL_CHOICES = [(c, CHANNEL_LABELS[c]) for c in ("sms", "email", "inapp")]
TEST_MESSAGE = ("Test annuel de l'arbre d'alerte de la CPTS : merci de confirmer que vous "
                "recevez ce message en répondant par le lien (une seule touche).")  # fmt: skip


def profession_choices(cpts) -> list[tuple[str, str]]:
    """The professions present among the active contacts, with their French labels."""
    codes = (Contact.objects.for_cpts(cpts).active().exclude(profession_code="")
             .values_list("profession_code", flat=True).distinct())  # fmt: skip
    return sorted(((c, PROFESSIONS.get(c, f"Profession {c}")) for c in set(codes)),
                  key=lambda pair: pair[1])  # fmt: skip


class ChannelsMessageForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label="Canaux", choices=CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un canal.",
                        "invalid_choice": "Canal inconnu : %(value)s."},
    )  # fmt: skip
    message = forms.CharField(
        label="Message", max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"{MESSAGE_MAX} caractères au plus (envoyé par SMS). Le lien de réponse est "
        "ajouté automatiquement.",
        error_messages={"required": "Écrivez le message de l'alerte.",
                        "max_length": f"{MESSAGE_MAX} caractères au plus "
                                      "(le message en a %(show_value)d)."},
    )  # fmt: skip
    escalate_after_minutes = forms.IntegerField(
        label="Relance sur le canal suivant après (minutes)", initial=15,
        min_value=ESCALATION_MIN, max_value=ESCALATION_MAX,
        help_text="Qui n'a pas répondu est relancé sur un autre canal, trois fois au plus.",
        error_messages={"required": "Indiquez le délai de relance.",
                        "invalid": "Nombre entier de minutes attendu.",
                        "min_value": "Une minute au moins.",
                        "max_value": "24 heures (1440 minutes) au plus."},
    )  # fmt: skip

    def clean_message(self):
        return self.cleaned_data["message"].replace("\x00", "").strip()


class AlertForm(ChannelsMessageForm):
    """Groups (each a checkbox or a list), channels, message, escalation delay."""

    everyone = forms.BooleanField(label="Tout l'arbre d'alerte", required=False)
    cell = forms.BooleanField(label="La cellule de crise", required=False)
    professions = forms.MultipleChoiceField(
        label="Une ou plusieurs professions", required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Profession absente de l'arbre : %(value)s."},
    )  # fmt: skip
    commune = CommuneField(label="Les contacts d'une commune", required=False)
    skills = forms.MultipleChoiceField(
        label="Les contacts ayant une compétence", required=False,
        choices=list(SKILLS.items()), widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Compétence inconnue : %(value)s."},
    )  # fmt: skip

    field_order = ["everyone", "cell", "professions", "commune", "skills", "channels",
                   "message", "escalate_after_minutes"]  # fmt: skip

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professions"].choices = profession_choices(cpts)

    def groups(self) -> list[str]:
        data = self.cleaned_data
        groups = ["all"] if data.get("everyone") else []
        if data.get("cell"):
            groups.append("cell")
        groups += [f"profession:{c}" for c in data.get("professions") or []]
        if data.get("commune") is not None:
            groups.append(f"commune:{data['commune'].code}")
        groups += [f"skill:{c}" for c in data.get("skills") or []]
        return groups

    def clean(self):
        data = super().clean()
        if not self.errors and not self.groups():
            raise ValidationError("Choisissez au moins un groupe à alerter.", code="groups")
        return data


def _activation(request, public_id):
    return get_object_for_member(Activation.objects, request.membership, public_id)


# Pages ----------------------------------------------------------------------------------


@member_view(permissions.manage_crisis)
@require_http_methods(["GET", "POST"])
def alert_new_view(request, public_id):
    activation = _activation(request, public_id)
    cpts = request.cpts
    status = 200
    if request.method == "POST":
        form = AlertForm(request.POST, cpts=cpts)
        if activation.ended_at is not None:
            form.is_valid()
            form.add_error(None, "Cette activation est terminée : on n'alerte plus en son nom.")
        elif form.is_valid():
            try:
                alert = send_alert(
                    cpts=cpts, actor=request.user, activation=activation, groups=form.groups(),
                    channels=form.cleaned_data["channels"], message=form.cleaned_data["message"],
                    escalate_after_minutes=form.cleaned_data["escalate_after_minutes"],
                    request=request,
                )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                count = alert.recipients.count()
                messages.success(request, f"Alerte envoyée à {count} contact"
                                          f"{'s' if count > 1 else ''}.")  # fmt: skip
                return redirect("crisis:board", cpts.slug, activation.public_id)
        status = 400
    else:
        form = AlertForm(cpts=cpts)
    return render(request, "crisis/alerts_new.html", {
        "activation": activation, "form": form, "ended": activation.ended_at is not None,
        "count": _count(form, cpts) if request.method == "POST" else None,
    }, status=status)  # fmt: skip


def _count(form, cpts):
    if not hasattr(form, "cleaned_data"):
        return None
    try:
        return count_recipients(cpts, form.groups())
    except (KeyError, AttributeError):
        return None


@member_view(permissions.manage_crisis)
@require_POST
def alert_count_view(request, public_id):
    """The live count of recipients, as the groups are ticked (htmx)."""
    activation = _activation(request, public_id)
    form = AlertForm(request.POST, cpts=request.cpts)
    form.is_valid()
    groups = form.groups() if hasattr(form, "cleaned_data") else []
    count = count_recipients(request.cpts, groups) if groups else None
    return render(request, "crisis/alerts_count.html",
                  {"count": count, "activation": activation})  # fmt: skip


@member_view(permissions.see_crisis_board)
def alert_view(request, public_id):
    """One alert: its figures, who answered and who did not (the yearly test's result)."""
    alert = get_object_for_member(Alert.objects.select_related("activation"), request.membership,
                                  public_id)  # fmt: skip
    alert.channel_labels = [CHANNEL_LABELS.get(c, c) for c in alert.channels]
    context = {"alert": alert, **_alert_context(alert)}
    if request.htmx:
        return render(request, "crisis/alerts_live.html", context)
    return render(request, "crisis/alerts_detail.html", context)


def _alert_context(alert):
    rows = list(AlertRecipient.objects.filter(alert=alert)
                .select_related("contact", "contact__commune", "notification")
                .order_by("contact__name", "pk"))  # fmt: skip
    waiting = [r for r in rows if r.notification is None or not r.notification.answered_at]
    done = [r for r in rows if r.notification is not None and r.notification.answered_at]
    return {"board": board.alert_board(alert), "waiting": waiting, "done": done}


@member_view(permissions.manage_crisis)
@require_http_methods(["GET", "POST"])
def test_alert_view(request):
    """The yearly test of the contact tree: every contact is asked to acknowledge."""
    cpts = request.cpts
    status = 200
    if request.method == "POST":
        form = ChannelsMessageForm(request.POST)
        if form.is_valid():
            try:
                alert = send_alert(
                    cpts=cpts, actor=request.user, activation=None, groups=["all"],
                    channels=form.cleaned_data["channels"], message=form.cleaned_data["message"],
                    escalate_after_minutes=form.cleaned_data["escalate_after_minutes"],
                    is_test=True, request=request,
                )  # fmt: skip
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, f"Test envoyé à {alert.recipients.count()} contact(s).")
                return redirect("crisis:alert", cpts.slug, alert.public_id)
        status = 400
    else:
        form = ChannelsMessageForm(initial={"channels": ["sms", "email"],
                                            "message": TEST_MESSAGE})  # fmt: skip
    tests = list(Alert.objects.for_cpts(cpts).filter(is_test=True).order_by("-created_at")[:10])
    figures = board.figures_by_alert(tests) if tests else {}
    for test in tests:
        test.figures = figures.get(test.pk)
    contacts = Contact.objects.for_cpts(cpts).active().count()
    return render(request, "crisis/alerts_test.html",
                  {"form": form, "tests": tests, "contacts": contacts}, status=status)  # fmt: skip


@member_view(permissions.see_crisis_board)
def board_view(request, public_id):
    activation = _activation(request, public_id)
    context = {"activation": activation, "board": board.activation_board(activation)}
    if request.htmx:
        return render(request, "crisis/board_live.html", context)
    return render(request, "crisis/board_page.html", context)


# The answer page ------------------------------------------------------------------------


class CrisisAnswerForm(answers.AnswerForm):
    """The notifications app's answer, with the skills as ticks (kept as their labels)."""

    skills = forms.MultipleChoiceField(
        label="Compétences utiles (facultatif)", required=False, choices=list(SKILLS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Compétence inconnue : %(value)s."},
    )  # fmt: skip


def _recipient(notification):
    # Everything the page and the `answered` hook read of it, in one query.
    return (AlertRecipient.objects.filter(notification=notification)
            .select_related("alert__activation", "alert__cpts", "contact").first())  # fmt: skip


class CrisisAnswerPage(answers.AnswerPage):
    """`/crise/reponse/<token>/`: the answer to a crisis alert, one tap, without logging in.
    Tokens are signed for this page only (namespace); the crisis wording, an EXERCICE or
    TEST banner; an answer stops that person's escalation (`alerts.answered`)."""

    namespace = "maillage.crisis.answer"
    template_name = "crisis/answer.html"

    def _page(self, request, notification, form=None, status=200, recorded=False, row=False):
        if row is False:
            row = _recipient(notification)
        if row is not None and row.alert.cpts_id == notification.cpts_id:
            notification.cpts = row.alert.cpts  # the page names it: already read
        alert = row.alert if row else None
        activation = alert.activation if alert else None
        return render(request, self.template_name, {
            "notification": notification, "form": form or CrisisAnswerForm(),
            "recorded": recorded, "alert": alert, "activation": activation,
            "exercise": bool(activation and activation.is_exercise),
            "test": bool(alert and alert.is_test), "skills": list(SKILLS.items()),
            "answers": Answer,
        }, status=status)  # fmt: skip

    def _resolve(self, request, token):
        try:
            return answers.resolve(token, self.namespace), None
        except answers.InvalidToken:
            if answers._guessing(request, increment=True):
                return None, render(request, "crisis/answer_invalid.html", {"limited": True},
                                    status=429)  # fmt: skip
            return None, render(request, "crisis/answer_invalid.html", status=404)
        except answers.ExpiredToken as exc:
            row = _recipient(exc.notification)
            activation = row.alert.activation if row else None
            return None, render(request, "crisis/answer_expired.html", {
                "notification": exc.notification,
                "exercise": bool(activation and activation.is_exercise)}, status=410)

    def post(self, request, token):
        notification, refusal = self._resolve(request, token)
        if refusal:
            return refusal
        # Read once for the page and the hook: the answer is the hot path of an alert.
        row = _recipient(notification)
        if notification.answered_at:
            return self._page(request, notification, row=row)
        form = CrisisAnswerForm(request.POST)
        if not form.is_valid():
            return self._page(request, notification, form, status=400, row=row)
        if form.cleaned_data["answer"] == Answer.AVAILABLE_FROM and not form.cleaned_data.get(
                "available_from"):  # fmt: skip
            form.add_error("available_from", "Indiquez à partir de quelle heure.")
            return self._page(request, notification, form, status=400, row=row)
        try:
            recorded = services.record_answer(
                notification=notification, answer=form.cleaned_data["answer"],
                available_from=form.available_from_moment(),
                skills=skills_text(form.cleaned_data["skills"]))  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
            return self._page(request, notification, form, status=400, row=row)
        if recorded:
            answered(notification, request=request, rows=[row] if row else [])
        return self._page(request, notification, recorded=recorded, row=row)
