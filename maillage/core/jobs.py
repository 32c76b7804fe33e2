"""Background work: one seam over the job library (django-q2 with its ORM broker, on the
same database as everything else: SQLite or PostgreSQL; docs/decisions/0011).

- `enqueue("maillage.app.module.function", *args)` runs the function on a worker once the
  current transaction commits: nothing is sent from inside a request or a transaction,
  and a job whose transaction rolled back never runs. Arguments must be plain data
  (ids, strings, numbers): the worker reads the rows again.
- `register_periodic(...)` declares a recurring job (an app calls it in its `ready()`);
  `ensure_schedules()` writes them as django-q2 schedules when a worker starts, so no
  cron is needed.
- A job must be idempotent: the ORM broker hands a job whose worker died back to
  another worker after `Q_CLUSTER["retry"]` seconds, and a failed job can be retried by
  the coordinator.

Under the test suite the cluster runs synchronously: `run_jobs()` (tests/conftest.py)
runs the jobs the test's transaction would have queued at commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


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


def enqueue(func: str, *args, group: str | None = None, **kwargs) -> None:
    """Queue `func(*args, **kwargs)` for a worker, after the current transaction commits
    (at once when there is none)."""
    if not isinstance(func, str):
        raise TypeError("enqueue takes the dotted path of the function")

    def push():
        from django_q.tasks import async_task

        options = {"group": group} if group else {}
        async_task(func, *args, q_options=options, **kwargs)

    transaction.on_commit(push, robust=False)


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
        schedule, created = Schedule.objects.get_or_create(name=job.name, defaults=values)
        if not created and any(getattr(schedule, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(schedule, key, value)
            schedule.save()
        names.append(job.name)
    Schedule.objects.filter(name__startswith="maillage:").exclude(name__in=names).delete()
    return names
