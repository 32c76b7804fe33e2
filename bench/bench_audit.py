"""Benchmark: the audit trail (issue 10), a patient's access report and list-page auditing.

Data. The demo CPTS `pays-berjalliens` and its neighbour `vals-du-dauphine` (migrations,
Isère geography, `build_demo(directory=False)` with `MAILLAGE_DEMO=1`), 28 more members
(40 actors with the 12 demo personas who read patients), and 5 000 000 audit events
written straight into `core_auditevent` (multi-row `executemany` on SQLite, `COPY` on
PostgreSQL, one transaction per batch of 100 000, the table's secondary indexes dropped
before and rebuilt from their own definitions after, as a bulk load does): three years
of activity, ids growing with time, mostly on working hours; 20 000 subjects (70 % in the
demo CPTS, 30 % in the other), a few very followed and most rarely (log-normal weights);
the real action codes in plausible shares (lists and reads above all, then pathway reads,
request transitions, updates...), with the object, the small JSON detail and the IP
address each writer gives them, and time-ordered ids as `core.audit.event_id` makes them;
10 % of the events have no subject (logins, member lists, audit reads, directory
exports). The patient of the measure is a real record of the demo
CPTS, created by `patients.services.patient_create` (so `find_subject` resolves it), with
600 events among the 5 000 000 (12 pages of 50). On PostgreSQL, `ANALYZE` after the
fill (autovacuum would on a live server); SQLite gets no statistics (nothing runs
ANALYZE on a live installation).

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child
process under `bin/with_postgres.py`, this module re-invoked with `--pg-child`):
1. `GET /c/pays-berjalliens/journal/personne/<id>/` (Accès au dossier) for the
   coordinator (logged in, both factors) through Django's test client, first page and
   page 10: 60 runs after 5 of warm-up, in turn with the baseline; target p95 under
   100 ms. The baseline is the two queries the page needs written by hand with the
   cursor: the count of the patient's events in the CPTS, and the 50 rows of the page
   (ordered by at, id descending) with the actor's name. The page must show the
   baseline's count and its 50 rows in the same order. Each page view writes its own
   audit event first (the report shows its own opening): the count grows by one a view.
   The plans of the page's queries (EXPLAIN) are kept; they must use `audit_patient_at`.
2. The médecin-traitant work queue for the coordinator with 50 requests shown (the demo's
   8 plus 60 qualified ones made by the services), with its `record_shown` call (one
   audit row per patient shown, one bulk insert) and without (the view's `record_shown`
   replaced by a no-op), in turn: 60 rounds of A B B A or B A A B after 5 of warm-up
   (120 samples of each). The
   overhead is the difference of the medians; target under 5 ms. The `record_shown` call
   is also timed inside the page. The baseline is the same 50 rows inserted by hand in
   one multi-row INSERT, in its transaction.

Usage: `python bench/bench_audit.py` prints the results as JSON; `run()` returns them.
"""

import datetime
import html as html_lib
import json
import re
import sys
import time
import uuid
from pathlib import Path

import common
import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SEED = 20_241_010
CHILD_TIMEOUT_S = 1500

CPTS_SLUG = "pays-berjalliens"
OTHER_SLUG = "vals-du-dauphine"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
# The demo personas who read patients, in each CPTS (the board sees none).
DEMO_ACTORS = ("coordination", "medecin", "infirmier", "pharmacien", "regulation", "partenaire")
BENCH_EMAIL = "audit-bench-{:02d}@bench.maillage.test"
BENCH_ACTORS = {CPTS_SLUG: 20, OTHER_SLUG: 8}  # 40 actors with the 12 personas

EVENTS = 5_000_000
BATCH = 100_000
SUBJECTS = 20_000
DEMO_SHARE = 0.70
NO_SUBJECT_SHARE = 0.10
YEARS = 3
TARGET_EVENTS = 600
PAGE_SIZE = 50  # core.views.AUDIT_PAGE_SIZE
DEEP_PAGE = 10

WARMUPS = 5
REPEATS = 60
PAGE_TARGET_MS = 100.0
QUEUE_REQUESTS = 60
OVERHEAD_TARGET_MS = 5.0

# (action, share, object kind, object type, details to draw from). Object kinds: the
# subject itself, one of its records (a médecin-traitant request, a pathway enrolment, a
# same-day request), or nothing.
SUBJECT_ACTIONS = (
    ("patient.list", 0.40, "subject", "patients.Patient",
     [{"via": "gp_access.queue"}, {"via": "pathways.due"}, {"via": "gp_access.batch"},
      {"via": "pathways.enrolments"}, {"via": "gp_access.my_proposals"}]),
    ("patient.read", 0.22, "subject", "patients.Patient", [{}, {"via": "gp_access.request"}]),
    ("pathway.read", 0.10, "enrolment", "pathways.Enrolment", [{}]),
    ("pathway.task_complete", 0.06, "enrolment", "pathways.Task",
     [{"step": "HbA1c"}, {"step": "Examen des pieds"}, {"step": "Pesée"}]),
    ("gp_request.transition", 0.05, "request", "gp_access.GpRequest",
     [{"from": "new", "to": "qualified"}, {"from": "qualified", "to": "proposed"},
      {"from": "proposed", "to": "accepted"}, {"from": "accepted", "to": "assigned"}]),
    ("patient.update", 0.04, "subject", "patients.Patient",
     [{"changed": ["phone"]}, {"changed": ["commune", "address"]}, {"changed": ["ald"]}]),
    ("snp.request_read", 0.04, "snp", "same_day_care.SameDayRequest", [{}]),
    ("pathway.pps_read", 0.03, "enrolment", "pathways.Enrolment", [{}]),
    ("patient.duplicate_shown", 0.02, "subject", "patients.Patient",
     [{"via": "gp_access.request"}]),
    ("gp_request.create", 0.02, "request", "gp_access.GpRequest", [{"origin": "coordination"}]),
    ("patient.create", 0.01, "subject", "patients.Patient", [{}]),
    ("patient.consent", 0.01, "subject", "patients.Consent", [{"method": "oral"}]),
)  # fmt: skip
OTHER_ACTIONS = (
    ("auth.login", 0.50, "none", "", [{"second_factor": True}]),
    ("members.list", 0.15, "none", "", [{}]),
    ("audit.read", 0.10, "none", "", [{"filters": {"action": "patient.read"}}, {}]),
    ("directory.export", 0.10, "none", "", [{"format": "csv", "count": 412}]),
    ("pathways.due", 0.15, "none", "", [{"count": 37}]),
)  # fmt: skip


def django_environment(database_url: str | None = None):
    return common.django_environment("audit", database_url)


summary = common.summary


# Data ------------------------------------------------------------------------------------


def _uuid_hex(rng, n: int) -> list[str]:
    """`n` random version-4 UUIDs as 32 hexadecimal digits (how SQLite stores them, and
    a form PostgreSQL reads)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


def _event_ids(rng, seconds: np.ndarray) -> list[str]:
    """Public ids as `core.audit.event_id` makes them (version 7: the time in
    milliseconds, then random bits), for events at these times (epoch seconds)."""
    n = len(seconds)
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    ms = (seconds * 1000).astype(np.int64).astype(">u8").view(np.uint8).reshape(n, 8)
    raw[:, :6] = ms[:, 2:]
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x70
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


def actors(demo, other) -> dict:
    """The 40 actors: the demo personas who read patients and 28 more members."""
    from django.contrib.auth.hashers import make_password

    from maillage.core.models import Membership, Role, User
    from maillage.demo.builder import demo_email

    password = make_password(None)
    pools = {}
    number = 0
    for cpts in (demo, other):
        pool = [User.objects.get(email=demo_email(local, cpts.slug)) for local in DEMO_ACTORS]
        for _ in range(BENCH_ACTORS[cpts.slug]):
            user = User.objects.create(email=BENCH_EMAIL.format(number), password=password,
                                       first_name=f"Prénom{number}", last_name=f"AUDIT{number:02d}")
            Membership.objects.create(user=user, cpts=cpts, role=Role.PROFESSIONAL,
                                      title="Infirmière libérale" if number % 2 else "Médecin")
            pool.append(user)
            number += 1
        pools[cpts.pk] = pool
    return pools


def target_patient(cpts, coordinator):
    from maillage.patients.services import patient_create

    return patient_create(
        cpts=cpts, actor=coordinator, consent_method="oral", allow_duplicate=True,
        data={"birth_name": "MARCHAND", "first_names": "Élise Jeanne",
              "birth_date": "1952-04-18", "sex": "F", "commune": "38053",
              "phone": "06 55 44 33 22", "ald": True},
    )  # fmt: skip


def _indexes(connection) -> list[tuple[str, str, str]]:
    """The secondary indexes of the audit table: (kind, name, definition to recreate it).
    The unique constraint on public_id is dropped and rebuilt too on PostgreSQL; SQLite
    cannot drop it (it belongs to the table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = 'core_auditevent' AND sql IS NOT NULL ORDER BY name")
            return [("index", name, sql) for name, sql in cursor.fetchall()]
        cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = 'core_auditevent'::regclass AND contype = 'u' ORDER BY conname""")
        found = [("constraint", name, definition) for name, definition in cursor.fetchall()]
        cursor.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = 'core_auditevent' AND NOT EXISTS (
              SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.indexname""")
        return found + [("index", name, sql) for name, sql in cursor.fetchall()]


def _drop(connection, indexes) -> None:
    with connection.cursor() as cursor:
        for kind, name, _sql in indexes:
            if kind == "constraint":
                cursor.execute(f'ALTER TABLE core_auditevent DROP CONSTRAINT "{name}"')
            else:
                cursor.execute(f'DROP INDEX "{name}"')


def _rebuild(connection, indexes) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '256MB'")
        for kind, name, sql in indexes:
            if kind == "constraint":
                cursor.execute(f'ALTER TABLE core_auditevent ADD CONSTRAINT "{name}" {sql}')
            else:
                cursor.execute(sql)


COLUMNS = ("public_id", "cpts_id", "actor_id", "actor_email", "action", "object_type",
           "object_id", "patient", "at", "ip", "detail")  # fmt: skip


def _time_column(seconds: np.ndarray, vendor: str) -> list[str]:
    """Epoch seconds (float) as the text each database stores for a DateTimeField."""
    stamps = np.datetime_as_string((seconds * 1e6).astype("datetime64[us]"), unit="us")
    if vendor == "sqlite":  # Django's SQLite format: "2025-03-04 09:12:33.123456" (UTC)
        return [s[:10] + " " + s[11:] for s in stamps]
    return [s + "+00" for s in stamps]


def fill(demo, other, pools, target) -> dict:
    """EVENTS audit events over YEARS years, streamed in batches of BATCH."""
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    vendor = connection.vendor
    rng = np.random.default_rng(SEED)
    subjects = _uuid_hex(rng, SUBJECTS)
    target_hex = target.public_id.hex
    subjects[0] = target_hex
    demo_subjects = int(SUBJECTS * DEMO_SHARE)
    subject_cpts = np.where(np.arange(SUBJECTS) < demo_subjects, demo.pk, other.pk)
    # Each subject's records: one médecin-traitant request, one enrolment, one same-day
    # request (their public ids, as the writers name them).
    records = {"request": _uuid_hex(rng, SUBJECTS), "enrolment": _uuid_hex(rng, SUBJECTS),
               "snp": _uuid_hex(rng, SUBJECTS)}  # fmt: skip
    weight = rng.lognormal(0.0, 1.0, SUBJECTS)
    weight[0] = 0.0  # the target gets exactly TARGET_EVENTS, placed below
    weight /= weight.sum()
    actor_pools = {}
    for cpts_pk, pool in pools.items():
        # Coordinators and GPs read more than the others.
        w = np.array([4.0 if i == 0 else 2.0 if i == 1 else 1.0 for i in range(len(pool))])
        actor_pools[cpts_pk] = ([u.pk for u in pool], [u.email for u in pool], w / w.sum())
    addresses = [f"192.168.{rng.integers(0, 40)}.{rng.integers(2, 250)}" for _ in range(150)]
    addresses += [f"{rng.integers(80, 93)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}."
                  f"{rng.integers(1, 254)}" for _ in range(100)]  # fmt: skip
    actions = SUBJECT_ACTIONS + OTHER_ACTIONS
    action_p = np.array([a[1] for a in SUBJECT_ACTIONS])
    other_p = np.array([a[1] for a in OTHER_ACTIONS])
    details = [[json.dumps(d) for d in a[4]] for a in actions]
    n_subject_actions = len(SUBJECT_ACTIONS)

    now = timezone.now().timestamp()
    start = now - YEARS * 365 * 86400
    span = (now - 60) - start
    # The target's events: at positions among the whole stream, always about it.
    target_positions = np.sort(rng.choice(EVENTS, TARGET_EVENTS, replace=False))
    indexes = _indexes(connection)
    _drop(connection, indexes)
    if vendor == "sqlite":
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO core_auditevent ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    else:
        sql = f"COPY core_auditevent ({', '.join(COLUMNS)}) FROM STDIN"
    build_s = insert_s = 0.0
    no_subject = 0
    for first in range(0, EVENTS, BATCH):
        t0 = time.perf_counter()
        n = min(BATCH, EVENTS - first)
        # Time: this batch's slice of the three years; 85 % on working hours (7 h - 19 h
        # UTC, 8 h - 20 h in France), sorted so that ids grow with time.
        lo, hi = start + span * first / EVENTS, start + span * (first + n) / EVENTS
        seconds = lo + rng.random(n) * (hi - lo)
        office = rng.random(n) < 0.85
        day = np.floor(seconds / 86400) * 86400
        seconds = np.where(office, day + 7 * 3600 + rng.random(n) * 12 * 3600, seconds)
        seconds = np.clip(seconds, lo, hi)
        seconds.sort()
        at = _time_column(seconds, vendor)
        has_subject = rng.random(n) >= NO_SUBJECT_SHARE
        subject = rng.choice(SUBJECTS, size=n, p=weight)
        mine = target_positions[(target_positions >= first) & (target_positions < first + n)]
        subject[mine - first] = 0
        has_subject[mine - first] = True
        cpts_of = np.where(has_subject, subject_cpts[subject],
                           np.where(rng.random(n) < DEMO_SHARE, demo.pk, other.pk))
        action = np.where(has_subject, rng.choice(n_subject_actions, size=n, p=action_p),
                          n_subject_actions + rng.choice(len(OTHER_ACTIONS), size=n, p=other_p))
        detail_pick = rng.integers(0, 1 << 30, size=n)
        actor_pick = np.empty(n, dtype=np.int64)
        for cpts_pk, (_ids, _emails, w) in actor_pools.items():
            here = cpts_of == cpts_pk
            actor_pick[here] = rng.choice(len(w), size=int(here.sum()), p=w)
        ip_pick = rng.integers(0, len(addresses), size=n)
        system = rng.random(n) < 0.03  # no address: jobs and commands
        public_ids = _event_ids(rng, seconds)
        rows = []
        for i in range(n):
            a = int(action[i])
            name, _share, kind, object_type, _d = actions[a]
            pool_ids, pool_emails, _w = actor_pools[int(cpts_of[i])]
            k = int(actor_pick[i])
            if has_subject[i]:
                s = int(subject[i])
                patient = subjects[s]
                object_id = patient if kind == "subject" else records[kind][s]
            else:
                patient = object_id = None
            choices = details[a]
            rows.append((
                public_ids[i], int(cpts_of[i]), pool_ids[k], pool_emails[k], name, object_type,
                object_id, patient, at[i], None if system[i] else addresses[ip_pick[i]],
                choices[int(detail_pick[i]) % len(choices)],
            ))  # fmt: skip
        no_subject += int(n - has_subject.sum())
        build_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.executemany(sql, rows)
            else:
                with cursor.cursor.copy(sql) as copy:
                    copy.write("".join(
                        "\t".join(r"\N" if v is None else str(v) for v in row) + "\n"
                        for row in rows
                    ))  # fmt: skip
        insert_s += time.perf_counter() - t0
        del rows, public_ids, at
    t0 = time.perf_counter()
    _rebuild(connection, indexes)
    index_s = time.perf_counter() - t0
    same_indexes = _indexes(connection) == indexes
    analyze_s = 0.0
    if vendor == "postgresql":
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_auditevent")
        analyze_s = time.perf_counter() - t0
    fill_s = time.perf_counter() - started
    return {
        "events": EVENTS,
        "subjects": SUBJECTS,
        "without_subject": no_subject,
        "actors": sum(len(p) for p in pools.values()),
        "years": YEARS,
        "batch": BATCH,
        "target_events_filled": TARGET_EVENTS,
        "build_rows_s": build_s,
        "insert_s": insert_s,
        "index_rebuild_s": index_s,
        "indexes_rebuilt": [name for _kind, name, _sql in indexes],
        "same_indexes_after_rebuild": same_indexes,
        "analyze_s": analyze_s,
        "fill_s": fill_s,
        "rows_per_s": EVENTS / fill_s,
    }


def queue_requests(cpts, coordinator) -> int:
    """QUEUE_REQUESTS qualified médecin-traitant requests, through the real services, so
    that the coordinator's queue shows a full page of 50."""
    from maillage.gp_access.models import Origin
    from maillage.gp_access.services import request_create, transition
    from maillage.patients.services import patient_create

    names = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
             "LEROY", "MOREAU", "SIMON", "LAURENT"]  # fmt: skip
    firsts = ["Marie", "Jean", "Camille", "Louis", "Léa", "Hugo", "Chloé", "Paul", "Emma"]
    communes = ["38053", "38193", "38553", "38537", "38276", "38449"]
    for i in range(QUEUE_REQUESTS):
        born = datetime.date(1935 + i % 60, 1 + i % 12, 1 + i % 27)
        patient = patient_create(
            cpts=cpts, actor=coordinator, consent_method="oral", allow_duplicate=True,
            data={"birth_name": names[i % len(names)], "first_names": f"{firsts[i % 9]} {i}",
                  "birth_date": born.isoformat(), "sex": "F" if i % 2 else "M",
                  "commune": communes[i % len(communes)], "phone": f"06 11 22 {i // 100:02d} "
                  f"{i % 100:02d}", "ald": i % 3 == 0, "isolated": i % 5 == 0},
        )  # fmt: skip
        gp_request = request_create(cpts=cpts, actor=coordinator, patient=patient,
                                    origin=Origin.COORDINATION)  # fmt: skip
        transition(gp_request=gp_request, to_status="qualified", actor=coordinator)
    return QUEUE_REQUESTS


def prepare() -> dict:
    from maillage.core.models import AuditEvent, Cpts, User

    started = time.perf_counter()
    common.setup_demo()
    demo, other = Cpts.objects.get(slug=CPTS_SLUG), Cpts.objects.get(slug=OTHER_SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    setup_s = time.perf_counter() - started
    pools = actors(demo, other)
    target = target_patient(demo, coordinator)
    filled = fill(demo, other, pools, target)
    queue_requests(demo, coordinator)
    from django.db import connections

    # A new connection: the fill's (large) page cache is not the page's.
    connections.close_all()
    counted = {
        "events_in_table": AuditEvent.objects.count(),
        "target_events": AuditEvent.objects.filter(patient=target.public_id).count(),
        "distinct_subjects": AuditEvent.objects.exclude(patient=None)
        .values("patient").distinct().count(),
    }  # fmt: skip
    return {"demo": demo, "coordinator": coordinator, "target": target,
            "data": {**filled, **counted, "setup_s": setup_s,
                     "prepare_s": time.perf_counter() - started}}  # fmt: skip


# Access page -----------------------------------------------------------------------------

RAW_COUNT = "SELECT COUNT(*) FROM core_auditevent WHERE cpts_id = %s AND patient = %s"
RAW_PAGE = """SELECT e.at, e.actor_email, e.action, e.object_type, e.ip, e.detail,
       u.first_name, u.last_name
FROM core_auditevent e LEFT JOIN core_user u ON u.id = e.actor_id
WHERE e.cpts_id = %s AND e.patient = %s
ORDER BY e.at DESC, e.id DESC LIMIT %s OFFSET %s"""
ROW = re.compile(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td[^>]*>[^<]*</td>"
                 r"<td>([^<]*)</td></tr>")  # fmt: skip


def raw_access(cpts, subject_id, page: int) -> tuple[int, list]:
    from django.db import connection

    patient = subject_id.hex if connection.vendor == "sqlite" else subject_id
    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNT, [cpts.pk, patient])
        count = cursor.fetchone()[0]
        cursor.execute(RAW_PAGE, [cpts.pk, patient, PAGE_SIZE, (page - 1) * PAGE_SIZE])
        return count, cursor.fetchall()


def _shown_rows(page_html: str) -> list[tuple]:
    body = page_html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [tuple(html_lib.unescape(x) for x in m) for m in ROW.findall(body)]


def _expected_rows(rows) -> list[tuple]:
    """The baseline's rows as the page prints them: local date, who, address."""
    from django.utils import timezone

    out = []
    for at, email, _action, _type, ip, _detail, first, last in rows:
        if isinstance(at, str):  # SQLite
            at = datetime.datetime.fromisoformat(at).replace(tzinfo=datetime.UTC)
        elif timezone.is_naive(at):
            at = at.replace(tzinfo=datetime.UTC)
        who = email or "Système (tâche automatique ou formulaire public)"
        name = f"{first or ''} {last or ''}".strip()
        if name:
            who = f"{name} ({email})"
        out.append((f"{timezone.localtime(at):%d/%m/%Y %H:%M:%S}", who, str(ip or "—")))
    return out


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(str(r[-1]) for r in cursor.fetchall())
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(r[0] for r in cursor.fetchall())


def access_bench(cpts, coordinator, target, page: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    browser = common.verified_client(coordinator)
    url = reverse("core:patient_access", args=[cpts.slug, target.public_id])
    if page > 1:
        url += f"?page={page}"

    def view():
        response = browser.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def raw():
        return raw_access(cpts, target.public_id, page)

    view()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        html = view().content.decode()
    count, rows = raw()  # right after the view: the same events (its own one included)
    captured = [(q["sql"], float(q["time"]) * 1000) for q in queries.captured_queries]
    shown = _shown_rows(html)
    same_rows = shown == _expected_rows(rows) and len(rows) == PAGE_SIZE
    same_count = f"<p>{count} événement(s).</p>" in html
    trail = [(sql, ms) for sql, ms in captured
             if "core_auditevent" in sql and "patient" in sql and sql.lstrip().startswith("SELECT")]
    plans = [{"sql": sql, "ms": ms, "plan": explain(sql)} for sql, ms in trail]
    uses_index = bool(plans) and all("audit_patient_at" in p["plan"] for p in plans)
    samples_page, samples_raw = [], []
    for repetition in range(WARMUPS + REPEATS):
        for call, out in ((view, samples_page), (raw, samples_raw)):
            t0 = time.perf_counter()
            call()
            if repetition >= WARMUPS:
                out.append((time.perf_counter() - t0) * 1000)
    page_summary, raw_summary = summary(samples_page), summary(samples_raw)
    return {
        "url": url,
        "page_number": page,
        "page": page_summary,
        "raw": raw_summary,
        "page_queries": len(captured),
        "queries_ms": sum(ms for _sql, ms in captured),
        "slowest_queries_ms": sorted((ms for _sql, ms in captured), reverse=True)[:3],
        "page_kb": len(html.encode()) / 1024,
        "events_counted": count,
        "rows_shown": len(shown),
        "same_rows": same_rows,
        "same_count": same_count,
        "same_results": same_rows and same_count,
        "plans": plans,
        "uses_audit_patient_at": uses_index,
        "ratio_median": page_summary["median_ms"] / raw_summary["median_ms"],
        "ratio_p95": page_summary["p95_ms"] / raw_summary["p95_ms"],
        "time_pass": page_summary["p95_ms"] < PAGE_TARGET_MS,
    }


# Auditing a list page --------------------------------------------------------------------


def raw_insert(cpts, actor, subjects) -> None:
    """The rows `record_shown` writes for a list page, by hand: one multi-row INSERT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from maillage.core import audit

    at = connection.ops.adapt_datetimefield_value(timezone.now())
    detail = json.dumps({"via": "gp_access.queue"})
    values, params = [], []
    for public_id in subjects:
        key = public_id.hex if connection.vendor == "sqlite" else public_id
        values.append("(" + ", ".join(["%s"] * len(COLUMNS)) + ")")
        event = audit.event_id()  # the same ids as the application's rows
        params += [event.hex if connection.vendor == "sqlite" else event, cpts.pk,
                   actor.pk, actor.email, "patient.list", "patients.Patient", key, key, at,
                   "127.0.0.1", detail]  # fmt: skip
    sql = f"INSERT INTO core_auditevent ({', '.join(COLUMNS)}) VALUES {', '.join(values)}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def overhead_bench(cpts, coordinator) -> dict:
    from django.urls import reverse

    import maillage.gp_access.views as gp_views
    from maillage.core.models import AuditEvent

    browser = common.verified_client(coordinator)
    url = reverse("gp_access:queue", args=[cpts.slug])
    real = gp_views.record_shown
    call_ms = []

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        written = real(*args, **kwargs)
        call_ms.append((time.perf_counter() - t0) * 1000)
        return written

    def skipped(*args, **kwargs):
        return 0

    def page(recorder):
        gp_views.record_shown = recorder
        try:
            response = browser.get(url)
        finally:
            gp_views.record_shown = real
        assert response.status_code == 200, response.status_code
        return response

    listed = AuditEvent.objects.filter(action="patient.list", detail__via="gp_access.queue")
    before = listed.count()
    html = page(real).content.decode()
    written_with = listed.count() - before
    shown = [uuid.UUID(x) for x in re.findall(r"/demande/([0-9a-f-]{36})/", html)]
    from maillage.gp_access.models import GpRequest

    by_request = dict(GpRequest.objects.filter(public_id__in=shown)
                      .values_list("public_id", "patient__public_id"))  # fmt: skip
    patients_shown = {by_request[r] for r in shown}
    audited = set(listed.order_by("-id")[:written_with].values_list("patient", flat=True))
    before = listed.count()
    page(skipped)
    written_without = listed.count() - before
    subjects = sorted(patients_shown)

    with_ms, without_ms, raw_ms = [], [], []
    for repetition in range(WARMUPS + REPEATS):
        # A B B A, then B A A B...: neither order nor drift favours one side.
        order = [(timed, with_ms), (skipped, without_ms)]
        if repetition % 2:
            order.reverse()
        for recorder, out in order + order[::-1]:
            t0 = time.perf_counter()
            page(recorder)
            if repetition >= WARMUPS:
                out.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        raw_insert(cpts, coordinator, subjects)
        if repetition >= WARMUPS:
            raw_ms.append((time.perf_counter() - t0) * 1000)
    # The A B B A pairs: two samples of each per repetition.
    with_summary, without_summary = summary(with_ms), summary(without_ms)
    raw_summary = summary(raw_ms)
    calls = summary(call_ms[-len(with_ms) :])
    overhead = with_summary["median_ms"] - without_summary["median_ms"]
    return {
        "url": url,
        "requests_shown": len(shown),
        "patients_shown": len(patients_shown),
        "rows_written_with": written_with,
        "rows_written_without": written_without,
        "one_row_per_patient": written_with == len(patients_shown) == PAGE_SIZE
        and audited == patients_shown,
        "with_record_shown": with_summary,
        "without_record_shown": without_summary,
        "record_shown_call": calls,
        "raw_insert": raw_summary,
        "overhead_median_ms": overhead,
        "overhead_p95_ms": with_summary["p95_ms"] - without_summary["p95_ms"],
        "ratio_call_to_raw": calls["median_ms"] / raw_summary["median_ms"],
        "same_work": written_with == PAGE_SIZE and written_without == 0,
        "time_pass": overhead < OVERHEAD_TARGET_MS,
    }


def bench_in_process() -> dict:
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    cpts, coordinator, target = prepared["demo"], prepared["coordinator"], prepared["target"]
    first = access_bench(cpts, coordinator, target, 1)
    deep = access_bench(cpts, coordinator, target, DEEP_PAGE)
    overhead = overhead_bench(cpts, coordinator)
    return {
        "vendor": connection.vendor,
        "data": prepared["data"],
        "targets": {"p95_ms": PAGE_TARGET_MS, "overhead_ms": OVERHEAD_TARGET_MS},
        "access_page": first,
        "access_page_deep": deep,
        "list_audit": overhead,
        "duration_s": time.perf_counter() - started,
    }


# PostgreSQL child --------------------------------------------------------------------------


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="audit", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return (
        "access_page" in part
        and part["access_page"]["same_results"]
        and part["access_page_deep"]["same_results"]
        and part["list_audit"]["same_work"]
        and part["list_audit"]["one_row_per_patient"]
        and part["data"]["same_indexes_after_rebuild"]
    )


def run() -> dict:
    started = time.monotonic()
    # The child under PostgreSQL first, so that its timings do not share the CPU with ours.
    postgresql = postgresql_part()
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", postgresql)):
        measured = "access_page" in part
        targets[f"access_page_{vendor}_p95_under_100ms"] = (
            measured and part["access_page"]["time_pass"]
        )
        targets[f"access_page_{DEEP_PAGE}_{vendor}_p95_under_100ms"] = (
            measured and part["access_page_deep"]["time_pass"]
        )
        targets[f"access_page_{vendor}_uses_audit_patient_at"] = measured and (
            part["access_page"]["uses_audit_patient_at"]
            and part["access_page_deep"]["uses_audit_patient_at"]
        )
        targets[f"list_audit_{vendor}_under_5ms"] = measured and part["list_audit"]["time_pass"]
    return {
        "sqlite": sqlite,
        "postgresql": postgresql,
        "targets_met": targets,
        # The baselines did the same work: the access page shows the raw SQL's count and
        # rows in the same order; the queue wrote one row per patient shown (and none
        # without record_shown); the rebuilt indexes are the model's; on both databases.
        "comparison_valid": _part_valid(sqlite) and _part_valid(postgresql),
        "duration_s": time.monotonic() - started,
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    print(json.dumps(run(), indent=2, ensure_ascii=False, default=str))
