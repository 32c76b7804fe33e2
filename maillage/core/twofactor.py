"""TOTP second factor, on top of django-otp's TOTPDevice."""

import time
from base64 import b32encode

import segno
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled, created on first call and reused after, so a
    page reload does not change the secret the user is scanning."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=False
        )
    return device


def secret_text(device: TOTPDevice) -> str:
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """Inline SVG QR code of the otpauth:// URL, rendered server-side (no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code TOTP")


def clean_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app shows now; used by demo mode and tests only."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def demo_code_allowed() -> bool:
    return settings.DEMO_MODE
