"""Answers by a signed link that works without logging in: `<SITE_URL>/reponse/<token>/`.

The token is the message's public UUID signed with the secret key and a salt per use
(`namespace`): it cannot be forged nor moved to another message, and a token made for
one page (the crisis app mounts `/crise/reponse/<token>/` with its own namespace) is
refused by the others. Its validity is the message's `answer_expires_at`, kept in the
database; the answer is recorded once (a second POST changes nothing).

GET shows the question and the buttons and changes nothing, so that a mail client's or
an antivirus's link prefetcher answers nothing; only the POST records the answer.

`AnswerPage` is the reusable view: another app mounts it with its own namespace,
template and, if it wants, a hook called after an answer is recorded.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django_ratelimit.core import is_ratelimited

from maillage.core.http import client_ip

from . import services
from .models import Answer, Notification

NAMESPACE = "maillage.notifications.answer"
# Invalid tokens from one address, per hour, before it is refused (429): a forged token
# cannot succeed (HMAC-SHA256), but guessing is noise. Valid tokens are never limited:
# in a crisis many people answer from behind one hospital's address.
INVALID_TOKENS_RATE = "30/h"


def _guessing(request, *, increment: bool) -> bool:
    return is_ratelimited(request, group="notifications.answer_invalid",
                          key=lambda group, r: client_ip(r) or "unknown",
                          rate=INVALID_TOKENS_RATE, increment=increment)  # fmt: skip


class InvalidToken(Exception):
    """Forged, truncated or for another page."""


class ExpiredToken(Exception):
    def __init__(self, notification):
        self.notification = notification


def make_token(notification: Notification, namespace: str = NAMESPACE) -> str:
    return signing.Signer(salt=namespace).sign(notification.public_id.hex)


def answer_url(notification: Notification) -> str:
    """The link that answers this message, on the page its kind names."""
    from .kinds import KINDS

    kind = KINDS.get(notification.kind)
    url_name = kind.answer_url_name if kind else "notifications:answer"
    namespace = kind.answer_namespace if kind else NAMESPACE
    path = reverse(url_name, args=[make_token(notification, namespace)])
    return settings.SITE_URL.rstrip("/") + path


def resolve(token: str, namespace: str = NAMESPACE) -> Notification:
    """The message a token answers; InvalidToken or ExpiredToken (the answer stays
    readable after expiry: ExpiredToken carries the message)."""
    try:
        value = signing.Signer(salt=namespace).unsign(token or "")
    except signing.BadSignature:
        raise InvalidToken from None
    try:
        notification = Notification.objects.select_related("cpts").get(
            public_id=uuid.UUID(hex=value), answer_kind__gt="")
    except (ValueError, Notification.DoesNotExist):
        raise InvalidToken from None
    if not notification.answered_at and notification.answer_expires_at <= timezone.now():
        raise ExpiredToken(notification)
    return notification


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=Answer.choices, error_messages={
        "required": "Choisissez une réponse.", "invalid_choice": "Réponse inconnue."})
    available_from = forms.TimeField(required=False, label="Disponible à partir de (heure)",
                                     error_messages={"invalid": "Heure invalide (ex. 14:30)."},
                                     widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip
    skills = forms.CharField(required=False, max_length=300,
                             label="Compétences utiles (facultatif)",
                             error_messages={"max_length": "300 caractères au plus."})  # fmt: skip

    def available_from_moment(self):
        """The time typed, today (tomorrow when it is already past)."""
        value = self.cleaned_data.get("available_from")
        if value is None:
            return None
        now = timezone.localtime()
        moment = timezone.make_aware(datetime.datetime.combine(now.date(), value))
        if moment < now - datetime.timedelta(hours=1):
            moment += datetime.timedelta(days=1)
        return moment


class AnswerPage(View):
    """GET: the question and its buttons. POST: record the answer (once)."""

    namespace = NAMESPACE
    template_name = "notifications/answer.html"
    on_answer = None  # callable(notification), e.g. the crisis app's escalation

    @classmethod
    def as_view(cls, **initkwargs):
        # Public page: the CSRF cookie is set on GET for a browser without a session.
        return never_cache(ensure_csrf_cookie(super().as_view(**initkwargs)))

    def _page(self, request, notification, form=None, status=200, recorded=False):
        return render(request, self.template_name, {
            "notification": notification, "form": form or AnswerForm(),
            "recorded": recorded, "expired": False,
        }, status=status)  # fmt: skip

    def _resolve(self, request, token):
        try:
            return resolve(token, self.namespace), None
        except InvalidToken:
            if _guessing(request, increment=True):
                return None, render(request, "notifications/answer_invalid.html",
                                    {"limited": True}, status=429)  # fmt: skip
            return None, render(request, "notifications/answer_invalid.html", status=404)
        except ExpiredToken as exc:
            return None, render(request, "notifications/answer_expired.html",
                                {"notification": exc.notification}, status=410)  # fmt: skip

    def get(self, request, token):
        notification, refusal = self._resolve(request, token)
        return refusal or self._page(request, notification)

    def post(self, request, token):
        notification, refusal = self._resolve(request, token)
        if refusal:
            return refusal
        if notification.answered_at:
            return self._page(request, notification)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self._page(request, notification, form, status=400)
        if form.cleaned_data["answer"] == Answer.AVAILABLE_FROM and not form.cleaned_data.get(
                "available_from"):  # fmt: skip
            form.add_error("available_from", "Indiquez à partir de quelle heure.")
            return self._page(request, notification, form, status=400)
        try:
            recorded = services.record_answer(
                notification=notification, answer=form.cleaned_data["answer"],
                available_from=form.available_from_moment(), skills=form.cleaned_data["skills"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._page(request, notification, form, status=400)
        if recorded and self.on_answer is not None:
            self.on_answer(notification)
        return self._page(request, notification, recorded=recorded)
