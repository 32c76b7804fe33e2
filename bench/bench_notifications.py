"""Benchmark: notifications (issue 11).

Data. A scratch SQLite database (migrations only, one CPTS), 2 000 people without an
account, each with an e-mail address and a phone number.

What is measured:
1. `notify()` to the 2 000 people on e-mail and SMS (2 000 messages, 4 000 deliveries, one
   fan-out job queued at the commit: the worker queues the delivery chunks), as a request
   would call it: the whole transaction, commit and queueing included. Target under 1 s.
   Baseline: the same 2 000 + 4 000 rows inserted by hand (`executemany`, one
   transaction), and the one queue row carrying the messages' ids.
2. One real worker (`maillage qcluster`, one worker process) hands every delivery to
   the console backends (e-mail to the console, SMS appended to a file): the time from
   its start until no delivery is pending. Target under 60 s. Every SMS line is counted:
   4 000 deliveries, 2 000 SMS lines, none twice.

Usage: `python bench/bench_notifications.py` prints the results as JSON; `run()`
returns them.
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEOPLE = 2000
NOTIFY_TARGET_S = 1.0
DRAIN_TARGET_S = 60.0


def _environment(tmp: Path) -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "maillage.settings", "MAILLAGE_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'maillage.sqlite3'}", "MAILLAGE_DEMO": "1",
        "STATIC_ROOT": str(tmp / "static"), "JOBS_REAL_WORKER": "1", "JOBS_WORKERS": "1",
        "SMS_BACKEND": "maillage.notifications.sms.FileSms", "SMS_FILE": str(tmp / "sms.log"),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }  # fmt: skip


def _raw_baseline(cpts_id: int) -> tuple[float, dict]:
    """The same rows by hand: messages, deliveries, queue rows, one transaction. Returns
    its time and the rows it wrote (to check it did the same work as `notify()`)."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO notifications_notification (public_id, cpts_id, kind, email, phone,"
            " ref, subject, body, link, in_app, created_at, answer_kind, answer_asks_skills,"
            " answer, answer_skills) VALUES (%s, %s, %s, %s, %s, '', %s, %s, '', %s, %s, '',"
            " %s, '', '')",
            [(uuid.uuid4().hex, cpts_id, "notifications.test", f"raw{i}@example.org",
              f"+336{i:08d}", "Essai", "Message d'essai", False, now, False)
             for i in range(PEOPLE)])  # fmt: skip
        cursor.execute("SELECT id FROM notifications_notification WHERE email LIKE 'raw%%'")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.executemany(
            "INSERT INTO notifications_delivery (notification_id, public_id, channel, status,"
            " attempts, last_error, created_at) VALUES (%s, %s, %s, 'pending', 0, '', %s)",
            [(pk, uuid.uuid4().hex, channel, now) for pk in ids for channel in ("email", "sms")])
        # One queue row, as notify() writes for this many people (the worker fans out);
        # its payload carries the ids, as the real one does.
        cursor.execute("INSERT INTO django_q_ormq (key, payload, lock) VALUES (%s, %s, NULL)",
                       ["maillage", "xxx" + ",".join(map(str, ids))])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM notifications_delivery WHERE notification_id IN "
                       "(SELECT id FROM notifications_notification WHERE email LIKE 'raw%%')")
        deliveries = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM django_q_ormq WHERE payload LIKE 'xxx%%'")
        queued = cursor.fetchone()[0]
    rows = {"notifications": len(ids), "deliveries": deliveries, "jobs_queued": queued}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_q_ormq WHERE payload LIKE 'xxx%%'")
        cursor.execute("DELETE FROM notifications_delivery WHERE notification_id IN "
                       "(SELECT id FROM notifications_notification WHERE email LIKE 'raw%%')")
        cursor.execute("DELETE FROM notifications_notification WHERE email LIKE 'raw%%'")
    return elapsed, rows


def _bench(tmp: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_q.models import OrmQ

    from maillage.core.models import Cpts
    from maillage.notifications.models import Delivery, Notification
    from maillage.notifications.services import Recipient, notify

    call_command("migrate", interactive=False, verbosity=0)
    cpts = Cpts.objects.create(slug="bench", name="CPTS du banc d'essai")
    baseline, baseline_rows = _raw_baseline(cpts.pk)
    people = [Recipient(email=f"p{i}@example.org", phone=f"+337{i:08d}") for i in range(PEOPLE)]
    started = time.perf_counter()
    with transaction.atomic():
        notify(cpts=cpts, recipients=people, kind="notifications.test", channels=["email", "sms"],
               subject="Réunion", body="La réunion de jeudi est avancée à 18 h.")  # fmt: skip
    notify_s = time.perf_counter() - started
    queued = OrmQ.objects.count()
    notifications = Notification.objects.filter(cpts=cpts).count()
    connection.close()

    worker = subprocess.Popen([str(Path(sys.executable).with_name("maillage")), "qcluster"],
                              env={**os.environ}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    started = time.perf_counter()
    try:
        while Delivery.objects.filter(status__in=["pending", "sending"]).exists():
            if time.perf_counter() - started > 5 * DRAIN_TARGET_S:
                break
            time.sleep(0.2)
        drain_s = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
    statuses = collections.Counter(Delivery.objects.values_list("status", flat=True))
    lines = collections.Counter(
        line.split("\t")[0] for line in (tmp / "sms.log").read_text().splitlines() if line)
    return {
        "people": PEOPLE, "notifications": notifications,
        "deliveries": sum(statuses.values()), "jobs_queued": queued,
        "baseline_rows": baseline_rows,
        "notify_s": round(notify_s, 3), "raw_sql_baseline_s": round(baseline, 3),
        "ratio_to_baseline": round(notify_s / baseline, 2) if baseline else None,
        "drain_one_worker_s": round(drain_s, 1), "statuses": dict(statuses),
        "sms_lines": sum(lines.values()), "sms_sent_twice": sum(1 for n in lines.values() if n > 1),
        "targets": {"notify_s": NOTIFY_TARGET_S, "drain_s": DRAIN_TARGET_S},
    }  # fmt: skip


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="maillage-bench-notifications-") as tmp:
        tmp = Path(tmp)
        (tmp / "static").mkdir()
        os.environ.update(_environment(tmp))
        os.environ.pop("MAILLAGE_TESTING", None)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        result = _bench(tmp)
    # The baseline wrote as many messages, deliveries and queue rows as notify() did.
    result["comparison_valid"] = result["baseline_rows"] == {
        "notifications": result["notifications"], "deliveries": result["deliveries"],
        "jobs_queued": result["jobs_queued"]}  # fmt: skip
    result["targets_met"] = {
        "notify_2000_under_1s": result["notify_s"] < NOTIFY_TARGET_S,
        "all_handed_by_one_worker_under_60s": result["drain_one_worker_s"] < DRAIN_TARGET_S
        and result["statuses"] == {"sent": 2 * PEOPLE},
        "none_sent_twice": result["sms_sent_twice"] == 0 and result["sms_lines"] == PEOPLE,
    }  # fmt: skip
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
