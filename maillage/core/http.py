"""What the platform knows of the HTTP client: its address.

Behind a reverse proxy, REMOTE_ADDR is the proxy's address. The client's is in the
X-Forwarded-For header, but only the entries appended by proxies we trust are true:
whatever the client sent itself sits on the left and is forged at will. So the header is
read only when the deployment says a proxy is there (settings.TRUST_X_FORWARDED_FOR), and
the address taken is the one the outermost trusted proxy saw: with N trusted proxies,
the N-th entry from the right.
"""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address, normalised, or None when there is no request (a batch
    job) or no usable address."""
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR") or "")
    if not settings.TRUST_X_FORWARDED_FOR:
        return remote
    # Several X-Forwarded-For headers arrive joined by commas: one list either way.
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    proxies = settings.TRUSTED_PROXY_COUNT
    if len(entries) < proxies:
        # Fewer entries than trusted proxies: the request did not come through all of
        # them (or a proxy is misconfigured), so no entry can be trusted.
        return remote
    return _valid_ip(entries[-proxies]) or remote
