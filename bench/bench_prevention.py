"""Benchmark: prevention, screening at the event and the indicators (issue 13).

Data. The demo CPTS `pays-berjalliens` (migrations, Isère geography, demo accounts), a
diabetes screening day open now (FINDRISC), where the demo pharmacist enters participants,
and a second screening campaign of 50 000 participants generated in bulk (`bulk_create`):
ages 35-84, both sexes, the CPTS's communes, about 20 % positive, the follow-up of every
positive in one of the five states (to refer, referred, seen, lost, declined).

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child process
under `bin/with_postgres.py`, this module re-invoked with `--pg-child`):
1. Entering one FINDRISC participant: `POST /api/v1/prevention/actions/{id}/participants`
   through Django's test client with the pharmacist's API token (validation, score,
   duplicate check, the row, its audit row): 95th percentile of 40 entries after 5 of
   warm-up, each a different person, target under 50 ms. Baseline: the same row inserted
   by one hand-written SQL INSERT in a transaction. Every score returned is checked against
   an independent FINDRISC table (domain/prevention.md).
2. The indicators of the 50 000-participant campaign: `GET /api/v1/prevention/actions/{id}
   /indicators` with the coordinator's token, 95th percentile of 30 calls after 3 of
   warm-up, target under 200 ms. Baseline: the same figures (screened, positive, referred,
   seen, lost) in one hand-written SQL aggregate; the API must give the baseline's figures.

Usage: `python bench/bench_prevention.py` prints the results as JSON; `run()` returns them;
`--sqlite-only` skips PostgreSQL.
"""

import datetime
import json
import os
import sys
import time
import uuid
from pathlib import Path

import common

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD_TIMEOUT_S = 1800
CPTS_SLUG = "pays-berjalliens"
COORDINATOR = "coordination@pays-berjalliens.maillage.test"
PHARMACIST = "pharmacien@pays-berjalliens.maillage.test"
PARTICIPANTS = 50_000
POSITIVE_SHARE = 0.2
ENTRY_WARMUPS, ENTRY_REPEATS = 5, 40
WARMUPS, REPEATS = 3, 30
ENTRY_TARGET_MS, INDICATORS_TARGET_MS = 50.0, 200.0
FOLLOW_UP_STATES = ("to_refer", "referred", "seen", "lost", "declined")
FIGURES = ("screened", "positive", "referred", "seen", "lost")


def django_environment(database_url: str | None = None):
    # The demo's registrations send confirmations: kept out of the JSON printed on stdout.
    var = Path(os.environ.get("TMPDIR", "/tmp")) / f"maillage-bench-prevention-{os.getpid()}"
    var.mkdir(parents=True, exist_ok=True)
    return common.django_environment("prevention", database_url, {
        "SMS_BACKEND": "maillage.notifications.sms.FileSms", "SMS_FILE": str(var / "sms.log"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"})  # fmt: skip


# FINDRISC, written again from domain/prevention.md (not imported from the application, so
# that a wrong score in the application shows) --------------------------------------------


def findrisc(sex: str, age: int, answers: dict) -> int:
    bmi = answers["weight_kg"] / (answers["height_cm"] / 100) ** 2
    waist = answers["waist_cm"]
    low, high = (94, 102) if sex == "M" else (80, 88)
    return sum((
        0 if age < 45 else 2 if age <= 54 else 3 if age <= 64 else 4,
        0 if bmi < 25 else 1 if bmi <= 30 else 3,
        0 if waist < low else 3 if waist <= high else 4,
        0 if answers["daily_activity"] else 2,
        0 if answers["daily_vegetables"] else 1,
        2 if answers["bp_medication"] else 0,
        5 if answers["high_glucose_history"] else 0,
        {"none": 0, "second_degree": 3, "first_degree": 5}[answers["family_history"]],
    ))  # fmt: skip


# Body measures kept clear of the table's boundaries (BMI 23, 27.5 or 33; waists in the
# middle of their band), so both readings of "25-30" agree.
BMIS = (23.0, 27.5, 33.0)
WAISTS = {"F": (72, 84, 95), "M": (86, 98, 110)}


def entry(rank: int, commune: str) -> dict:
    """The body of the API's participant entry number `rank`: never twice the same person."""
    sex = "F" if rank % 2 else "M"
    height = 150 + rank % 40
    return {
        "sex": sex, "age": 35 + rank % 50, "commune": commune, "questionnaire": "findrisc",
        "answers": {
            "height_cm": height, "weight_kg": round(BMIS[rank % 3] * (height / 100) ** 2, 1),
            "waist_cm": WAISTS[sex][(rank // 3) % 3], "daily_activity": rank % 2 == 0,
            "daily_vegetables": rank % 5 != 0, "bp_medication": rank % 7 == 0,
            "high_glucose_history": rank % 11 == 0,
            "family_history": ("none", "second_degree", "first_degree")[rank % 3],
        },
    }  # fmt: skip


# Data ------------------------------------------------------------------------------------


def _screening_action(cpts, coordinator, title, start):
    from maillage.prevention.models import Action, ActionKind, Theme
    from maillage.territory.models import Commune

    return Action.objects.create(
        cpts=cpts, kind=ActionKind.SCREENING, title=title,
        theme=Theme.objects.get(cpts__isnull=True, code="diabete"), questionnaire="findrisc",
        start=start, end=start + datetime.timedelta(hours=9),
        commune=Commune.objects.get(code="38053"), place="Pharmacie du banc d'essai",
        created_by=coordinator,
    )  # fmt: skip


def prepare() -> dict:
    from django.utils import timezone

    from maillage.core.models import Cpts, User
    from maillage.territory.services import territory_communes

    common.setup_demo()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    coordinator = User.objects.get(email=COORDINATOR)
    pharmacist = User.objects.get(email=PHARMACIST)
    now = timezone.now()
    day = _screening_action(cpts, coordinator, "Dépistage du diabète (banc d'essai)",
                            now - datetime.timedelta(hours=1))  # fmt: skip
    campaign = _screening_action(cpts, coordinator, "Campagne de 50 000 dépistages",
                                 now - datetime.timedelta(days=30))  # fmt: skip
    communes = sorted(c.pk for c in territory_communes(cpts))
    started = time.perf_counter()
    _fill_campaign(campaign, pharmacist, communes)
    return {"cpts": cpts, "coordinator": coordinator, "pharmacist": pharmacist, "day": day,
            "campaign": campaign, "communes": communes,
            "fill_s": round(time.perf_counter() - started, 1)}  # fmt: skip


def _fill_campaign(campaign, pharmacist, communes: list[int]) -> None:
    """50 000 participants and the follow-ups of the positives, in bulk, deterministic."""
    from django.db import transaction

    from maillage.prevention.models import FollowUp, Participant

    every = round(1 / POSITIVE_SHARE)
    batch = 5000
    with transaction.atomic():
        for first in range(0, PARTICIPANTS, batch):
            rows = []
            for rank in range(first, min(first + batch, PARTICIPANTS)):
                body = entry(rank, "")
                positive = rank % every == 0
                score = findrisc(body["sex"], body["age"], body["answers"])
                rows.append(Participant(
                    cpts_id=campaign.cpts_id, action=campaign, sex=body["sex"],
                    age=body["age"], commune_id=communes[rank % len(communes)],
                    questionnaire="findrisc", answers=body["answers"], score=score,
                    risk="high" if score >= 15 else "moderate",
                    next_step="refer" if positive else "advice", positive=positive,
                    fingerprint=f"bench-{rank}", entered_by=pharmacist,
                    entered_at=campaign.start + datetime.timedelta(seconds=rank),
                ))  # fmt: skip
            created = Participant.objects.bulk_create(rows, batch_size=1000)
            if created[0].pk is None:  # databases that return no keys from bulk inserts
                created = list(Participant.objects.filter(
                    action=campaign, fingerprint__in=[p.fingerprint for p in rows]))
            FollowUp.objects.bulk_create([
                FollowUp(cpts_id=campaign.cpts_id, participant=p, reason="Glycémie anormale",
                         status=FOLLOW_UP_STATES[(int(p.fingerprint[6:]) // every)
                                                 % len(FOLLOW_UP_STATES)])
                for p in created if p.positive], batch_size=1000)  # fmt: skip


# Timing ------------------------------------------------------------------------------------


def _timed(call, warmups: int, repeats: int) -> list[float]:
    for _ in range(warmups):
        call()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _analyze() -> None:
    from django.db import connection

    # Statistics of the tables just filled, as autovacuum would gather them (else the plans
    # are those of empty tables, or its ANALYZE lands in the middle of the samples).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# 1. One participant entered -----------------------------------------------------------------

RAW_INSERT = (
    "INSERT INTO prevention_participant (public_id, cpts_id, action_id, sex, age, commune_id, "
    "questionnaire, answers, measures, score, risk, next_step, positive, fingerprint, "
    "duplicate_confirmed, entered_by_id, entered_at) VALUES (%s, %s, %s, %s, %s, %s, "
    "'findrisc', %s, '[]', %s, %s, %s, %s, %s, %s, %s, %s)"
)


def entry_bench(prepared) -> dict:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from maillage.core.services import api_token_create
    from maillage.prevention.models import Action, Participant
    from maillage.territory.models import Commune

    day = prepared["day"]
    commune = Commune.objects.get(pk=prepared["communes"][0]).code
    token = api_token_create(user=prepared["pharmacist"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/prevention/actions/{day.public_id}/participants"
    ranks = iter(range(1_000_000))
    wrong, statuses = [], []

    def post():
        body = entry(next(ranks), commune)
        response = client.post(url, body, content_type="application/json")
        statuses.append(response.status_code)
        assert response.status_code == 201, response.content
        expected = findrisc(body["sex"], body["age"], body["answers"])
        if response.json().get("score") != expected:
            wrong.append({"sent": body, "got": response.json(), "expected": expected})

    api_ms = _timed(post, ENTRY_WARMUPS, ENTRY_REPEATS)
    with CaptureQueriesContext(connection) as queries:
        post()
    entered = Participant.objects.filter(action=day).count()

    raw_action = Action.objects.create(cpts=day.cpts, kind=day.kind, theme=day.theme,
                                       title="Référence SQL brute", start=day.start,
                                       end=day.end, created_by=day.created_by)  # fmt: skip
    raw_ranks = iter(range(1_000_000))

    def raw():
        rank = next(raw_ranks)
        body = entry(rank, commune)
        score = findrisc(body["sex"], body["age"], body["answers"])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW_INSERT, [
                uuid.uuid4().hex, day.cpts_id, raw_action.pk, body["sex"], body["age"],
                prepared["communes"][0], json.dumps(body["answers"]), score, "moderate",
                "glucose" if score >= 12 else "advice", False, f"raw-{rank}", False,
                prepared["pharmacist"].pk, timezone.now()])  # fmt: skip

    raw_ms = _timed(raw, ENTRY_WARMUPS, ENTRY_REPEATS)
    raw_rows = Participant.objects.filter(action=raw_action).count()
    api, baseline = common.summary(api_ms), common.summary(raw_ms)
    posts = ENTRY_WARMUPS + ENTRY_REPEATS + 1
    return {"api": api, "raw_sql_baseline": baseline, "queries": len(queries),
            "ratio_p95": round(api["p95_ms"] / baseline["p95_ms"], 2)
            if baseline["p95_ms"] else None,
            "entered": entered, "baseline_rows": raw_rows, "posts": posts,
            "same_rows": entered == posts and raw_rows == ENTRY_WARMUPS + ENTRY_REPEATS,
            "scores_right": not wrong, "wrong_scores": wrong[:3],
            "time_pass": api["p95_ms"] < ENTRY_TARGET_MS}  # fmt: skip


# 2. The indicators of a 50 000-participant campaign -------------------------------------------

INDICATORS_SQL = """
SELECT
  (SELECT COUNT(*) FROM prevention_participant WHERE action_id = %s),
  (SELECT COUNT(*) FROM prevention_participant WHERE action_id = %s AND positive),
  SUM(CASE WHEN f.status IN ('referred', 'seen', 'lost') THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.status = 'seen' THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.status = 'lost' THEN 1 ELSE 0 END)
FROM prevention_followup f
JOIN prevention_participant p ON p.id = f.participant_id
WHERE p.action_id = %s
"""


def _figures_in(payload) -> dict | None:
    """The action's figures in the API's answer, wherever the schema puts them (at the
    top, in an object such as {"figures": {...}}, or as a list of {"code", "value"})."""
    if isinstance(payload, list):
        pairs = {item.get("code") or item.get("key"): item.get("value")
                 for item in payload if isinstance(item, dict) and "value" in item}  # fmt: skip
        if all(key in pairs for key in ("screened", "positive")):
            return pairs
        for value in payload:
            found = _figures_in(value)
            if found is not None:
                return found
    if isinstance(payload, dict):
        if all(key in payload for key in ("screened", "positive")):
            return payload
        for value in payload.values():
            found = _figures_in(value)
            if found is not None:
                return found
    return None


def indicators_bench(prepared) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from maillage.core.services import api_token_create
    from maillage.prevention.indicators import action_figures

    campaign = prepared["campaign"]
    _analyze()
    token = api_token_create(user=prepared["coordinator"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/prevention/actions/{campaign.public_id}/indicators"
    answers = []

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.content
        answers.append(response)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(INDICATORS_SQL, [campaign.pk, campaign.pk, campaign.pk])
            return cursor.fetchone()

    api_ms, raw_ms = _timed(get, WARMUPS, REPEATS), _timed(raw, WARMUPS, REPEATS)
    with CaptureQueriesContext(connection) as queries:
        get()
    expected = dict(zip(FIGURES, (int(v or 0) for v in raw()), strict=True))
    shown = _figures_in(answers[-1].json()) or {}
    shown = {key: shown.get(key) for key in FIGURES}
    service = action_figures(campaign)
    api, baseline = common.summary(api_ms), common.summary(raw_ms)
    return {"participants": expected["screened"], "api": api, "raw_sql_baseline": baseline,
            "queries": len(queries),
            "ratio_p95": round(api["p95_ms"] / baseline["p95_ms"], 2)
            if baseline["p95_ms"] else None,
            "figures": expected, "api_figures": shown,
            "same_results": shown == expected
            and {key: service[key] for key in FIGURES} == expected,
            "time_pass": api["p95_ms"] < INDICATORS_TARGET_MS}  # fmt: skip


def bench_in_process() -> dict:
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    result = {"vendor": connection.vendor, "participants": PARTICIPANTS,
              "fill_s": prepared["fill_s"]}  # fmt: skip
    result["entry"] = entry_bench(prepared)
    result["indicators"] = indicators_bench(prepared)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="prevention", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return ("entry" in part and part["entry"]["same_rows"] and part["entry"]["scores_right"]
            and part["indicators"]["same_results"])  # fmt: skip


def run(*, postgresql: bool = True) -> dict:
    started = time.monotonic()
    pg = postgresql_part() if postgresql else {"postgresql": "not measured",
                                               "reason": "--sqlite-only"}  # fmt: skip
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", pg)):
        measured = "entry" in part
        targets[f"entry_p95_under_50ms_{vendor}"] = measured and part["entry"]["time_pass"]
        targets[f"indicators_50000_p95_under_200ms_{vendor}"] = (
            measured and part["indicators"]["time_pass"])
    return {
        "sqlite": sqlite, "postgresql": pg, "targets_met": targets,
        # The baselines did the same work: as many rows, the same figures, right scores.
        "comparison_valid": _part_valid(sqlite) and _part_valid(pg),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    only_sqlite = len(sys.argv) == 2 and sys.argv[1] == "--sqlite-only"
    print(json.dumps(run(postgresql=not only_sqlite), indent=2, ensure_ascii=False,
                     default=str))  # fmt: skip
