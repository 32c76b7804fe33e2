"""Explicit audit trail: services call `record()`; nothing is diffed behind their back.

Every read or write of a person's data names its subject (`patient`), so "who saw this
patient" is one indexed query (`AuditEvent.objects.about_patient(...)`).
"""

import secrets
import time
import uuid

from django.db import connections, router
from django.utils import timezone

from .http import client_ip
from .models import AuditEvent


def event_id() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, the version,
    74 random bits. The trail only grows: with time-ordered ids, the rows of a list page
    go to the last page of the unique index on public_id, not to 50 random pages of an
    index of millions of rows (a third of the cost of auditing a list on SQLite,
    bench/bench_audit.py)."""
    ms = time.time_ns() // 1_000_000
    rand = secrets.randbits(74)
    return uuid.UUID(int=(ms & (1 << 48) - 1) << 80 | 0x7 << 76 | (rand >> 62) << 64
                     | 0b10 << 62 | rand & ((1 << 62) - 1))  # fmt: skip


def subject_of(value):
    """The public id of the person a record is about: a record that holds a person's
    identity says so with `is_audit_subject` (a patient, a same-day request); a UUID or
    its text is taken as given."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        return uuid.UUID(value)
    if getattr(value, "is_audit_subject", False):
        return value.public_id
    raise TypeError(f"not an audit subject: {value!r}")


def _actor(actor, request):
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return actor


def record(
    *,
    action: str,
    actor=None,
    cpts=None,
    obj=None,
    object_type: str = "",
    object_id=None,
    patient=None,
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event. `obj` (any model with `public_id`) fills type and id;
    `patient` (a patient or same-day request, or its public id) is the subject, taken from
    `obj` itself when obj is such a record."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or getattr(obj, "public_id", None)
        if patient is None and getattr(obj, "is_audit_subject", False):
            patient = obj
    actor = _actor(actor, request)
    return AuditEvent.objects.create(
        public_id=event_id(),
        cpts=cpts,
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient=subject_of(patient),
        ip=client_ip(request),
        detail=detail or {},
    )


def record_each(
    *,
    action: str,
    subjects,
    actor=None,
    cpts=None,
    request=None,
    detail: dict | None = None,
    object_type: str = "",
) -> int:
    """One audit event per distinct subject (patients shown by a list page, an export, a
    feed), written in a single bulk insert. Returns the number of rows written."""
    actor = _actor(actor, request)
    seen, subjects_kept = set(), []
    for subject in subjects:
        public_id = subject_of(subject)
        if public_id is None or public_id in seen:
            continue
        seen.add(public_id)
        kind = object_type or getattr(getattr(subject, "_meta", None), "label", "")
        subjects_kept.append((public_id, kind))
    if not subjects_kept:
        return 0
    shared = {"cpts": cpts.pk if cpts else None, "actor": actor.pk if actor else None,
              "actor_email": actor.email if actor else "", "action": action,
              "at": timezone.now(), "ip": client_ip(request), "detail": detail or {}}  # fmt: skip
    _insert(connections[router.db_for_write(AuditEvent)], shared, subjects_kept)
    return len(subjects_kept)


SHARED_COLUMNS = ("cpts", "actor", "actor_email", "action", "at", "ip", "detail")
ROW_COLUMNS = ("public_id", "object_type", "object_id", "patient")


def _insert(connection, shared: dict, subjects: list) -> None:
    """The rows of a list in one statement, each value prepared by its model field (the
    same stored values as `bulk_create`), the shared ones once: about half the cost of
    auditing a 50-row list through the ORM (bench/, section audit; the target is under
    5 ms). PostgreSQL receives the per-row values as arrays; SQLite one multi-row VALUES
    per batch. tests/core/test_audit_storage.py checks the rows on both databases."""
    fields = {f.name: f for f in AuditEvent._meta.concrete_fields}

    def prep(name, value):
        return fields[name].get_db_prep_save(value, connection)

    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[n].column)
                        for n in (*ROW_COLUMNS[:2], "object_id", "patient", *SHARED_COLUMNS))
    common = [prep(name, shared[name]) for name in SHARED_COLUMNS]
    rows = [(prep("public_id", event_id()), kind, prep("object_id", subject),
             prep("patient", subject)) for subject, kind in subjects]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 (names from the model)
                "SELECT u.p, u.t, u.s, u.s, %s, %s, %s, %s, %s, %s::inet, %s::jsonb "
                "FROM unnest(%s::uuid[], %s::text[], %s::uuid[]) AS u(p, t, s)",
                [*common, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
            )
            return
        width = len(ROW_COLUMNS) + len(SHARED_COLUMNS)
        per_statement = max(1, (connection.features.max_query_params or 999) // width)
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in batch for value in (*row, *common)],
            )


def purge_expired(*, dry_run: bool = False) -> tuple[int, object]:
    """Delete the events older than AUDIT_RETENTION_DAYS (`maillage audit-purge`, and the
    nightly job): (how many, the cutoff). The database refuses any other deletion."""
    import datetime

    from django.conf import settings
    from django.db import transaction

    cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    if dry_run:
        return old.count(), cutoff
    deleted = 0
    # In batches, so a large first purge neither locks the table for long nor needs the
    # memory of every id at once.
    while True:
        with transaction.atomic():
            ids = list(old.order_by("at").values_list("pk", flat=True)[:5000])
            if not ids:
                break
            deleted += AuditEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted, cutoff


def purge_expired_job() -> int:
    """The nightly job (core.apps): how many events were deleted."""
    return purge_expired()[0]
