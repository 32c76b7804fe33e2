"""Benchmark: crisis alerts (issue 12).

Data. The demo CPTS `pays-berjalliens` (migrations, Isère geography, demo accounts), an
exercise activation and 2 000 contacts of its contact tree, each with a mobile and an
e-mail address, spread over the CPTS's communes, a quarter with a skill.

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child process
under `bin/with_postgres.py`, this module re-invoked with `--pg-child`):
1. `POST /api/v1/crisis/alerts` to the 2 000 contacts on SMS and e-mail, through Django's
   test client with an API token: the whole request (2 000 messages, 4 000 deliveries,
   2 000 recipients, the audit row, the queue row). Target under 2 s. Baseline: the same
   rows inserted by hand (`executemany`, one transaction).
2. One real worker (`maillage qcluster`, one worker process) hands every delivery to the
   console backends (SMS appended to a file): time until none is pending. Target under
   60 s; every SMS line counted, none twice.
3. The live board of the activation (`GET .../tableau/`, the coordinator logged in with
   both factors) once half of the recipients answered: 95th percentile of 30 runs after 3
   of warm-up, target under 100 ms. Baseline: the same figures in one hand-written SQL
   aggregate; the board must show the baseline's figures.
4. One answer through its link (`POST /crise/reponse/<token>/`, no session): 95th
   percentile of 30 answers, target under 50 ms.
5. 200 concurrent answers (threads, each its own link, plus a second POST of 50 of the
   links at the same time): none lost, none counted twice (200 answers, 200 audit rows).

Usage: `python bench/bench_crisis.py` prints the results as JSON; `run()` returns them.
"""

import collections
import datetime
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import common

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD_TIMEOUT_S = 1800
CPTS_SLUG = "pays-berjalliens"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
CONTACTS = 2000
WARMUPS, REPEATS = 3, 30
CONCURRENT, DUPLICATES = 200, 50
# Requests served at the same moment (a server's workers, each with a connection).
SERVER_WORKERS = 64
SEND_TARGET_S, DRAIN_TARGET_S = 2.0, 60.0
BOARD_TARGET_MS, ANSWER_TARGET_MS = 100.0, 50.0


def django_environment(database_url: str | None = None):
    var = Path(os.environ.get("TMPDIR", "/tmp")) / f"maillage-bench-crisis-{os.getpid()}"
    var.mkdir(parents=True, exist_ok=True)
    return common.django_environment("crise", database_url, {
        "JOBS_REAL_WORKER": "1", "JOBS_WORKERS": "1",
        "SMS_BACKEND": "maillage.notifications.sms.FileSms", "SMS_FILE": str(var / "sms.log"),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    })  # fmt: skip


# Data ------------------------------------------------------------------------------------


def prepare() -> dict:
    from maillage.core.models import Cpts, User
    from maillage.crisis.models import Activation, Contact, ContactSkill
    from maillage.crisis.skills import SKILLS

    common.setup_demo()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    communes = list(cpts.communes.all()) if hasattr(cpts, "communes") else []
    if not communes:
        from maillage.territory.models import Commune

        communes = list(Commune.objects.filter(code__startswith="380")[:22])
    contacts = Contact.objects.bulk_create([
        Contact(cpts=cpts, name=f"Contact {i:04d}", profession_code=("10", "60", "21")[i % 3],
                mobile=f"+336{i:08d}", email=f"contact{i}@example.org",
                commune=communes[i % len(communes)])
        for i in range(CONTACTS)], batch_size=500)  # fmt: skip
    codes = list(SKILLS)
    ContactSkill.objects.bulk_create([ContactSkill(contact=c, code=codes[i % len(codes)])
                                      for i, c in enumerate(contacts) if i % 4 == 0])  # fmt: skip
    activation = Activation.objects.create(cpts=cpts, kind="exercise", crisis_type="nrbc",
                                           title="Exercice du banc d'essai",
                                           started_by=coordinator)  # fmt: skip
    return {"cpts": cpts, "coordinator": coordinator, "activation": activation}


# 1. The request, and its raw SQL baseline --------------------------------------------------


def _raw_baseline(cpts_id: int, activation_id: int, contact_ids: list[int]) -> tuple[float, dict]:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    marker = "raw-baseline"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crisis_alert (public_id, cpts_id, activation_id, is_test, groups, "
            "channels, message, escalate_after_minutes, created_at) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, 15, %s)",
            [uuid.uuid4().hex, cpts_id, activation_id, False, '["all"]', '["email", "sms"]',
             marker, now])  # fmt: skip
        cursor.execute("SELECT id FROM crisis_alert WHERE message = %s", [marker])
        alert_id = cursor.fetchone()[0]
        cursor.executemany(
            "INSERT INTO notifications_notification (public_id, cpts_id, kind, email, phone,"
            " ref, subject, body, link, in_app, created_at, answer_kind, answer_asks_skills,"
            " answer_expires_at, answer, answer_skills) VALUES (%s, %s, 'crisis.alert', %s, %s,"
            " %s, %s, %s, '', %s, %s, 'availability', %s, %s, '', '')",
            [(uuid.uuid4().hex, cpts_id, f"raw{i}@example.org", f"+337{i:08d}", marker,
              "EXERCICE – Essai", "EXERCICE – Essai", False, now, True, now)
             for i in range(len(contact_ids))])  # fmt: skip
        cursor.execute("SELECT id FROM notifications_notification WHERE ref = %s ORDER BY id",
                       [marker])  # fmt: skip
        ids = [row[0] for row in cursor.fetchall()]
        cursor.executemany(
            "INSERT INTO notifications_delivery (notification_id, public_id, channel, status,"
            " attempts, last_error, created_at) VALUES (%s, %s, %s, 'pending', 0, '', %s)",
            [(pk, uuid.uuid4().hex, channel, now) for pk in ids for channel in ("email", "sms")])
        cursor.executemany(
            "INSERT INTO crisis_alertrecipient (alert_id, contact_id, notification_id,"
            " escalations, next_escalation_at) VALUES (%s, %s, %s, 0, %s)",
            [(alert_id, c, n, now) for c, n in zip(contact_ids, ids, strict=True)])
        cursor.execute("INSERT INTO django_q_ormq (key, payload, lock) VALUES (%s, %s, NULL)",
                       ["maillage", "xxx" + ",".join(map(str, ids))])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM notifications_delivery WHERE notification_id IN "
                       "(SELECT id FROM notifications_notification WHERE ref = %s)", [marker])
        deliveries = cursor.fetchone()[0]
    rows = {"notifications": len(ids), "deliveries": deliveries, "recipients": len(ids)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_q_ormq WHERE payload LIKE 'xxx%%'")
        cursor.execute("DELETE FROM crisis_alertrecipient WHERE alert_id = %s", [alert_id])
        cursor.execute("DELETE FROM notifications_delivery WHERE notification_id IN "
                       "(SELECT id FROM notifications_notification WHERE ref = %s)", [marker])
        cursor.execute("DELETE FROM notifications_notification WHERE ref = %s", [marker])
        cursor.execute("DELETE FROM crisis_alert WHERE id = %s", [alert_id])
    return elapsed, rows


def send(prepared) -> dict:
    from django.test import Client

    from maillage.core.services import api_token_create
    from maillage.crisis.models import Alert, AlertRecipient, Contact
    from maillage.notifications.models import Delivery

    cpts, activation = prepared["cpts"], prepared["activation"]
    contact_ids = list(Contact.objects.filter(cpts=cpts).order_by("pk")
                       .values_list("pk", flat=True))  # fmt: skip
    baseline, baseline_rows = _raw_baseline(cpts.pk, activation.pk, contact_ids)
    token = api_token_create(user=prepared["coordinator"])
    client = Client()
    started = time.perf_counter()
    response = client.post("/api/v1/crisis/alerts", {
        "activation": str(activation.public_id), "groups": ["all"], "channels": ["sms", "email"],
        "message": "Renfort demandé au gymnase municipal, 14 h."},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content
    alert = Alert.objects.get(public_id=response.json()["id"])
    rows = {"notifications": AlertRecipient.objects.filter(alert=alert).count(),
            "deliveries": Delivery.objects.filter(notification__crisis_recipient__alert=alert)
            .count(), "recipients": alert.recipients.count()}  # fmt: skip
    prepared["alert"] = alert
    return {"request_s": round(elapsed, 3), "raw_sql_baseline_s": round(baseline, 3),
            "ratio_to_baseline": round(elapsed / baseline, 2) if baseline else None,
            "rows": rows, "baseline_rows": baseline_rows,
            "same_rows": rows == baseline_rows, "recipients": response.json()["recipients"],
            "time_pass": elapsed < SEND_TARGET_S}  # fmt: skip


# 2. One worker drains the queue ---------------------------------------------------------------


def drain(prepared) -> dict:
    from django.conf import settings
    from django.db import connections

    from maillage.notifications.models import Delivery

    connections.close_all()
    sms_file = Path(settings.SMS_FILE)
    worker = subprocess.Popen([str(Path(sys.executable).with_name("maillage")), "qcluster"],
                              env={**os.environ}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    started = time.perf_counter()
    try:
        while Delivery.objects.filter(status__in=["pending", "sending"]).exists():
            if time.perf_counter() - started > 5 * DRAIN_TARGET_S:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
    deliveries = Delivery.objects.filter(notification__crisis_recipient__alert=prepared["alert"])
    statuses = collections.Counter(deliveries.values_list("status", flat=True))
    sms_sent = deliveries.filter(channel="sms", status=Delivery.Status.SENT).count()
    lines = collections.Counter(line.split("\t")[0] for line in
                                sms_file.read_text().splitlines() if line)  # fmt: skip
    # The demo's own contacts are alerted too; those without a mobile have their SMS
    # "skipped" (nothing to send to), which is handled, not lost.
    handled = set(statuses) <= {"sent", "skipped"} and statuses["sent"] >= 2 * CONTACTS
    return {"drain_one_worker_s": round(elapsed, 1), "statuses": dict(statuses),
            "sms_lines": sum(lines.values()), "sms_sent": sms_sent,
            "sms_sent_twice": sum(1 for n in lines.values() if n > 1),
            "time_pass": elapsed < DRAIN_TARGET_S and handled,
            "none_twice": sum(lines.values()) == sms_sent
            and all(n == 1 for n in lines.values())}  # fmt: skip


# 3. The board -------------------------------------------------------------------------------


def _answer_half(alert) -> list:
    """Half of the recipients answered (available now, later, unavailable); returns the
    messages left unanswered (the answer measures use them)."""
    from django.db.models import F
    from django.utils import timezone

    from maillage.notifications.models import Notification

    now = timezone.now()
    ids = list(Notification.objects.filter(crisis_recipient__alert=alert).order_by("pk")
               .values_list("pk", flat=True))  # fmt: skip
    answered = ids[: len(ids) // 2]
    thirds = [answered[i::3] for i in range(3)]
    Notification.objects.filter(pk__in=thirds[0]).update(answer="available_now", answered_at=now,
                                                         answer_skills="Vaccinateur")
    Notification.objects.filter(pk__in=thirds[1]).update(
        answer="available_from", answered_at=now,
        answer_available_from=now + datetime.timedelta(hours=2))  # fmt: skip
    Notification.objects.filter(pk__in=thirds[2]).update(answer="unavailable", answered_at=now,
                                                         read_at=F("answered_at"))  # fmt: skip
    return list(Notification.objects.filter(pk__in=ids[len(ids) // 2:]).order_by("pk"))


BOARD_SQL = """
SELECT COUNT(*),
  SUM(CASE WHEN EXISTS (SELECT 1 FROM notifications_delivery d
                        WHERE d.notification_id = r.notification_id AND d.status = 'sent')
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN n.answered_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN n.answer = 'available_now' THEN 1 ELSE 0 END),
  SUM(CASE WHEN n.answer = 'available_from' THEN 1 ELSE 0 END),
  SUM(CASE WHEN n.answer = 'unavailable' THEN 1 ELSE 0 END)
FROM crisis_alertrecipient r
JOIN crisis_alert a ON a.id = r.alert_id
LEFT JOIN notifications_notification n ON n.id = r.notification_id
WHERE a.activation_id = %s
"""


def _timed(call) -> list[float]:
    for _ in range(WARMUPS):
        call()
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def board_bench(prepared) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.crisis import board

    activation = prepared["activation"]
    prepared["unanswered"] = _answer_half(prepared["alert"])
    if connection.vendor == "postgresql":
        # Statistics of the tables just filled, as autovacuum would gather them (else its
        # ANALYZE may land in the middle of the samples, and the plans are of empty tables).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    browser = common.verified_client(prepared["coordinator"])
    url = f"/c/{CPTS_SLUG}/crise/activations/{activation.public_id}/tableau/"

    def page():
        response = browser.get(url)
        assert response.status_code == 200

    def fragment():
        assert browser.get(url, HTTP_HX_REQUEST="true").status_code == 200

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(BOARD_SQL, [activation.pk])
            return cursor.fetchone()

    page_ms, fragment_ms, raw_ms = _timed(page), _timed(fragment), _timed(raw)
    with CaptureQueriesContext(connection) as queries:
        page()
    figures = board.activation_board(activation)["total"]
    expected = [int(v or 0) for v in raw()]
    shown = [figures[k] for k in ("recipients", "reached", "answered", "available_now",
                                  "available_from", "unavailable")]  # fmt: skip
    page_summary = common.summary(page_ms)
    return {"page": page_summary, "fragment": common.summary(fragment_ms),
            "page_queries": len(queries),
            "raw_sql_baseline": common.summary(raw_ms), "figures": dict(zip(
                ("recipients", "reached", "answered", "available_now", "available_from",
                 "unavailable"), shown, strict=True)),
            "same_results": shown == expected,
            "time_pass": page_summary["p95_ms"] < BOARD_TARGET_MS}  # fmt: skip


# 4. and 5. Answers --------------------------------------------------------------------------


def _path(notification) -> str:
    from django.conf import settings

    from maillage.notifications.answers import answer_url

    return answer_url(notification).removeprefix(settings.SITE_URL.rstrip("/"))


def answer_bench(prepared) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    left = prepared["unanswered"]
    # One more answer than the timed ones: its SQL queries are counted.
    count = WARMUPS + REPEATS + 1
    mine, prepared["unanswered"] = left[:count], left[count:]
    queue = list(mine)
    browser = Client()

    def answer():
        response = browser.post(_path(queue.pop()), {"answer": "available_now"})
        assert response.status_code == 200 and "transmise" in response.content.decode()

    summary = common.summary(_timed(answer))
    with CaptureQueriesContext(connection) as queries:
        answer()
    return {**summary, "queries": len(queries), "time_pass": summary["p95_ms"] < ANSWER_TARGET_MS}


def concurrent_answers(prepared) -> dict:
    from django.db import connections
    from django.test import Client

    from maillage.core.models import AuditEvent
    from maillage.notifications.models import Notification

    links = [_path(n) for n in prepared["unanswered"][:CONCURRENT]]
    ids = [n.pk for n in prepared["unanswered"][:CONCURRENT]]
    posts = links + links[:DUPLICATES]
    audit_before = AuditEvent.objects.filter(action="crisis.alert_answer").count()
    statuses, barrier = [], threading.Barrier(len(posts))
    lock = threading.Lock()
    # All the requests are released at once onto a server's workers, each with its own
    # database connection: as many as a deployment would run, under PostgreSQL's
    # max_connections (200 in bin/with_postgres.py). 250 threads each opening a
    # connection at once measured the harness ("too many clients"), not the answer page.
    workers = threading.BoundedSemaphore(SERVER_WORKERS)

    def one(path):
        client = Client()
        barrier.wait()
        try:
            with workers:
                status = client.post(path, {"answer": "available_now"}).status_code
        except Exception as exc:  # noqa: BLE001 (a failure is counted, not raised)
            status = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(path,)) for path in posts]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    answered = Notification.objects.filter(pk__in=ids, answered_at__isnull=False).count()
    audited = AuditEvent.objects.filter(action="crisis.alert_answer").count() - audit_before
    counted = collections.Counter(str(s) for s in statuses)
    return {"posts": len(posts), "links": len(links), "statuses": dict(counted),
            "answered": answered, "audit_rows": audited, "seconds": round(elapsed, 2),
            "none_lost_none_twice": answered == len(links) and audited == len(links)
            and counted.get("200", 0) == len(posts)}  # fmt: skip


def bench_in_process() -> dict:
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    result = {"vendor": connection.vendor, "contacts": CONTACTS}
    result["send"] = send(prepared)
    result["drain"] = drain(prepared)
    result["board"] = board_bench(prepared)
    result["answer"] = answer_bench(prepared)
    result["concurrent_answers"] = concurrent_answers(prepared)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="crise", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return "board" in part and part["board"]["same_results"] and part["send"]["same_rows"]


def run() -> dict:
    started = time.monotonic()
    postgresql = postgresql_part()
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", postgresql)):
        measured = "send" in part
        targets[f"alert_2000_request_under_2s_{vendor}"] = measured and part["send"]["time_pass"]
        targets[f"all_handed_by_one_worker_under_60s_{vendor}"] = (
            measured and part["drain"]["time_pass"] and part["drain"]["none_twice"])
        targets[f"board_p95_under_100ms_{vendor}"] = measured and part["board"]["time_pass"]
        targets[f"answer_p95_under_50ms_{vendor}"] = measured and part["answer"]["time_pass"]
        targets[f"concurrent_answers_none_lost_none_twice_{vendor}"] = (
            measured and part["concurrent_answers"]["none_lost_none_twice"])
    return {
        "sqlite": sqlite, "postgresql": postgresql, "targets_met": targets,
        # The baselines did the same work: as many rows written, the same figures.
        "comparison_valid": _part_valid(sqlite) and _part_valid(postgresql),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    if len(sys.argv) == 2 and sys.argv[1] == "--sqlite-only":
        with django_environment():
            print(json.dumps(bench_in_process(), indent=2, ensure_ascii=False, default=str))
        sys.exit(0)
    print(json.dumps(run(), indent=2, ensure_ascii=False, default=str))
