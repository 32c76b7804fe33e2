"""Private agenda feeds: a professional subscribes their agenda to an address that lists
their same-day appointments (patients' names and phones). The address carries a random
token, stored hashed; its owner rotates or revokes it, sees its last use, and it expires
(settings.ICS_FEED_VALIDITY_DAYS). Every change is audited, and so is every read."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core import audit, permissions
from maillage.core.models import Membership

from .models import CalendarFeedToken

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def current(*, cpts, user) -> CalendarFeedToken | None:
    """The owner's address, revoked or not yet (an expired one is shown as expired)."""
    return CalendarFeedToken.objects.filter(cpts=cpts, user=user, revoked_at__isnull=True).first()


@transaction.atomic
def issue(*, cpts, user, actor, request=None) -> tuple[CalendarFeedToken, str]:
    """A new address (the raw token is returned once, never stored); the previous one,
    if any, stops working at once."""
    # One rotation at a time per person and CPTS: the membership row is the lock.
    list(Membership.objects.select_for_update().filter(cpts=cpts, user=user))
    now = timezone.now()
    previous = list(
        CalendarFeedToken.objects.filter(cpts=cpts, user=user, revoked_at__isnull=True)
    )
    CalendarFeedToken.objects.filter(pk__in=[token.pk for token in previous]).update(
        revoked_at=now
    )
    raw, digest = CalendarFeedToken.new_token()
    token = CalendarFeedToken(
        cpts=cpts, user=user, token_hash=digest, created_at=now,
        expires_at=now + datetime.timedelta(days=settings.ICS_FEED_VALIDITY_DAYS),
    )  # fmt: skip
    token.full_clean()
    token.save()
    audit.record(
        action="snp.feed_rotate" if previous else "snp.feed_create",
        actor=actor,
        cpts=cpts,
        obj=token,
        request=request,
        detail={"revoked": [str(old.public_id) for old in previous]} if previous else {},
    )
    return token, raw


@transaction.atomic
def revoke(*, cpts, user, actor, request=None) -> CalendarFeedToken:
    token = (
        CalendarFeedToken.objects.select_for_update()
        .filter(cpts=cpts, user=user, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise ValidationError({"action": "Vous n'avez pas d'adresse d'agenda active."})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(action="snp.feed_revoke", actor=actor, cpts=cpts, obj=token, request=request)
    return token


def open_feed(raw: str) -> tuple[CalendarFeedToken, Membership] | None:
    """The token and the membership a feed address opens, or None when the token is
    malformed, unknown, revoked or expired, or its owner may no longer publish slots in
    the CPTS. A valid read records its use (one UPDATE)."""
    if not _TOKEN.fullmatch(raw or ""):
        return None
    now = timezone.now()
    token = (
        CalendarFeedToken.objects.live(now).filter(token_hash=CalendarFeedToken.hash(raw)).first()
    )
    if token is None:
        return None
    membership = (
        Membership.objects.active()
        .filter(user_id=token.user_id, cpts_id=token.cpts_id, user__is_active=True)
        .select_related("cpts", "user")
        .first()
    )
    if membership is None or not permissions.publish_slots(membership):
        return None
    CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token, membership
