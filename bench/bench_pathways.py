"""Benchmark: parcours pluriprofessionnels (issue 6), the "due and late" pages and reminders.

Data. The demo CPTS `pays-berjalliens` (migrations, Isère geography, `build_demo(
directory=False)` with `MAILLAGE_DEMO=1`, which installs the 4 shipped templates), plus,
bulk-created (going through `services.enrol` and `services.complete` would take longer
than the benchmark): 150 professional members (GPs, nurses, pharmacists, physiotherapists,
podiatrists, dentists, dietitians...) with a confirmed TOTP device, 10 000 patients with
their consent, one enrolment each spread over the 4 shipped templates (diabetes 45 %,
heart failure 20 %, frail elderly 20 %, return home 15 %; return-home enrolments older
than 45 days are ended), care teams of 2 to 4 members (a GP référent, then members of the
professions the template's steps call for), and exactly 200 000 tasks. The tasks are the
history of each enrolment, simulated as the application would have made it: each step's
first task falls due at its offset after the enrolment, a recurring step's next one at
its recurrence after the completion date; completion comes after a random delay (most
patients are followed closely, some less, and some occurrences stall), so the open tasks
of today are partly late. The oldest done tasks are dropped to reach exactly 200 000 (the
history before the platform). Assignees follow `services.default_assignee` (the team
member of the step's profession, else the référent); 2 % of the open tasks are held by
nobody (they go to the référent's list and reminder). Ended enrolments have their open
tasks cancelled.

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child
process under `bin/with_postgres.py`, this module re-invoked with `--pg-child`):
1. `GET /c/pays-berjalliens/parcours/a-faire/` for the professional who belongs to the
   most care teams (logged in, both factors), through Django's test client: 95th
   percentile of 30 runs after 3 of warm-up; target under 300 ms. The baseline, run in
   turn with the page, is the same selection in hand-written SQL (open tasks due within 30
   days of the live enrolments of the caller's teams, theirs or held by nobody in the
   teams they are the référent of; first page (50) by due date with the patient, template, step
   and assignee, plus the count). The page must show the baseline's 50 tasks in the same
   order and its count.
2. The same URL for the coordinator: every late task of the CPTS with a reassignment
   select of the task's care team. Baseline: the late tasks in SQL (first 50 and the
   count) and the care-team members of their enrolments; the page must show the same
   tasks in the same order, the same count, and one option per member of each team.
3. The daily reminder job, `manage.py pathway_reminders` (`send_reminders`), with the
   locmem e-mail backend and no reminder yet sent today; 3 runs, the day's `ReminderLog`
   rows deleted between runs; target under 30 s. The baseline is a raw SQL GROUP BY that
   computes the same (CPTS, recipient, late, due soon) counts; the job's counts must be
   equal, and it must send one e-mail per recipient.

Usage: `python bench/bench_pathways.py` prints the results as JSON; `run()` returns them.
"""

import datetime
import io
import json
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

import common
import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
SEED = 20_240_606
CHILD_TIMEOUT_S = 900

CPTS_SLUG = "pays-berjalliens"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
BENCH_EMAIL = "parcours-bench-{:03d}@bench.maillage.test"
DUE_URL = f"/c/{CPTS_SLUG}/parcours/a-faire/"

PATIENTS = 10_000
TASKS = 200_000
# Profession codes of the 150 professional members (RPPS codes, as the shipped steps use).
MEMBER_PROFESSIONS = {"10": 55, "60": 35, "21": 20, "70": 10, "80": 8, "40": 8, "95": 5,
                      "92": 5, "94": 4}  # fmt: skip
TEMPLATE_MIX = {"diabete-type-2": 0.45, "insuffisance-cardiaque": 0.20,
                "personne-agee-fragile": 0.20, "retour-domicile": 0.15}  # fmt: skip
HISTORY_DAYS = 2_100  # enrolments over almost six years
RETURN_HOME_DAYS = 120
RETURN_HOME_ENDS_AFTER = 45
UNHELD_SHARE = 0.02
PAGE_LIMIT = 50  # views/enrolments.py DUE_PAGE_SIZE: the first page of tasks
DUE_HORIZON_DAYS = 30  # views/enrolments.py DUE_HORIZON_DAYS
REMINDER_HORIZON_DAYS = 7  # reminders.DEFAULT_HORIZON_DAYS

WARMUPS = 3
REPEATS = 30
PAGE_TARGET_MS = 300.0
REMINDER_RUNS = 3
REMINDER_TARGET_S = 30.0


def django_environment(database_url: str | None = None):
    # Reminders kept in memory (`mail.outbox`), counted rather than printed.
    return common.django_environment(
        "parcours", database_url,
        {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    )  # fmt: skip


summary = common.summary


# Data ------------------------------------------------------------------------------------


setup_demo = common.setup_demo


def _with_pks(objects, model, key: str, queryset):
    """Primary keys of bulk-created rows, on backends that do not return them."""
    if objects and objects[0].pk is None:
        by_key = dict(queryset.values_list(key, "pk"))
        for obj in objects:
            obj.pk = by_key[getattr(obj, key)]
    return objects


def members(cpts) -> list[tuple]:
    """150 professional members: (user, profession code), each with a confirmed device."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from maillage.core.models import Membership, Role, User

    professions = [code for code, n in MEMBER_PROFESSIONS.items() for _ in range(n)]
    password = make_password(None)
    users = [
        User(email=BENCH_EMAIL.format(i), first_name=f"Prénom{i}", last_name=f"PRO{i:03d}",
             password=password)
        for i in range(len(professions))
    ]  # fmt: skip
    User.objects.bulk_create(users, batch_size=1000)
    _with_pks(users, User, "email", User.objects.filter(email__endswith="@bench.maillage.test"))
    Membership.objects.bulk_create([
        Membership(user=u, cpts=cpts, role=Role.PROFESSIONAL, title=f"Profession {code}")
        for u, code in zip(users, professions, strict=True)
    ])  # fmt: skip
    TOTPDevice.objects.bulk_create(
        [TOTPDevice(user=u, name="Bench", confirmed=True) for u in users]
    )
    return list(zip(users, professions, strict=True))


def simulate(rng, template, enrolled_on, ended_on, today, adherence) -> list[tuple]:
    """The tasks one enrolment has today: (step, due date, status, completed on)."""
    tasks = []
    stall = 0.20 if adherence > 30 else 0.10
    for step in template["steps"]:
        if step.condition_step_id is not None:
            continue
        due = enrolled_on + datetime.timedelta(days=step.due_offset_days)
        while True:
            if ended_on is not None and due >= ended_on:
                if due <= today:
                    tasks.append((step, due, "cancelled", None))
                break
            if due > today:
                tasks.append((step, due, "due", None))
                break
            if rng.random() < stall:
                tasks.append((step, due, "due", None))  # stalled: late since `due`
                break
            done = due + datetime.timedelta(days=int(rng.exponential(adherence)))
            if done > today:
                tasks.append((step, due, "due", None))  # late, not done yet
                break
            tasks.append((step, due, "done", done))
            if not step.recurrence_days:
                break
            due = done + datetime.timedelta(days=step.recurrence_days)
    return tasks


def fill(cpts, coordinator) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from maillage.pathways.models import CareTeamMember, Enrolment, PathwayTemplate, Task
    from maillage.patients.models import Consent, Patient, Sex, match_key

    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    today = timezone.localdate()
    team_pool = members(cpts)
    by_profession: dict[str, list] = {}
    for user, code in team_pool:
        by_profession.setdefault(code, []).append(user)
    gps = by_profession["10"]
    # Some GPs are the référent of many more patients than others.
    gp_weight = rng.lognormal(0.0, 0.5, len(gps))
    gp_weight /= gp_weight.sum()

    templates = {}
    for slug in TEMPLATE_MIX:
        template = PathwayTemplate.objects.filter(cpts__isnull=True, slug=slug).latest("version")
        steps = list(template.steps.all())
        templates[slug] = {
            "template": template,
            "steps": steps,
            "professions": sorted({s.profession_code for s in steps} - {"10"}),
        }
    slugs = list(TEMPLATE_MIX)
    chosen = rng.choice(len(slugs), size=PATIENTS, p=list(TEMPLATE_MIX.values()))

    names = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT",
             "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT", "MICHEL", "GARCIA"]  # fmt: skip
    firsts = ["Marie", "Jean", "Camille", "Louis", "Léa", "Hugo", "Chloé", "Paul", "Emma", "Jules"]
    patients = []
    for i in range(PATIENTS):
        birth = today - datetime.timedelta(days=int(rng.integers(45 * 365, 95 * 365)))
        name, first = names[i % len(names)], f"{firsts[i % len(firsts)]} {i}"
        patients.append(Patient(
            cpts=cpts, birth_name=name, first_names=first, birth_date=birth,
            sex=Sex.FEMALE if i % 2 else Sex.MALE, phone=f"06{i:08d}",
            match_key=match_key(name, first, birth), created_by=coordinator,
        ))  # fmt: skip
    Patient.objects.bulk_create(patients, batch_size=2000)
    _with_pks(patients, Patient, "match_key", Patient.objects.filter(cpts=cpts))
    Consent.objects.bulk_create(
        [Consent(patient=p, method=Consent.Method.ORAL, recorded_by=coordinator)
         for p in patients], batch_size=2000,
    )  # fmt: skip

    enrolments, plans = [], []
    for i, patient in enumerate(patients):
        slug = slugs[int(chosen[i])]
        spec = templates[slug]
        span = RETURN_HOME_DAYS if slug == "retour-domicile" else HISTORY_DAYS
        enrolled_on = today - datetime.timedelta(days=int(rng.integers(0, span)))
        ended_on = None
        if slug == "retour-domicile" and (today - enrolled_on).days > RETURN_HOME_ENDS_AFTER:
            ended_on = enrolled_on + datetime.timedelta(days=int(rng.integers(35, 45)))
        referent = gps[int(rng.choice(len(gps), p=gp_weight))]
        team = [(referent, "10", True)]
        others = rng.choice(spec["professions"], size=min(len(spec["professions"]),
                            int(rng.integers(1, 4))), replace=False)  # fmt: skip
        for code in others:
            pool = by_profession[str(code)]
            team.append((pool[int(rng.integers(0, len(pool)))], str(code), False))
        adherence = 12.0 if rng.random() < 0.7 else 90.0
        enrolments.append(Enrolment(
            cpts=cpts, patient=patient, template=spec["template"], enrolled_by=coordinator,
            enrolled_on=enrolled_on,
            ended_at=None if ended_on is None else datetime.datetime.combine(
                ended_on, datetime.time(12), timezone.get_current_timezone()),
            end_reason="" if ended_on is None else "Fin du suivi de sortie",
        ))  # fmt: skip
        plans.append((team, simulate(rng, spec, enrolled_on, ended_on, today, adherence)))
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    _with_pks(enrolments, Enrolment, "patient_id", Enrolment.objects.filter(cpts=cpts))

    team_rows, history = [], []
    for enrolment, (team, tasks) in zip(enrolments, plans, strict=True):
        for user, code, is_referent in team:
            team_rows.append(CareTeamMember(enrolment=enrolment, user=user, is_referent=is_referent,
                                            role="Médecin traitant" if is_referent else
                                            f"Profession {code}"))  # fmt: skip
        assignee_of = {}
        for step, *_ in tasks:
            if step.pk not in assignee_of:
                # services.default_assignee: the référent first if of the profession, then
                # the other members of it, else the référent.
                match = next((u for u, code, _r in team if code == step.profession_code), None)
                assignee_of[step.pk] = (match or team[0][0]).pk
        for step, due, status, done in tasks:
            history.append((enrolment.pk, step, due, status, done, assignee_of[step.pk]))
    CareTeamMember.objects.bulk_create(team_rows, batch_size=5000)

    simulated = len(history)
    if simulated < TASKS:
        raise RuntimeError(f"{simulated} simulated tasks, fewer than {TASKS}: lengthen history")
    # The oldest done tasks are the history before the platform: dropped down to TASKS.
    done_order = sorted((i for i, h in enumerate(history) if h[3] == "done"),
                        key=lambda i: history[i][2])  # fmt: skip
    dropped = set(done_order[: simulated - TASKS])
    unheld = rng.random(len(history)) < UNHELD_SHARE
    # Raw executemany: building 200 000 model instances for bulk_create costs more than the
    # insert itself.
    columns = ("public_id", "cpts_id", "enrolment_id", "step_id", "label", "profession_code",
               "due_date", "assignee_id", "status", "completed_on", "completed_by_id",
               "result_number", "result_bool", "result_note")  # fmt: skip
    public_id = Task._meta.get_field("public_id")
    ops = connection.ops
    rows = []
    for i, (enrolment_id, step, due, status, done, assignee_id) in enumerate(history):
        if i in dropped:
            continue
        number = step.plausible_min if done and step.result_kind == "number" else None
        rows.append((
            public_id.get_db_prep_value(uuid.uuid4(), connection), cpts.pk, enrolment_id,
            step.pk, "", step.profession_code, ops.adapt_datefield_value(due),
            None if status == "due" and unheld[i] else assignee_id, status,
            ops.adapt_datefield_value(done), assignee_id if done else None,
            ops.adapt_decimalfield_value(number, 10, 2),
            True if done and step.result_kind == "yesno" else None, "",
        ))  # fmt: skip
    built_s = time.perf_counter() - started
    t0 = time.perf_counter()
    sql = (f"INSERT INTO {Task._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[start : start + 10_000])
    insert_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        # A live server has planner statistics (autovacuum); a freshly filled one not yet.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    live = Task.objects.filter(cpts=cpts, enrolment__ended_at__isnull=True)
    return {
        "professionals": len(team_pool),
        "patients": Patient.objects.filter(cpts=cpts, enrolments__isnull=False).distinct().count(),
        "enrolments": Enrolment.objects.filter(cpts=cpts).count(),
        "ended_enrolments": Enrolment.objects.filter(cpts=cpts, ended_at__isnull=False).count(),
        "enrolments_per_template": {
            s: Enrolment.objects.filter(cpts=cpts, template__slug=s).count() for s in slugs
        },  # fmt: skip
        "team_members": CareTeamMember.objects.filter(enrolment__cpts=cpts).count(),
        "tasks": Task.objects.filter(cpts=cpts).count(),
        "simulated_tasks": simulated,
        "open_tasks": live.filter(status="due").count(),
        "late_tasks": live.filter(status="due", due_date__lt=today).count(),
        "done_tasks": Task.objects.filter(cpts=cpts, status="done").count(),
        "unheld_open_tasks": live.filter(status="due", assignee__isnull=True).count(),
        "build_objects_s": built_s,
        "insert_tasks_s": insert_s,
        "fill_s": time.perf_counter() - started,
    }


def prepare() -> dict:
    from maillage.core.models import Cpts, User

    started = time.perf_counter()
    setup_demo()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    if User.objects.filter(email=BENCH_EMAIL.format(0)).exists():
        filled = {"reused": True}
    else:
        filled = fill(cpts, coordinator)
    return {"cpts": cpts, "coordinator": coordinator,
            "data": {**filled, "setup_s": time.perf_counter() - started}}  # fmt: skip


# Raw SQL baselines -------------------------------------------------------------------------


def _tables() -> dict:
    from maillage.core.models import User
    from maillage.pathways.models import (
        CareTeamMember,
        Enrolment,
        PathwayTemplate,
        ReminderLog,
        Task,
        TemplateStep,
    )
    from maillage.patients.models import Patient

    models = {"task": Task, "enrolment": Enrolment, "team": CareTeamMember,
              "patient": Patient, "template": PathwayTemplate, "step": TemplateStep,
              "user": User, "reminder": ReminderLog}  # fmt: skip
    return {k: m._meta.db_table for k, m in models.items()}


TASK_COLUMNS = """t.public_id, t.due_date, t.enrolment_id, t.assignee_id, e.public_id,
       p.birth_name, p.used_name, p.first_names, tp.name, s.label, t.label,
       a.first_name, a.last_name, a.email"""
TASK_FROM = """FROM {task} t
JOIN {enrolment} e ON e.id = t.enrolment_id
JOIN {patient} p ON p.id = e.patient_id
JOIN {template} tp ON tp.id = e.template_id
LEFT JOIN {step} s ON s.id = t.step_id
LEFT JOIN {user} a ON a.id = t.assignee_id"""
PRO_WHERE = """WHERE e.cpts_id = %s AND e.ended_at IS NULL AND t.status = 'due'
  AND t.due_date <= %s
  AND EXISTS (SELECT 1 FROM {team} m WHERE m.enrolment_id = t.enrolment_id AND m.user_id = %s)
  AND (t.assignee_id = %s OR (t.assignee_id IS NULL AND EXISTS (
       SELECT 1 FROM {team} r WHERE r.enrolment_id = t.enrolment_id AND r.user_id = %s
       AND r.is_referent = %s)))"""
COORD_WHERE = """WHERE t.cpts_id = %s AND t.status = 'due' AND t.due_date < %s
  AND e.ended_at IS NULL"""
TEAMS_SQL = """SELECT m.enrolment_id, u.public_id, u.first_name, u.last_name, u.email, m.role
FROM {team} m JOIN {user} u ON u.id = m.user_id
WHERE m.enrolment_id IN ({ids}) ORDER BY m.id"""
REMINDER_SQL = """SELECT t.cpts_id, rcpt, SUM(CASE WHEN t.due_date < %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN t.due_date >= %s THEN 1 ELSE 0 END)
FROM (SELECT t.cpts_id, t.due_date, COALESCE(t.assignee_id, (
        SELECT r.user_id FROM {team} r WHERE r.enrolment_id = t.enrolment_id
        AND r.is_referent = %s LIMIT 1)) AS rcpt
      FROM {task} t JOIN {enrolment} e ON e.id = t.enrolment_id
      WHERE t.status = 'due' AND t.due_date <= %s AND e.ended_at IS NULL) t
WHERE rcpt IS NOT NULL
GROUP BY t.cpts_id, rcpt"""


def _date(value):
    from django.db import connection

    return connection.ops.adapt_datefield_value(value)


def _uuid(value) -> str:
    return str(uuid.UUID(str(value)))


def raw_professional(cpts, user, today) -> tuple[list, int]:
    from django.db import connection

    t = _tables()
    where = PRO_WHERE.format(**t)
    params = [cpts.pk, _date(today + datetime.timedelta(days=DUE_HORIZON_DAYS)), user.pk,
              user.pk, user.pk, True]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {TASK_COLUMNS} {TASK_FROM.format(**t)} {where} "
                       f"ORDER BY t.due_date, t.id LIMIT {PAGE_LIMIT}", params)  # fmt: skip
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {t['task']} t JOIN {t['enrolment']} e "
                       f"ON e.id = t.enrolment_id {where}", params)  # fmt: skip
        return rows, cursor.fetchone()[0]


def raw_coordinator(cpts, today) -> tuple[list, int, dict]:
    from django.db import connection

    t = _tables()
    params = [cpts.pk, _date(today)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {TASK_COLUMNS} {TASK_FROM.format(**t)} {COORD_WHERE} "
                       f"ORDER BY t.due_date, t.id LIMIT {PAGE_LIMIT}", params)  # fmt: skip
        rows = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM {t['task']} t JOIN {t['enrolment']} e "
                       f"ON e.id = t.enrolment_id {COORD_WHERE}", params)  # fmt: skip
        count = cursor.fetchone()[0]
        ids = sorted({r[2] for r in rows})
        teams: dict = {}
        if ids:
            cursor.execute(TEAMS_SQL.format(ids=", ".join(["%s"] * len(ids)), **t), ids)
            for row in cursor.fetchall():
                teams.setdefault(row[0], []).append(row)
    return rows, count, teams


def raw_reminder_counts(day) -> set:
    from django.db import connection

    horizon = day + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(REMINDER_SQL.format(**_tables()),
                       [_date(day), _date(day), True, _date(horizon)])  # fmt: skip
        return {(c, u, int(late), int(soon)) for c, u, late, soon in cursor.fetchall()}


# Measures ----------------------------------------------------------------------------------


_client = common.verified_client


TASK_ID = re.compile(r'id="d-([0-9a-f-]{36})"')
OPTION = re.compile(r"<option value=\"([0-9a-f-]{36})\"")


def page_bench(user, raw) -> dict:
    """The due page for `user` and its raw baseline, in turn; `raw()` returns (rows, count,
    teams or None)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    browser = _client(user)

    def page():
        response = browser.get(DUE_URL)
        assert response.status_code == 200, response.status_code
        return response

    html = page().content.decode()
    rows, count, teams = raw()
    # The request_started signal empties the query log: start from an empty one.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        page()
    # Read now: `captured_queries` is a view of the connection's log, which the next
    # requests empty.
    query_times = [float(q["time"]) * 1000 for q in queries.captured_queries]
    shown = TASK_ID.findall(html)
    same_tasks = shown == [_uuid(r[0]) for r in rows]
    same_count = re.search(rf"\b{count} tâches?\b", html) is not None
    same_teams = True
    if teams is not None:
        # One option per member of the task's care team, in every reassignment select (in
        # any order: the page does not sort them).
        articles = html.split("<article")[1:]
        shown_teams = [sorted(OPTION.findall(a)) for a in articles]
        expected = [sorted(_uuid(m[1]) for m in teams.get(r[2], [])) for r in rows]
        same_teams = len(articles) == len(rows) and shown_teams == expected
    samples_page, samples_raw = [], []
    for repetition in range(WARMUPS + REPEATS):
        for call, out in ((page, samples_page), (raw, samples_raw)):
            t0 = time.perf_counter()
            call()
            if repetition >= WARMUPS:
                out.append((time.perf_counter() - t0) * 1000)
    page_summary, raw_summary = summary(samples_page), summary(samples_raw)
    return {
        "user": user.email,
        "page": page_summary,
        "raw": raw_summary,
        "page_queries": len(query_times),
        "queries_ms": sum(query_times),
        "slowest_queries_ms": sorted(query_times, reverse=True)[:3],
        "page_kb": len(html.encode()) / 1024,
        "tasks_shown": len(shown),
        "raw_count": count,
        "same_tasks": same_tasks,
        "same_count": same_count,
        "same_teams": same_teams,
        "same_results": same_tasks and same_count and same_teams and len(rows) > 0,
        "ratio_median": page_summary["median_ms"] / raw_summary["median_ms"],
        "ratio_p95": page_summary["p95_ms"] / raw_summary["p95_ms"],
        "time_pass": page_summary["p95_ms"] < PAGE_TARGET_MS,
    }


def busiest_professional(cpts):
    from django.db.models import Count

    from maillage.core.models import User

    return (
        User.objects.filter(
            email__endswith="@bench.maillage.test", care_teams__enrolment__cpts=cpts
        )
        .annotate(teams=Count("care_teams"))
        .order_by("-teams", "pk")
        .first()
    )


def reminders_bench() -> dict:
    from django.core import mail
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from maillage.pathways.models import ReminderLog
    from maillage.pathways.reminders import reminder_counts

    day = timezone.localdate()
    app_counts = set(reminder_counts(day=day, horizon_days=REMINDER_HORIZON_DAYS))
    job_s, raw_s, sent, out = [], [], [], ""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for _ in range(REMINDER_RUNS):
            ReminderLog.objects.filter(day=day).delete()
            mail.outbox = []
            stdout = io.StringIO()
            t0 = time.perf_counter()
            call_command("pathway_reminders", stdout=stdout)
            job_s.append(time.perf_counter() - t0)
            sent.append(len(mail.outbox))
            out = stdout.getvalue().strip()
            t0 = time.perf_counter()
            raw = raw_reminder_counts(day)
            raw_s.append(time.perf_counter() - t0)
    recipients = {(c, u) for c, u, _l, _s in raw}
    logs = ReminderLog.objects.filter(day=day).count()
    job, baseline = statistics.median(job_s), statistics.median(raw_s)
    same_counts = app_counts == raw
    same_messages = all(n == len(recipients) for n in sent) and logs == len(recipients)
    return {
        "runs": REMINDER_RUNS,
        "job_s": job_s,
        "raw_s": raw_s,
        "job_median_s": job,
        "raw_median_s": baseline,
        "job_max_s": max(job_s),
        "ratio_median": job / baseline,
        "recipients": len(recipients),
        "messages": sent,
        "reminder_logs": logs,
        "late": sum(r[2] for r in raw),
        "soon": sum(r[3] for r in raw),
        "command_output": out,
        "same_counts": same_counts,
        "same_messages": same_messages,
        "same_results": same_counts and same_messages and bool(recipients),
        "targets": {"seconds": REMINDER_TARGET_S},
        "time_pass": max(job_s) < REMINDER_TARGET_S,
    }


def bench_in_process() -> dict:
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    prepared = prepare()
    cpts, coordinator = prepared["cpts"], prepared["coordinator"]
    today = timezone.localdate()
    pro = busiest_professional(cpts)
    professional = page_bench(pro, lambda: (*raw_professional(cpts, pro, today), None))
    professional["care_teams"] = pro.care_teams.count()
    professional["referent_of"] = pro.care_teams.filter(is_referent=True).count()
    coord = page_bench(coordinator, lambda: raw_coordinator(cpts, today))
    return {
        "vendor": connection.vendor,
        "data": prepared["data"],
        "targets": {"p95_ms": PAGE_TARGET_MS, "reminders_s": REMINDER_TARGET_S},
        "professional": professional,
        "coordinator": coord,
        "reminders": reminders_bench(),
        "duration_s": time.perf_counter() - started,
    }


# PostgreSQL child --------------------------------------------------------------------------


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="parcours", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return all(part[k]["same_results"] for k in ("professional", "coordinator", "reminders"))


def run() -> dict:
    started = time.monotonic()
    # The child under PostgreSQL first, so that its timings do not share the CPU with ours.
    postgresql = postgresql_part()
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", postgresql)):
        measured = "professional" in part
        targets[f"professional_page_{vendor}_p95_under_300ms"] = (
            measured and part["professional"]["time_pass"]
        )
        targets[f"coordinator_page_{vendor}_p95_under_300ms"] = (
            measured and part["coordinator"]["time_pass"]
        )
        targets[f"reminders_{vendor}_under_30s"] = measured and part["reminders"]["time_pass"]
    return {
        "sqlite": sqlite,
        "postgresql": postgresql,
        "targets_met": targets,
        # The baselines did the same work: the pages show the raw SQL's tasks in the same
        # order, its count and the care teams; the job's counts are the GROUP BY's and it
        # sends one e-mail per recipient; on both databases.
        "comparison_valid": _part_valid(sqlite)
        and "professional" in postgresql
        and _part_valid(postgresql),
        "duration_s": time.monotonic() - started,
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    print(json.dumps(run(), indent=2, ensure_ascii=False, default=str))
