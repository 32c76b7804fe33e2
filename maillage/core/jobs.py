"""Background work: one seam over the job library (django-q2 with its ORM broker, on the
same database as everything else: SQLite or PostgreSQL; docs/decisions/0011).

- `enqueue("maillage.app.module.function", *args)` runs the function on a worker once the
  current transaction commits: nothing is sent from inside a request or a transaction,
  and a job whose transaction rolled back never runs (the job's row is written in the
  same transaction, see `_queue`). Arguments must be plain data
  (ids, strings, numbers): the worker reads the rows again.
- `register_periodic(...)` declares a recurring job (an app calls it in its `ready()`);
  `ensure_schedules()` writes them as django-q2 schedules when a worker starts, so no
  cron is needed.
- A job must be idempotent: the ORM broker hands a job whose worker died back to
  another worker after `Q_CLUSTER["retry"]` seconds, and a failed job can be retried by
  the coordinator.

- `enqueue(..., cpts=cpts)` records the CPTS the job works for: its coordinator sees the
  job on the "Tâches de fond" page if it fails, and may run it again once. Jobs without
  a CPTS (periodic passes over every CPTS) are for the Django admin only.
- The running cluster proves it is alive with the `heartbeat` job every minute (see
  `worker_status`, read by `GET /healthz/full`).

Under the test suite the cluster runs synchronously: `run_jobs()` (tests/conftest.py)
runs the jobs the test's transaction would have queued at commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str
    minutes: int | None = None  # every N minutes
    cron: str | None = None  # or a cron expression ("0 7 * * *": every day at 07:00)
    label: str = ""


PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, func: str, *, minutes: int | None = None,
                      cron: str | None = None, label: str = "") -> None:  # fmt: skip
    if (minutes is None) == (cron is None):
        raise ValueError("a periodic job runs every N minutes or on a cron expression")
    name = name if name.startswith("maillage:") else f"maillage:{name}"
    PERIODIC[name] = Periodic(name=name, func=func, minutes=minutes, cron=cron, label=label)
    if label:
        register_label(func, label)


# What a job does, in French, for the page of failed jobs ("Envoi au SAS"...).
LABELS: dict[str, str] = {}


def register_label(func: str, label: str) -> None:
    LABELS[func] = label


def label_of(func: str) -> str:
    return LABELS.get(func) or f"Tâche technique ({func.rsplit('.', 1)[-1]})"


# Keywords django-q2's async_task would take for itself instead of passing them to the job.
RESERVED_KWARGS = frozenset({
    "hook", "group", "save", "sync", "cached", "ack_failure", "iter_count", "iter_cached",
    "chain", "broker", "cluster", "timeout", "q_options", "task_name",
})  # fmt: skip


def cpts_group(cpts_id: int) -> str:
    return f"cpts:{cpts_id}"


def enqueue(func: str, *args, cpts=None, group: str | None = None, **kwargs) -> None:
    """Queue `func(*args, **kwargs)` for a worker, after the current transaction commits
    (at once when there is none). `cpts`: the CPTS the job works for (its coordinator
    sees it if it fails); `group`: a label of ours to find related jobs."""
    if not isinstance(func, str):
        raise TypeError("enqueue takes the dotted path of the function")
    clash = RESERVED_KWARGS.intersection(kwargs)
    if clash:
        raise TypeError(f"keyword arguments reserved by the job library: {sorted(clash)}")
    if cpts is not None:
        # A Cpts or its primary key (jobs queued from a worker know only the id).
        group = cpts_group(getattr(cpts, "pk", cpts)) + (f":{group}" if group else "")
    _queue(func, args, kwargs, group)


def _queue(func: str, args, kwargs, group: str | None) -> None:
    """With the ORM broker on the default database, the job's row is written in the
    caller's transaction: it exists if and only if the change commits, workers cannot
    see it before, and no write is left to do after the commit (where a failure would
    lose the job, or make a caller that retries on "database is locked" redo a change
    already committed). In sync mode (the test suite) the job runs in the caller's
    process, so it waits for the commit (`run_jobs()` in tests); as in production, a job
    that fails there does not fail the request that queued it (it is logged)."""
    from django_q.conf import Conf

    if Conf.SYNC or Conf.ORM != "default":
        transaction.on_commit(lambda: _push(func, args, kwargs, group), robust=True)
    else:
        _push(func, args, kwargs, group)


def _push(func: str, args, kwargs, group: str | None) -> str:
    from django_q.tasks import async_task

    options = {"group": group} if group else {}
    return async_task(func, *args, q_options=options, **kwargs)


def ensure_schedules() -> list[str]:
    """Create or update the django-q2 schedule of every registered periodic job, and
    remove the schedules of jobs no longer registered. Idempotent."""
    from django_q.models import Schedule

    names = []
    for job in PERIODIC.values():
        values = {"func": job.func}
        if job.cron:
            values.update(schedule_type=Schedule.CRON, cron=job.cron, minutes=None)
        else:
            values.update(schedule_type=Schedule.MINUTES, minutes=job.minutes, cron=None)
        # A daily job first runs at its hour, not when the first worker starts (the
        # reminders at 07:00, not at whatever hour the platform was installed).
        first_run = _next_cron_run(job.cron) if job.cron else timezone.now()
        schedule, created = Schedule.objects.get_or_create(
            name=job.name, defaults={**values, "next_run": first_run}
        )
        if not created and any(getattr(schedule, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(schedule, key, value)
            schedule.next_run = first_run
            schedule.save()
        names.append(job.name)
    Schedule.objects.filter(name__startswith="maillage:").exclude(name__in=names).delete()
    return names


def _next_cron_run(cron: str) -> datetime.datetime:
    """The next time of a cron expression, read in the platform's time zone (07:00 is
    07:00 in Paris, summer and winter), as django-q2 reads it."""
    from croniter import croniter

    return croniter(cron, timezone.localtime()).get_next(datetime.datetime)


# ------------------------------------------------------------------ health

HEARTBEAT_KEY = "maillage:jobs:heartbeat"
# The heartbeat job runs every minute; past this age no worker has taken a job lately.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=3)


def heartbeat() -> None:
    """The periodic job that tells `worker_status` a cluster is running: it runs only when
    the cluster's scheduler created it and one of its workers took it from the queue."""
    cache.set(HEARTBEAT_KEY, timezone.now().timestamp(), timeout=24 * 3600)


def last_heartbeat() -> datetime.datetime | None:
    value = cache.get(HEARTBEAT_KEY)
    if value is None:
        return None
    return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)


def worker_status(now=None) -> str:
    beat = last_heartbeat()
    now = now or timezone.now()
    return "ok" if beat is not None and now - beat <= HEARTBEAT_MAX_AGE else "down"


def _queued_tasks(limit: int = 10_000) -> list[dict]:
    """The packages waiting in the ORM broker (decoded: the CPTS is inside the signed
    payload). Bounded: a queue that long is an incident the totals already show."""
    from django_q.models import OrmQ

    return [row.task for row in OrmQ.objects.order_by("pk")[:limit]]


def queue_counts() -> dict[str, int]:
    from django_q.models import Failure, OrmQ

    return {"pending": OrmQ.objects.count(), "failed": Failure.objects.count()}


# ------------------------------------------------------------------ a CPTS's failed jobs


def _for_cpts(queryset, cpts):
    group = cpts_group(cpts.pk)
    from django.db.models import Q

    return queryset.filter(Q(group=group) | Q(group__startswith=f"{group}:"))


def _is_for_cpts(group: str | None, cpts) -> bool:
    prefix = cpts_group(cpts.pk)
    return group is not None and (group == prefix or group.startswith(f"{prefix}:"))


def failed_jobs(cpts):
    from django_q.models import Failure

    return _for_cpts(Failure.objects.all(), cpts).order_by("-stopped")


def pending_count(cpts) -> int:
    return sum(1 for task in _queued_tasks() if _is_for_cpts(task.get("group"), cpts))


def retry_failed(*, cpts, task_id: str) -> bool:
    """Queue a failed job of this CPTS again, once: the failure is removed in the same
    transaction, so a second click (or two at once: the DELETE counts the rows it
    removed) finds nothing and queues nothing. False when there was nothing to retry."""
    from django_q.models import Failure

    with transaction.atomic():
        failure = _for_cpts(Failure.objects.filter(pk=task_id), cpts).first()
        if failure is None:
            return False
        if not Failure.objects.filter(pk=failure.pk).delete()[0]:
            return False
        args, kwargs = tuple(failure.args or ()), dict(failure.kwargs or {})
        _queue(failure.func, args, kwargs, failure.group)
    return True


_UNREACHABLE = (
    "ConnectionError", "ConnectionRefusedError", "TimeoutError", "OSError", "SMTPException",
    "SMTPServerDisconnected", "TransportError", "gaierror",
)  # fmt: skip


def error_summary(result) -> str:
    """The cause of a failure in French, without the traceback (which may quote data the
    coordinator need not see): the Django admin keeps the detail."""
    text = str(result or "")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    kind = last.split(":", 1)[0].rsplit(".", 1)[-1]
    if "TimeoutException" in text or "exceeded maximum timeout" in text:
        minutes = max(1, round(settings.JOBS_TIMEOUT_SECONDS / 60))
        return f"Trop longue : arrêtée après {minutes} min."
    if kind in _UNREACHABLE:
        return "Service extérieur injoignable (messagerie, SMS ou SAS)."
    if kind == "ValidationError":
        return "Données refusées par un contrôle de la plateforme."
    if kind in ("DoesNotExist", "ObjectDoesNotExist"):
        return "Ce sur quoi portait la tâche n'existe plus."
    if kind in ("OperationalError", "IntegrityError", "DatabaseError", "InterfaceError"):
        return "Erreur de la base de données."
    return "Erreur inattendue (détail technique dans l'administration)."
