"""Explicit audit trail: services call `record()`; nothing is diffed behind their back."""

from .http import client_ip
from .models import AuditEvent


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
