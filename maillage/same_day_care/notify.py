"""Messages to patients. No SMS gateway is reachable here: the console backend prints
the message; a real gateway plugs in behind the same interface (settings.SMS_BACKEND)."""

import logging
import sys

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class ConsoleSms:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS vers {phone}] {text}\n")


class MemorySms:
    """Keeps the messages, for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySms.outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    try:
        import_string(settings.SMS_BACKEND)().send(phone, text)
    except Exception:  # a failed text must never undo a booking
        log.exception("SMS to %s failed", phone)
