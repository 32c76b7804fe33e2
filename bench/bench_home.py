"""Benchmark: "Aujourd'hui", each role's home page (issue 11), with a busy CPTS.

Data. The demo CPTS `pays-berjalliens` filled by the data builders of the other sections:
`bench_pathways.fill` (150 professional members, 10 000 patients in pathways, 200 000
tasks), `bench_gp_access.fill_queue` (20 000 médecin-traitant requests at every stage)
and `bench_same_day.fill` (2 000 professionals, their slots over 30 days, 300 open
same-day requests by the demo regulator). Added on top, so that every card has work: the
professional of the most care teams (a GP) declares a capacity, has 8 proposals waiting
for their answer (patients granted to them) and 6 same-day appointments today, and a
Saturday shift; the nurse of the most care teams has 3 appointments today; 2 000 of the
requests were referred by the demo partner; 40 duplicates wait for the coordination.

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child
process under `bin/with_postgres.py`, this module re-invoked with `--pg-child`): for
each role (coordinator, GP, nurse, regulator, partner, board member),
`GET /c/pays-berjalliens/aujourdhui/` through Django's test client, logged in with both
factors: 95th percentile of 30 runs after 3 of warm-up, target under 150 ms. The page
writes the audit rows of the people it shows, as list pages do. The baseline, run in
turn with the page, computes the same cards in hand-written SQL (the counts, the
figures and the listed rows, without the audit rows); the cards of the page must hold
the baseline's counts, figures and number of listed rows.

Usage: `python bench/bench_home.py` prints the results as JSON; `run()` returns them.
"""

import datetime
import json
import sys
import time
from pathlib import Path

import common

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD_TIMEOUT_S = 1800

CPTS_SLUG = "pays-berjalliens"
DEMO = "{}@pays-berjalliens.maillage.test"
TODAY_URL = f"/c/{CPTS_SLUG}/aujourdhui/"
WARMUPS = 3
REPEATS = 30
TARGET_MS = 150.0
ROLES = ("coordinator", "gp", "nurse", "regulator", "partner", "board")


def django_environment(database_url: str | None = None):
    return common.django_environment("accueil", database_url, {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "maillage.same_day_care.notify.MemorySms",
    })  # fmt: skip


# Data ------------------------------------------------------------------------------------


def _busiest(cpts, profession):
    from django.db.models import Count

    from maillage.core.models import User

    return (User.objects.filter(email__startswith="parcours-bench-",
                                care_teams__enrolment__cpts=cpts)
            .filter(pk__in=_of_profession(profession))
            .annotate(teams=Count("care_teams")).order_by("-teams", "pk").first())  # fmt: skip


def _of_profession(profession):
    """The pathway bench's members of one profession (its builder writes it in their
    title: bench_pathways.members)."""
    from maillage.core.models import Membership

    return Membership.objects.filter(title=f"Profession {profession}").values("user_id")


def fill(cpts) -> dict:
    import bench_gp_access
    import bench_pathways
    import bench_same_day
    from django.utils import timezone

    from maillage.core.models import User

    started = time.perf_counter()
    coordinator = User.objects.get(email=DEMO.format("coordination"))
    regulator = User.objects.get(email=DEMO.format("regulation"))
    sizes = {
        "pathways": bench_pathways.fill(cpts, coordinator),
        "gp_access": bench_gp_access.fill_queue(cpts, coordinator),
        "same_day": bench_same_day.fill(cpts, regulator),
    }
    sizes["extras"] = _extras(cpts, coordinator, regulator, timezone.now())
    sizes["fill_s"] = time.perf_counter() - started
    return sizes


def _extras(cpts, coordinator, regulator, now) -> dict:
    """What the builders do not make: a GP's proposals, appointments today, a shift, a
    partner's referrals, duplicates."""
    from django.utils import timezone

    from maillage.core.models import User
    from maillage.gp_access.models import GpCapacity, GpRequest, Proposal, Status
    from maillage.patients.models import DuplicateReview, PatientAccess
    from maillage.same_day_care.models import (
        Appointment,
        RotaPeriod,
        RotaShift,
        SameDayRequest,
        Slot,
    )
    from maillage.territory.models import Commune

    gp, nurse = _people(cpts)
    bourgoin = Commune.objects.get(code="38053")
    GpCapacity.objects.update_or_create(cpts=cpts, gp=gp, defaults={
        "monthly_new_patients": 12, "practice_commune": bourgoin})  # fmt: skip
    waiting = list(GpRequest.objects.filter(cpts=cpts, status=Status.QUALIFIED)
                   .order_by("pk")[:8])  # fmt: skip
    for gp_request in waiting:
        Proposal.objects.create(cpts=cpts, request=gp_request, gp=gp,
                                state=Proposal.State.PENDING, sent_at=now,
                                respond_by=now + datetime.timedelta(days=14))  # fmt: skip
        PatientAccess.objects.create(patient=gp_request.patient, user=gp, reason="proposal")
    GpRequest.objects.filter(pk__in=[r.pk for r in waiting]).update(status=Status.PROPOSED)
    # Appointments today, in the evening (the slots of the day so far stay in the past).
    base = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    booked = 0
    for who, count in ((gp, 6), (nurse, 3)):
        for k in range(count):
            start = base + datetime.timedelta(minutes=5 * k + 1)
            slot = Slot.objects.create(cpts=cpts, professional=who, profession_code="10",
                                       commune=bourgoin, start=start,
                                       end=start + datetime.timedelta(minutes=5),
                                       status=Slot.Status.BOOKED)  # fmt: skip
            snp = SameDayRequest.objects.create(
                cpts=cpts, created_by=regulator, origin="regulator", last_name=f"JOUR{booked}",
                first_name="Léa", birth_date=datetime.date(1980, 1, 1), phone="0611223344",
                commune=bourgoin, reason="fever", status=SameDayRequest.Status.BOOKED)  # fmt: skip
            Appointment.objects.create(cpts=cpts, slot=slot, request=snp, booked_by=regulator)
            booked += 1
    period = RotaPeriod.objects.filter(cpts=cpts).first()
    if period is not None:
        days = (period.weekday - now.date().weekday()) % 7
        RotaShift.objects.get_or_create(period=period, date=now.date()
                                        + datetime.timedelta(days=days or 7),
                                        defaults={"cpts": cpts, "assignee": gp})  # fmt: skip
    partner = User.objects.get(email=DEMO.format("partenaire"))
    referred = list(GpRequest.objects.filter(cpts=cpts).order_by("-pk")
                    .values_list("pk", flat=True)[:2000])  # fmt: skip
    GpRequest.objects.filter(pk__in=referred).update(created_by=partner)
    DuplicateReview.objects.bulk_create([
        DuplicateReview(cpts=cpts, submitted_by=partner, match_key=f"doublon{k}",
                        data={"birth_name": f"DOUBLON{k}"}, purpose="patient")
        for k in range(40)
    ])  # fmt: skip
    return {"proposals_waiting": len(waiting), "appointments_today": booked,
            "partner_referrals": len(referred), "duplicates": 40}


def _people(cpts):
    gp = _busiest(cpts, "10")
    nurse = _busiest(cpts, "60")
    return gp, nurse


def prepare() -> dict:
    from maillage.core.models import Cpts, User

    started = time.perf_counter()
    common.setup_demo()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    if User.objects.filter(email__startswith="parcours-bench-").exists():
        filled = {"reused": True}
    else:
        filled = fill(cpts)
    gp, nurse = _people(cpts)
    users = {"coordinator": User.objects.get(email=DEMO.format("coordination")),
             "gp": gp, "nurse": nurse,
             "regulator": User.objects.get(email=DEMO.format("regulation")),
             "partner": User.objects.get(email=DEMO.format("partenaire")),
             "board": User.objects.get(email=DEMO.format("bureau"))}  # fmt: skip
    return {"cpts": cpts, "users": users,
            "data": {**filled, "setup_s": time.perf_counter() - started}}  # fmt: skip


# Raw SQL baseline ------------------------------------------------------------------------
# Each card's numbers, in SQL, the way the page's cards compute them: {card: [values]}.


def _t(model) -> str:
    return model._meta.db_table


def _tables() -> dict:
    from maillage.core.models import AuditEvent
    from maillage.directory.models import DirectoryEntry, Professional
    from maillage.gp_access.models import CsvUpload, GpCapacity, GpRequest, Proposal
    from maillage.pathways.models import CareTeamMember, Enrolment, Meeting, Task
    from maillage.patients.models import DuplicateReview, Patient, PatientAccess
    from maillage.same_day_care.models import (
        Appointment,
        RotaShift,
        RotaVolunteer,
        SameDayRequest,
        Slot,
    )

    return {name: _t(model) for name, model in {
        "audit": AuditEvent, "entry": DirectoryEntry, "pro": Professional,
        "upload": CsvUpload, "capacity": GpCapacity, "gprequest": GpRequest,
        "proposal": Proposal, "team": CareTeamMember, "enrolment": Enrolment,
        "meeting": Meeting, "task": Task, "review": DuplicateReview, "patient": Patient,
        "access": PatientAccess, "appointment": Appointment, "shift": RotaShift,
        "volunteer": RotaVolunteer, "snp": SameDayRequest, "slot": Slot,
    }.items()}  # fmt: skip


class Raw:
    """The cards of one member in SQL. Values as the page's cards hold them: the count,
    the figures, the number of rows listed."""

    def __init__(self, membership):
        from django.utils import timezone

        self.m = membership
        self.cpts, self.user = membership.cpts_id, membership.user_id
        self.t = _tables()
        self.now = timezone.now()
        self.today = timezone.localdate()
        zone = timezone.get_current_timezone()
        self.day_start = datetime.datetime.combine(self.today, datetime.time.min, zone)

    def q(self, sql, params=()):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql.format(**self.t), list(params))
            return cursor.fetchall()

    def one(self, sql, params=()):
        return self.q(sql, params)[0][0]

    def visible_patient(self, alias="p"):
        """The need-to-know rule of patients.access for a member who is not coordination."""
        return (f"EXISTS (SELECT 1 FROM {{access}} a WHERE a.patient_id = {alias}.id "
                f"AND a.user_id = %s AND a.revoked_at IS NULL)")

    # Cards ---------------------------------------------------------------------------

    def gp_requests(self):
        counts = dict(self.q("SELECT status, COUNT(*) FROM {gprequest} WHERE cpts_id = %s AND "
                             "status IN ('new', 'qualified', 'accepted') GROUP BY status",
                             [self.cpts]))  # fmt: skip
        return [counts.get("new", 0) + counts.get("qualified", 0), counts.get("new", 0),
                counts.get("qualified", 0), counts.get("accepted", 0), 0]

    def cpam(self):
        uploads = self.q("SELECT public_id FROM {upload} WHERE cpts_id = %s "
                         "ORDER BY created_at DESC LIMIT 5", [self.cpts])
        self.q("SELECT at, detail FROM {audit} WHERE cpts_id = %s AND action = %s "
               "ORDER BY at DESC LIMIT 1", [self.cpts, "gp_request.cpam_import"])
        return [len(uploads), len(uploads)]

    def is_gp(self):
        return bool(self.q("SELECT 1 FROM {capacity} WHERE cpts_id = %s AND gp_id = %s",
                           [self.cpts, self.user]) or self.q(
            "SELECT 1 FROM {entry} e JOIN {pro} p ON p.id = e.professional_id "
            "WHERE e.cpts_id = %s AND e.account_id = %s AND p.profession_code = '10'",
            [self.cpts, self.user]))  # fmt: skip

    def proposals(self):
        where = ("FROM {proposal} x WHERE x.cpts_id = %s AND x.gp_id = %s AND x.state = "
                 "'pending' AND (x.respond_by IS NULL OR x.respond_by >= %s)")
        params = [self.cpts, self.user, self.now]
        count = self.one("SELECT COUNT(*) " + where, params)
        if not count and not self.is_gp():
            return None
        rows = self.q(
            "SELECT p.birth_name FROM (SELECT x.id, x.request_id, x.respond_by " + where
            + " ORDER BY x.respond_by, x.id LIMIT 5) x JOIN {gprequest} r ON r.id = x.request_id "
            "JOIN {patient} p ON p.id = r.patient_id WHERE p.merged_into_id IS NULL AND "
            "p.archived_at IS NULL AND " + self.visible_patient(), [*params, self.user])
        return [count, len(rows)]

    def capacity(self):
        rows = self.q("SELECT monthly_new_patients, paused_until FROM {capacity} "
                      "WHERE cpts_id = %s AND gp_id = %s", [self.cpts, self.user])
        if not rows and not self.is_gp():
            return None
        if rows and not (rows[0][1] and rows[0][1] >= self.today):
            self.one("SELECT COUNT(*) FROM {proposal} WHERE cpts_id = %s AND gp_id = %s AND "
                     "sent_at >= %s AND state IN ('pending', 'accepted')",
                     [self.cpts, self.user, self.day_start.replace(day=1)])  # fmt: skip
        return [None, 0]

    def referrals(self):
        where = "FROM {gprequest} r WHERE r.cpts_id = %s AND r.created_by_id = %s"
        count = self.one("SELECT COUNT(*) " + where + " AND r.status NOT IN "
                         "('closed', 'cancelled', 'redirected_dac')", [self.cpts, self.user])
        rows = self.q("SELECT r.id, p.birth_name " + where.replace("r WHERE", "r JOIN {patient}"
                      " p ON p.id = r.patient_id WHERE") + " ORDER BY r.status_changed_at DESC, "
                      "r.id DESC LIMIT 5", [self.cpts, self.user])  # fmt: skip
        return [count, len(rows)]

    def appointments_today(self):
        rows = self.q(
            "SELECT a.status, s.start, q.last_name FROM {appointment} a "
            "JOIN {slot} s ON s.id = a.slot_id JOIN {snp} q ON q.id = a.request_id "
            "WHERE a.cpts_id = %s AND s.professional_id = %s AND a.status <> 'cancelled' "
            "AND s.start >= %s AND s.start < %s ORDER BY s.start, a.id",
            [self.cpts, self.user, self.day_start,
             self.day_start + datetime.timedelta(days=1)])  # fmt: skip
        if not rows:
            self.q("SELECT s.start FROM {appointment} a JOIN {slot} s ON s.id = a.slot_id "
                   "WHERE a.cpts_id = %s AND s.professional_id = %s AND a.status = 'booked' "
                   "AND s.start >= %s ORDER BY s.start LIMIT 1",
                   [self.cpts, self.user, self.day_start + datetime.timedelta(days=1)])
        return [sum(1 for r in rows if r[0] == "booked"), min(len(rows), 5)]

    def open_requests(self):
        mine = "" if self.m.role == "coordinator" else " AND created_by_id = %s"
        params = [self.cpts] + ([] if not mine else [self.user])
        where = "FROM {snp} WHERE cpts_id = %s AND status = 'open'" + mine
        count = self.one("SELECT COUNT(*) " + where, params)
        rows = self.q("SELECT id " + where + " ORDER BY created_at DESC, id DESC LIMIT 5", params)
        return [count, len(rows)]

    def next_shift(self):
        rows = self.q("SELECT id FROM {shift} WHERE cpts_id = %s AND assignee_id = %s AND "
                      "date >= %s ORDER BY date LIMIT 1", [self.cpts, self.user, self.today])
        if not rows and not self.q("SELECT 1 FROM {volunteer} WHERE cpts_id = %s AND "
                                   "user_id = %s AND active", [self.cpts, self.user]):
            return None
        return [None, 0]

    def my_tasks(self):
        if not self.q("SELECT 1 FROM {team} t JOIN {enrolment} e ON e.id = t.enrolment_id "
                      "WHERE t.user_id = %s AND e.cpts_id = %s LIMIT 1", [self.user, self.cpts]):
            return None
        where = (
            "FROM {task} k JOIN {enrolment} e ON e.id = k.enrolment_id "
            "WHERE e.cpts_id = %s AND e.ended_at IS NULL AND k.status = 'due' "
            "AND k.due_date <= %s AND EXISTS (SELECT 1 FROM {team} m WHERE "
            "m.enrolment_id = e.id AND m.user_id = %s) AND (k.assignee_id = %s OR "
            "(k.assignee_id IS NULL AND EXISTS (SELECT 1 FROM {team} r WHERE "
            "r.enrolment_id = e.id AND r.user_id = %s AND r.is_referent)))"
        )  # fmt: skip
        params = [self.cpts, self.today + datetime.timedelta(days=7), self.user, self.user,
                  self.user]  # fmt: skip
        count = self.one("SELECT COUNT(*) " + where, params)
        rows = self.q("SELECT k.id, p.birth_name " + where.replace(
            "WHERE e.cpts_id", "JOIN {patient} p ON p.id = e.patient_id WHERE e.cpts_id")
            + " ORDER BY k.due_date, k.id LIMIT 5", params)  # fmt: skip
        return [count, len(rows)]

    def late(self):
        # Open tasks are in live enrolments (ending one cancels them): no join.
        late = self.one("SELECT COUNT(*) FROM {task} WHERE cpts_id = %s AND status = 'due' "
                        "AND due_date < %s", [self.cpts, self.today])
        active = self.one("SELECT COUNT(*) FROM {enrolment} WHERE cpts_id = %s AND "
                          "ended_at IS NULL", [self.cpts])
        return [late, late, active, 0]

    def duplicates(self):
        return [self.one("SELECT COUNT(*) FROM {review} WHERE cpts_id = %s AND status = 'open'",
                         [self.cpts]), 0]

    def gp_figures(self):
        year_ago = self.now - datetime.timedelta(days=365)
        row = self.q("SELECT SUM(CASE WHEN status IN ('new', 'qualified', 'proposed', "
                     "'accepted') THEN 1 ELSE 0 END), SUM(CASE WHEN assigned_at >= %s THEN 1 "
                     "ELSE 0 END) FROM {gprequest} WHERE cpts_id = %s",
                     [year_ago, self.cpts])[0]  # fmt: skip
        return [None, int(row[0] or 0), int(row[1] or 0), 0]

    def snp_figures(self):
        month = self.day_start.replace(day=1)
        row = self.q("SELECT SUM(CASE WHEN a.status <> 'cancelled' THEN 1 ELSE 0 END), "
                     "SUM(CASE WHEN a.status = 'fulfilled' THEN 1 ELSE 0 END) FROM "
                     "{appointment} a JOIN {slot} s ON s.id = a.slot_id WHERE a.cpts_id = %s "
                     "AND s.start >= %s", [self.cpts, month])[0]  # fmt: skip
        free = self.one("SELECT COUNT(*) FROM {slot} WHERE cpts_id = %s AND status = 'free' "
                        "AND start > %s AND start < %s",
                        [self.cpts, self.now, self.day_start + datetime.timedelta(days=1)])
        return [None, int(row[0] or 0), int(row[1] or 0), free, 0]

    def pathway_figures(self):
        active = self.one("SELECT COUNT(*) FROM {enrolment} WHERE cpts_id = %s AND "
                          "ended_at IS NULL", [self.cpts])
        late = self.late()[0]
        meetings = self.one("SELECT COUNT(*) FROM {meeting} WHERE cpts_id = %s AND status = "
                            "'planned' AND starts_at >= %s AND starts_at < %s",
                            [self.cpts, self.now, self.now + datetime.timedelta(days=30)])
        return [None, active, late, meetings, 0]

    CARDS = {
        "gp_access.requests": gp_requests, "gp_access.cpam": cpam,
        "gp_access.proposals": proposals, "gp_access.capacity": capacity,
        "gp_access.referrals": referrals, "gp_access.figures": gp_figures,
        "same_day_care.today": appointments_today,
        "same_day_care.open_requests": open_requests,
        "same_day_care.next_shift": next_shift, "same_day_care.figures": snp_figures,
        "pathways.my_tasks": my_tasks, "pathways.late": late,
        "pathways.figures": pathway_figures, "patients.duplicates": duplicates,
    }  # fmt: skip

    def cards(self, names) -> dict:
        out = {}
        for name in names:
            values = self.CARDS[name](self)
            if values is not None:
                out[name] = values
        return out


def card_values(card) -> list:
    """A card of the page as the baseline computes it: [count, figures..., rows listed]."""
    figures = [f.value for f in card.figures]
    return [card.count, *figures, len(card.items)]


# Measure ---------------------------------------------------------------------------------


def role_bench(user, cpts) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from maillage.core import home
    from maillage.core.models import Membership

    membership = Membership.objects.select_related("cpts", "user").get(user=user, cpts=cpts)
    browser = common.verified_client(user)
    names = [p.name for p in home.providers_for(membership)]
    unknown = [n for n in names if n not in Raw.CARDS]

    def page():
        response = browser.get(TODAY_URL)
        assert response.status_code == 200, response.status_code
        return response

    def raw():
        return Raw(membership).cards(names)

    html = page().content.decode()
    page_cards = {c.name: card_values(c) for c in home.cards_for(membership, None)}
    raw_cards = raw()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        page()
    query_times = [float(q["time"]) * 1000 for q in queries.captured_queries]
    samples_page, samples_raw = [], []
    for repetition in range(WARMUPS + REPEATS):
        for call, out in ((page, samples_page), (raw, samples_raw)):
            t0 = time.perf_counter()
            call()
            if repetition >= WARMUPS:
                out.append((time.perf_counter() - t0) * 1000)
    page_summary, raw_summary = common.summary(samples_page), common.summary(samples_raw)
    same = page_cards == raw_cards and not unknown and all(
        f'data-card="{name}"' in html for name in page_cards)
    return {
        "user": user.email,
        "cards": page_cards,
        "raw_cards": raw_cards,
        "page": page_summary,
        "raw": raw_summary,
        "page_queries": len(query_times),
        "queries_ms": sum(query_times),
        "slowest_queries_ms": sorted(query_times, reverse=True)[:3],
        "page_kb": len(html.encode()) / 1024,
        "same_results": same and bool(page_cards),
        "ratio_median": page_summary["median_ms"] / raw_summary["median_ms"],
        "ratio_p95": page_summary["p95_ms"] / raw_summary["p95_ms"],
        "time_pass": page_summary["p95_ms"] < TARGET_MS,
    }


def bench_in_process() -> dict:
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    roles = {role: role_bench(user, prepared["cpts"])
             for role, user in prepared["users"].items()}  # fmt: skip
    return {
        "vendor": connection.vendor,
        "data": prepared["data"],
        "targets": {"p95_ms": TARGET_MS},
        "roles": roles,
        "duration_s": time.perf_counter() - started,
    }


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="accueil", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return "roles" in part and all(r["same_results"] for r in part["roles"].values())


def run() -> dict:
    started = time.monotonic()
    # The child under PostgreSQL first, so that its timings do not share the CPU with ours.
    postgresql = postgresql_part()
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", postgresql)):
        for role in ROLES:
            measured = "roles" in part and role in part["roles"]
            targets[f"{role}_home_{vendor}_p95_under_150ms"] = (
                measured and part["roles"][role]["time_pass"])
    return {
        "sqlite": sqlite,
        "postgresql": postgresql,
        "targets_met": targets,
        # The baseline did the same work: every card of every role holds the SQL's counts,
        # figures and number of rows, on both databases.
        "comparison_valid": _part_valid(sqlite) and _part_valid(postgresql),
        "duration_s": time.monotonic() - started,
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    print(json.dumps(run(), indent=2, ensure_ascii=False, default=str))
