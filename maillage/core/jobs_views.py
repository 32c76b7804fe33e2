"""Pages of the job queue: the full health check and a CPTS's failed jobs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import jobs, permissions
from .access import member_view


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to answer is "down", never a 500
        return False


@require_GET
def healthz_full(request):
    """For the operator's probe: the database, the worker (its heartbeat), the queue.
    503 when something is down. Counts only: nothing secret, nothing about a CPTS."""
    database = "ok" if database_ok() else "down"
    queue = {"pending": None, "failed": None}
    worker = "down"
    try:
        worker = jobs.worker_status()  # the cache: the database, or Redis
    except Exception:
        worker = "down"
    if database == "ok":
        try:
            queue = jobs.queue_counts()
        except Exception:
            database = "down"
    body = {"database": database, "worker": worker, "queue": queue}
    status = 200 if database == "ok" and worker == "ok" else 503
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@member_view(permissions.see_jobs)
@require_GET
def failed_jobs_view(request):
    cpts = request.cpts
    page = Paginator(jobs.failed_jobs(cpts), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "id": task.id,
            "label": jobs.label_of(task.func),
            "at": timezone.localtime(task.stopped),
            "error": jobs.error_summary(task.result),
            "attempts": task.attempt_count,
        }
        for task in page
    ]
    return render(request, "core/jobs.html", {
        "page": page, "rows": rows, "pending": jobs.pending_count(cpts),
    })  # fmt: skip


@member_view(permissions.see_jobs)
@require_POST
def retry_job_view(request, task_id):
    if jobs.retry_failed(cpts=request.cpts, task_id=task_id):
        messages.success(request, "Tâche relancée : elle repasse dans la file d'attente.")
    else:
        messages.info(request, "Cette tâche a déjà été relancée (ou n'existe plus).")
    return redirect("core:jobs", cpts_slug=request.cpts.slug)
