"""Explicit audit trail: services call `record()`; nothing is diffed behind their back."""

from django.conf import settings

from .models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor=None,
    cpts=None,
    obj=None,
    object_type: str = "",
    object_id=None,
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event. `obj` (any model with `public_id`) fills type and id."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or getattr(obj, "public_id", None)
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        cpts=cpts,
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=client_ip(request),
        detail=detail or {},
    )
