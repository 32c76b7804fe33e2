"""Text messages behind one interface. No SMS gateway is reachable here: the console
backend prints the message; a real gateway is a class path in `settings.SMS_BACKEND`
with a `send(phone, text, key)` method that raises on failure (`key` is the delivery's
public UUID, for a gateway that accepts a client reference to refuse a duplicate)."""

import os
import sys
import threading
import time

from django.conf import settings
from django.utils.module_loading import import_string

# Paths configured before the backends moved here keep working.
LEGACY_PATHS = {
    "maillage.same_day_care.notify.ConsoleSms": "maillage.notifications.sms.ConsoleSms",
    "maillage.same_day_care.notify.MemorySms": "maillage.notifications.sms.MemorySms",
}


class ConsoleSms:
    def send(self, phone: str, text: str, key: str = "") -> None:
        sys.stdout.write(f"[SMS vers {phone}] {text}\n")
        sys.stdout.flush()


class MemorySms:
    """Keeps the messages, for tests: (phone, text)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str, key: str = "") -> None:
        MemorySms.outbox.append((phone, text))


class FileSms:
    """Appends one line per message to `settings.SMS_FILE` ("key<TAB>phone<TAB>text"): a
    console backend whose output survives the process, for the worker-kill test and the
    bench. One write() of one line in append mode: lines of concurrent workers never mix."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str, key: str = "") -> None:
        # A gateway's latency, to be simulated by a test that kills a worker mid-run.
        delay = float(os.environ.get("SMS_FILE_DELAY_SECONDS") or 0)
        if delay:
            time.sleep(delay)
        line = f"{key}\t{phone}\t{' '.join(text.split())}\n".encode()
        with self._lock:
            fd = os.open(settings.SMS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def backend():
    path = LEGACY_PATHS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()


def send_sms(phone: str, text: str, key: str = "") -> None:
    """Hand one message to the configured gateway; raises when it fails (the delivery job
    records the failure and retries)."""
    backend().send(phone, text, key)
