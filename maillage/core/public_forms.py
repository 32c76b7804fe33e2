"""Anti-spam of the public forms (no account, no third party): a field hidden from
people that only bots fill, a signed time stamp (a form sent in under a few seconds, or
after a day, is refused), and a rate limit on valid posts keyed by the client address.

Only valid submissions count towards the limit, so a person correcting their mistakes is
never blocked; the counter lives in the cache every worker shares (settings.CACHES) and
the address is the one of core.http."""

import time

from django import forms
from django.core import signing
from django_ratelimit.core import is_ratelimited

from maillage.core.http import client_ip


class SpamGuardMixin(forms.Form):
    """Mixed into a public form; the subclass sets STAMP_SALT (one per form, so a stamp
    of one form is no good for another) and calls check_spam(data) from clean()."""

    website = forms.CharField(required=False, label="Ne pas remplir ce champ",
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))  # fmt: skip
    started = forms.CharField(widget=forms.HiddenInput)

    STAMP_SALT = "public-form"
    MIN_SECONDS = 3
    MAX_SECONDS = 24 * 3600

    @classmethod
    def stamp(cls) -> str:
        return signing.dumps(time.time(), salt=cls.STAMP_SALT)

    def check_spam(self, data):
        """Raises for a bot (the honeypot); reports a bad stamp as a form error so the
        other fields' messages come in the same answer."""
        if data.get("website"):
            raise forms.ValidationError("Envoi refusé.", code="bot")
        try:
            started = signing.loads(data.get("started", ""), salt=self.STAMP_SALT)
        except signing.BadSignature:
            self.add_error(None, forms.ValidationError(
                "Le formulaire a expiré : rechargez la page puis renvoyez-le.", code="stamp"))
            return
        try:
            elapsed = time.time() - float(started)
        except (TypeError, ValueError):
            elapsed = -1
        if elapsed < self.MIN_SECONDS or elapsed > self.MAX_SECONDS:
            self.add_error(None, forms.ValidationError(
                "Le formulaire a expiré ou a été envoyé trop vite : rechargez la page.",
                code="stamp"))  # fmt: skip

    def restamp(self):
        """A form shown again after errors gets a fresh stamp (the old one may expire while
        the person corrects it)."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["started"] = self.stamp()


def client_ip_key(group, request) -> str:
    return client_ip(request) or "unknown"


def rate_limited(request, *, group: str, rate: str, increment: bool) -> bool:
    """Checks the limit (increment=False, before validating) or counts a valid post
    (increment=True, answering True when that post goes over)."""
    return is_ratelimited(request, group=group, key=client_ip_key, rate=rate, method="POST",
                          increment=increment)  # fmt: skip
