"""The public pages of a CPTS's prevention events (no login): the list of upcoming
events, an event's page with its registration form, the cancellation by link.

Spam is kept out like on the public médecin-traitant form (core.public_forms): a honeypot,
a signed time stamp, and a rate limit on valid posts by client address."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from maillage.core.access import get_by_public_id
from maillage.core.forms import errors_to_form
from maillage.core.models import Cpts
from maillage.core.public_forms import SpamGuardMixin, rate_limited

from .. import registrations
from ..models import Action, RegistrationStatus

# A family registers its members one by one: ten valid registrations an hour from one
# address is plenty, more is a bot filling the seats.
REGISTRATION_RATE = "10/h"


class RegistrationForm(SpamGuardMixin):
    STAMP_SALT = "prevention-registration"

    first_name = forms.CharField(label="Prénom", max_length=registrations.NAME_MAX)
    last_name = forms.CharField(label="Nom", max_length=registrations.NAME_MAX)
    email = forms.CharField(label="E-mail", max_length=registrations.EMAIL_MAX, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label="Téléphone portable", max_length=registrations.PHONE_MAX,
                            required=False,
                            help_text="Pour recevoir la confirmation et le rappel par SMS.",
                            widget=forms.TextInput(attrs={"type": "tel",
                                                          "autocomplete": "tel"}))  # fmt: skip

    def clean(self):
        data = super().clean()
        self.check_spam(data)
        # The service's checks now, so that a person correcting a mistake never spends a
        # post of the rate limit (only valid forms count).
        fields = ("first_name", "last_name", "email", "phone")
        try:
            registrations.clean_identity(**{name: data.get(name, "") for name in fields})
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, messages)
        return data


def _cpts(slug):
    return get_object_or_404(Cpts.objects.active(), slug=slug)


def _limited(request, *, increment):
    return rate_limited(request, group="prevention.registration", rate=REGISTRATION_RATE,
                        increment=increment)  # fmt: skip


@require_GET
def events_view(request, cpts_slug):
    cpts = _cpts(cpts_slug)
    actions = list(registrations.upcoming_public(cpts)[:100])
    for action in actions:
        action.figures = registrations.counts(action)
    return render(request, "prevention/public/events.html", {"cpts": cpts, "actions": actions})


@require_http_methods(["GET", "POST"])
def event_view(request, cpts_slug, public_id):
    cpts = _cpts(cpts_slug)
    action = get_by_public_id(Action.objects.for_cpts(cpts).public()
                              .select_related("commune", "structure", "theme"), public_id)
    is_open = registrations.is_open(action)

    def page(form, status=200, done=None):
        return render(request, "prevention/public/event.html", {
            "cpts": cpts, "action": action, "form": form, "is_open": is_open, "done": done,
            "figures": registrations.counts(action),
        }, status=status)  # fmt: skip

    if request.method == "POST":
        if not is_open:
            return page(None, status=400)
        if _limited(request, increment=False):
            return render(request, "prevention/public/limited.html", {"cpts": cpts}, status=429)
    form = RegistrationForm(request.POST or None, initial={"started": RegistrationForm.stamp()})
    if request.method == "POST" and form.is_valid():
        if _limited(request, increment=True):
            return render(request, "prevention/public/limited.html", {"cpts": cpts}, status=429)
        data = form.cleaned_data
        try:
            registration = registrations.register(
                action=action, first_name=data["first_name"], last_name=data["last_name"],
                email=data["email"], phone=data["phone"], request=request)  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            response = render(request, "prevention/public/registered.html", {
                "cpts": cpts, "action": action, "registration": registration,
                "waiting": registration.status == RegistrationStatus.WAITING,
            })  # fmt: skip
            response["Cache-Control"] = "no-store"
            return response
    form.restamp()
    return page(form if is_open else None, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cancel_view(request, cpts_slug, token):
    """GET shows what is cancelled and asks to confirm (a mail scanner following the link
    must not cancel); POST cancels. An unknown or used link gets a clear page, 404."""
    cpts = _cpts(cpts_slug)

    def invalid():
        response = render(request, "prevention/public/cancel_invalid.html", {"cpts": cpts},
                          status=404)  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response

    try:
        registration = registrations.find_by_token(cpts, token)
    except registrations.InvalidToken:
        return invalid()
    done = False
    if request.method == "POST":
        try:
            registration, _promoted = registrations.cancel(cpts=cpts, raw_token=token,
                                                           request=request)  # fmt: skip
        except registrations.InvalidToken:
            return invalid()
        done = True
    response = render(request, "prevention/public/cancel.html", {
        "cpts": cpts, "registration": registration, "action": registration.action, "done": done,
    })  # fmt: skip
    # The page names the person: no shared cache, no back-forward cache.
    response["Cache-Control"] = "no-store"
    return response


urls = [
    path("prevention/<slug:cpts_slug>/", events_view, name="public_events"),
    path("prevention/<slug:cpts_slug>/annulation/<str:token>/", cancel_view,
         name="public_cancel"),
    path("prevention/<slug:cpts_slug>/<str:public_id>/", event_view, name="public_event"),
]
