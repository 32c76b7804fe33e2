"""Benchmark: the ACI contract's annual report and the forecast page (issue 14).

Data. The demo CPTS `pays-berjalliens` made busy by the data builders of the other
sections: `bench_home.fill` (pathways: 10 000 patients in pathways and 200 000 tasks;
médecin traitant: 20 000 requests at every stage; soins non programmés: 2 000
professionals, their slots over 30 days, 300 open requests, appointments), a prevention
campaign of 50 000 screening participants (`bench_prevention`'s bulk builder) and crisis
activations. Its contract is built from the shipped "exemple-annee-5" template
(`reporting.contract.apply_template`), signed 54 months ago so that today falls in the
middle of year 5; every mission started three months after the signature; a figure for
every indicator the CPAM supplies, for every year; two files for every proof asked;
a comment per section; and a payment for every line of the schedule already due.

What is measured, on SQLite and on PostgreSQL (the PostgreSQL half runs in a child process
under `bin/with_postgres.py`, this module re-invoked with `--pg-child`):
1. The report of the current contract year, `reporting.report.generate` (figures of every
   indicator over the busy data, proofs, the snapshot, the PDF and the XLSX, the version
   row): 3 runs, and, when the report module exposes them, its PDF and XLSX builders alone
   on the same snapshot. Target: the PDF and the XLSX each under 10 s (when the builders
   cannot be timed alone, the whole generation under 10 s). Baselines: the same tables (a
   heading and the indicator grid of each mission, the proofs listed) written directly with
   reportlab's platypus, and the same grid written directly with openpyxl (one sheet per
   mission), from figures computed beforehand. The report read back (pypdf, openpyxl) must
   name every mission and every indicator the baseline wrote.
2. The forecast page, `GET reporting:forecast` for the coordinator (Django's test client,
   both factors): 95th percentile of 30 runs after 3 of warm-up, target under 300 ms.
   Baseline: the sums of the payments received for the year and of the year's fixed and
   variable amounts in hand-written SQL. The year's received total of the service
   (`funding.forecast`) must be the baseline's, and the page must show it.

Usage: `python bench/bench_reporting.py` prints the results as JSON; `run()` returns them;
`--sqlite-only` skips PostgreSQL.
"""

import datetime
import io
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import common

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CHILD_TIMEOUT_S = 2400
CPTS_SLUG = "pays-berjalliens"
DEMO = "{}@pays-berjalliens.maillage.test"
TEMPLATE = "exemple-annee-5"
SIGNED_MONTHS_AGO = 54  # today falls in the middle of year 5
REPORT_RUNS = 3
WARMUPS, REPEATS = 3, 30
REPORT_TARGET_S = 10.0
FORECAST_TARGET_MS = 300.0
CRISIS_ACTIVATIONS = 3


def django_environment(database_url: str | None = None):
    # The builders' notifications stay in memory: nothing printed on stdout, where the
    # JSON goes.
    var = Path(os.environ.get("TMPDIR", "/tmp")) / f"maillage-bench-reporting-{os.getpid()}"
    var.mkdir(parents=True, exist_ok=True)
    return common.django_environment("rapport", database_url, {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "maillage.notifications.sms.FileSms", "SMS_FILE": str(var / "sms.log"),
    })  # fmt: skip


# Data ------------------------------------------------------------------------------------


def _busy_cpts(cpts, coordinator) -> dict:
    """The other sections' builders: every mission gets its bench data."""
    import bench_home
    import bench_prevention
    from django.utils import timezone

    from maillage.core.models import User
    from maillage.crisis.models import Activation
    from maillage.territory.services import territory_communes

    sizes = bench_home.fill(cpts)
    started = time.perf_counter()
    pharmacist = User.objects.get(email=DEMO.format("pharmacien"))
    campaign = bench_prevention._screening_action(
        cpts, coordinator, "Campagne de dépistage (banc du rapport)",
        timezone.now() - datetime.timedelta(days=60))  # fmt: skip
    communes = sorted(c.pk for c in territory_communes(cpts))
    bench_prevention._fill_campaign(campaign, pharmacist, communes)
    for k in range(CRISIS_ACTIVATIONS):
        Activation.objects.create(cpts=cpts, kind="exercise", crisis_type="nrbc",
                                  title=f"Exercice {k + 1} (banc du rapport)",
                                  started_by=coordinator)  # fmt: skip
    sizes["prevention_participants"] = bench_prevention.PARTICIPANTS
    sizes["crisis_activations"] = CRISIS_ACTIVATIONS
    sizes["prevention_crisis_fill_s"] = time.perf_counter() - started
    return sizes


def _contract(cpts, coordinator, today) -> dict:
    """The contract from the year-5 template, missions started, CPAM figures, proofs,
    comments, and the payments of every line already due."""
    from maillage.reporting import contract as contracts
    from maillage.reporting import funding
    from maillage.reporting.models import (
        Contract,
        ContractIndicator,
        ContractMission,
        IndicatorSource,
        MissionStatus,
        Payment,
        ProofFile,
        ProofKind,
        ProofRequirement,
        ReportComment,
        SuppliedFigure,
    )
    from maillage.territory.aci import add_months

    signed_on = add_months(today, -SIGNED_MONTHS_AGO)
    # The demo builds its own contract (signed on the demo's date, a few figures): replaced
    # by one whose current year is year 5 and whose every line due is paid.
    Contract.objects.filter(cpts=cpts).delete()
    contract = contracts.apply_template(cpts=cpts, template=TEMPLATE, signed_on=signed_on,
                                        actor=coordinator)  # fmt: skip
    started_on = add_months(signed_on, 3)
    ContractMission.objects.filter(contract=contract, included=True).update(
        status=MissionStatus.DEPLOYED, started_on=started_on,
        deployed_on=add_months(signed_on, 15))  # fmt: skip
    figures = 0
    supplied = ContractIndicator.objects.filter(mission__contract=contract).exclude(
        source=IndicatorSource.COMPUTED
    )
    for indicator in supplied:
        base = indicator.baseline if indicator.baseline is not None else Decimal(40)
        for year in range(1, contract.years + 1):
            SuppliedFigure.objects.create(
                indicator=indicator, year=year, value=base + year,
                dated=add_months(signed_on, 12 * year - 1),
                document=f"Tableau de bord CPAM, année {year}", entered_by=coordinator)  # fmt: skip
            figures += 1
    current = 1 + SIGNED_MONTHS_AGO // 12
    files = 0
    for requirement in ProofRequirement.objects.filter(mission__contract=contract,
                                                       kind=ProofKind.FILE):  # fmt: skip
        for k in range(2):
            body = f"Compte rendu {k + 1} : {requirement.label}".encode()
            ProofFile.objects.create(requirement=requirement, year=current,
                                     name=f"preuve-{requirement.pk}-{k + 1}.txt",
                                     content_type="text/plain", size=len(body), content=body,
                                     uploaded_by=coordinator)  # fmt: skip
            files += 1
    sections = ["general", *ContractMission.objects.filter(contract=contract, included=True)
                .values_list("code", flat=True)]  # fmt: skip
    ReportComment.objects.bulk_create([
        ReportComment(contract=contract, year=current, section=section, updated_by=coordinator,
                      text="Année de consolidation : la CPTS a tenu ses engagements.")
        for section in sections])  # fmt: skip
    contract.refresh_from_db()
    due = [line for line in funding.schedule(contract, today=today)
           if line.date <= today and not line.estimated]  # fmt: skip
    Payment.objects.bulk_create([
        Payment(contract=contract, received_on=line.date + datetime.timedelta(days=20),
                amount=line.amount, reference=f"VIR-ACI-{n:04d}", line=line.line,
                kind=line.kind, due_on=line.date, entered_by=coordinator)
        for n, line in enumerate(due) if line.amount > 0])  # fmt: skip
    return {"contract": contract, "year": current, "supplied_figures": figures,
            "proof_files": files, "payments": len(due)}  # fmt: skip


def prepare() -> dict:
    from django.utils import timezone

    from maillage.core.models import Cpts, User

    started = time.perf_counter()
    common.setup_demo()
    cpts = Cpts.objects.get(slug=CPTS_SLUG)
    coordinator = User.objects.get(email=DEMO.format("coordination"))
    data = _busy_cpts(cpts, coordinator)
    today = timezone.localdate()
    made = _contract(cpts, coordinator, today)
    data.update({k: v for k, v in made.items() if k not in ("contract", "year")})
    data["setup_s"] = time.perf_counter() - started
    return {"cpts": cpts, "coordinator": coordinator, "contract": made["contract"],
            "year": made["year"], "today": today, "data": data}  # fmt: skip


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

    # Statistics of the tables just filled, as autovacuum would gather them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _seconds(samples_ms: list[float]) -> dict:
    return {"median_s": sorted(samples_ms)[len(samples_ms) // 2] / 1000,
            "max_s": max(samples_ms) / 1000, "runs": len(samples_ms)}  # fmt: skip


# 1. The annual report -------------------------------------------------------------------------


def grid(contract, year: int, today) -> list[dict]:
    """What the baseline writes, computed before it is timed: per mission its label, the
    indicator grid (label, baseline, target or tiers, value, earned, maximum) and the proofs
    asked."""
    from maillage.reporting import achievement, missions, proofs
    from maillage.reporting.models import ContractMission

    results = achievement.results(contract, year, today=today)
    proof_rows = proofs.status(contract, year, today=today)
    out = []
    for mission in ContractMission.objects.filter(contract=contract, included=True):
        rows = []
        for r in results:
            if r.indicator.mission_id != mission.pk:
                continue
            if r.tiers:
                rule = " ; ".join(f"{t} → {a} EUR" for t, a in r.tiers)
            elif r.rule is not None and r.rule.target is not None:
                rule = f"cible {r.rule.target} ({r.rule.amount or 0} EUR)"
            else:
                rule = "—"
            rows.append([r.indicator.label, "" if r.indicator.baseline is None
                         else str(r.indicator.baseline), rule,
                         "" if r.value is None else str(r.value), str(r.earned),
                         str(r.maximum)])  # fmt: skip
        asked = [[p.requirement.label, f"{p.have} / {p.expected}"] for p in proof_rows
                 if p.requirement.mission_id == mission.pk]  # fmt: skip
        out.append({"code": mission.code, "label": missions.label(mission.code), "rows": rows,
                    "proofs": asked})  # fmt: skip
    return out


GRID_HEAD = ["Indicateur", "Référence", "Cible ou paliers", "Atteint", "Montant gagné",
             "Maximum"]  # fmt: skip


def baseline_pdf(sections: list[dict]) -> bytes:
    """The same tables with reportlab's platypus, directly: a title, per mission a heading,
    its indicator grid and its proofs."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    base = getSampleStyleSheet()
    cell = base["BodyText"]
    story = [Paragraph("Rapport d'activité", base["Title"])]
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])  # fmt: skip
    for section in sections:
        story.append(Paragraph(escape(section["label"]), base["Heading2"]))
        rows = [GRID_HEAD, *section["rows"]]
        story.append(Table([[Paragraph(escape(str(v)), cell) for v in row] for row in rows],
                           colWidths=[55 * mm, 20 * mm, 40 * mm, 18 * mm, 22 * mm, 22 * mm],
                           repeatRows=1, style=style))  # fmt: skip
        if section["proofs"]:
            story.append(Paragraph("Preuves", base["Heading3"]))
            story.append(Table([[Paragraph(escape(str(v)), cell) for v in row]
                                for row in [["Preuve", "Fournies / attendues"],
                                            *section["proofs"]]],
                               colWidths=[130 * mm, 40 * mm], style=style))  # fmt: skip
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return out.getvalue()


def baseline_xlsx(sections: list[dict]) -> bytes:
    """The same grid with openpyxl, directly: one sheet per mission."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for section in sections:
        sheet = book.create_sheet(section["code"][:31])
        sheet.append([section["label"]])
        sheet.append(GRID_HEAD)
        for row in section["rows"]:
            sheet.append(row)
        for row in section["proofs"]:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages), len(reader.pages)


def _xlsx_text(data: bytes) -> tuple[str, int]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for v in row if v is not None]  # fmt: skip
    return "\n".join(cells), len(book.worksheets)


def _squash(text: str) -> str:
    # PDF text comes back with its own line breaks and spaces: compare words alone.
    return "".join(text.split()).lower()


def _missing_names(text: str, sections: list[dict]) -> list[str]:
    """The missions and indicators the baseline wrote that the report does not name (a
    long label may be cut or wrapped in a cell: its first 40 characters are looked for)."""
    found = _squash(text)
    names = [s["label"] for s in sections] + [row[0] for s in sections for row in s["rows"]]
    return [n for n in names if _squash(n[:40]) not in found]


def _builders():
    """The report's snapshot and its PDF and XLSX writers, when the report area exposes them
    (its `report_pdf.render` and `report_xlsx.render`, or functions of `report` under the
    names tried in turn), to time each format alone on one snapshot: (snapshot, pdf, xlsx),
    or None when one of them is missing."""
    import importlib

    def first(*candidates):
        for module_name, name in candidates:
            try:
                module = importlib.import_module(f"maillage.reporting.{module_name}")
            except ImportError:
                continue
            if callable(getattr(module, name, None)):
                return getattr(module, name)
        return None

    snapshot = first(("report", "snapshot"), ("report", "build_snapshot"))
    pdf = first(("report_pdf", "render"), ("report", "render_pdf"), ("report", "build_pdf"))
    xlsx = first(("report_xlsx", "render"), ("report", "render_xlsx"), ("report", "build_xlsx"))
    if snapshot is None or pdf is None or xlsx is None:
        return None
    return snapshot, pdf, xlsx


def _call_snapshot(snapshot, contract, year, today):
    try:
        return snapshot(contract, year, today=today)
    except TypeError:
        return snapshot(contract=contract, year=year, today=today)


def report_bench(prepared) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.reporting import report
    from maillage.reporting.models import Report

    contract, year, today = prepared["contract"], prepared["year"], prepared["today"]
    _analyze()
    started = time.perf_counter()
    sections = grid(contract, year, today)
    figures_s = time.perf_counter() - started
    generated = []

    def generate():
        generated.append(report.generate(contract=contract, year=year,
                                         actor=prepared["coordinator"]))  # fmt: skip

    generate_ms = _timed(generate, 0, REPORT_RUNS - 1)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        generate()
        generate_ms.append((time.perf_counter() - started) * 1000)
    last = Report.objects.get(pk=generated[-1].pk)
    pdf_data, xlsx_data = bytes(last.pdf), bytes(last.xlsx)

    result = {"indicators": sum(len(s["rows"]) for s in sections),
              "missions": len(sections), "proofs": sum(len(s["proofs"]) for s in sections),
              "figures_s": figures_s, "generate": _seconds(generate_ms),
              "generate_queries": len(queries), "versions": Report.objects.filter(
                  contract=contract, year=year).count()}  # fmt: skip
    builders = _builders()
    if builders is not None:
        snapshot_fn, pdf_fn, xlsx_fn = builders
        snap = _call_snapshot(snapshot_fn, contract, year, today)
        result["pdf"] = _seconds(_timed(lambda: pdf_fn(snap), 0, REPORT_RUNS))
        result["xlsx"] = _seconds(_timed(lambda: xlsx_fn(snap), 0, REPORT_RUNS))
    result["baseline_pdf"] = _seconds(_timed(lambda: baseline_pdf(sections), 0, REPORT_RUNS))
    result["baseline_xlsx"] = _seconds(_timed(lambda: baseline_xlsx(sections), 0, REPORT_RUNS))

    pdf_text, pages = _pdf_text(pdf_data)
    xlsx_text, sheets = _xlsx_text(xlsx_data)
    base_pages = _pdf_text(baseline_pdf(sections))[1]
    result.update({
        "pdf_kb": len(pdf_data) / 1024, "xlsx_kb": len(xlsx_data) / 1024, "pdf_pages": pages,
        "xlsx_sheets": sheets, "baseline_pdf_pages": base_pages,
        "pdf_missing": _missing_names(pdf_text, sections),
        "xlsx_missing": _missing_names(xlsx_text, sections),
    })  # fmt: skip
    result["same_content"] = (not result["pdf_missing"] and not result["xlsx_missing"]
                              and sheets >= len(sections)
                              and result["versions"] >= REPORT_RUNS)  # fmt: skip
    for fmt in ("pdf", "xlsx"):
        timed = result.get(fmt) or result["generate"]
        base = result[f"baseline_{fmt}"]
        result[f"{fmt}_ratio"] = (round(timed["median_s"] / base["median_s"], 2)
                                  if base["median_s"] else None)  # fmt: skip
        result[f"{fmt}_pass"] = timed["max_s"] < REPORT_TARGET_S
    result["timed_alone"] = builders is not None
    return result


# 2. The forecast page -----------------------------------------------------------------------

FORECAST_SQL = """
SELECT
  (SELECT COALESCE(SUM(p.amount), 0) FROM reporting_payment p
    WHERE p.contract_id = %s
      AND ((p.kind = 'advance' AND p.due_on BETWEEN %s AND %s)
           OR (p.kind = 'balance' AND p.due_on = %s))),
  (SELECT COALESCE(SUM(y.fixed), 0) FROM reporting_missionyear y
    JOIN reporting_contractmission m ON m.id = y.mission_id
    WHERE m.contract_id = %s AND m.included AND y.year = %s),
  (SELECT COALESCE(SUM(y.variable), 0) FROM reporting_missionyear y
    JOIN reporting_contractmission m ON m.id = y.mission_id
    WHERE m.contract_id = %s AND m.included AND y.year = %s)
"""


def _money_forms(value: Decimal) -> list[str]:
    """A sum as a French page may write it: 12 345,67 with a space, a no-break or narrow
    no-break space, or none; with or without its cents when they are zero."""
    units, cents = f"{value:.2f}".split(".")
    groups = f"{int(units):,}".split(",")
    forms = []
    for sep in (" ", "\u00a0", "\u202f", ""):
        whole = sep.join(groups)
        forms += [f"{whole},{cents}"] + ([whole] if cents == "00" else [])
    return forms


def forecast_bench(prepared) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from maillage.reporting import funding, years

    contract, year, today = prepared["contract"], prepared["year"], prepared["today"]
    _analyze()
    start, end = years.bounds(contract, year)
    client = common.verified_client(prepared["coordinator"])
    url = reverse("reporting:forecast", kwargs={"cpts_slug": CPTS_SLUG})
    pages = []

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        pages.append(response)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(FORECAST_SQL, [contract.pk, start, end, end + datetime.timedelta(1),
                                          contract.pk, year, contract.pk, year])  # fmt: skip
            return cursor.fetchone()

    page_ms, raw_ms = [], []
    for _ in range(WARMUPS):
        page()
        raw()
    for _ in range(REPEATS):  # in turn, so that the machine's load weighs on both alike
        page_ms += _timed(page, 0, 1)
        raw_ms += _timed(raw, 0, 1)
    with CaptureQueriesContext(connection) as queries:
        page()
    received, fixed, variable = (Decimal(str(v)) for v in raw())
    service = funding.forecast(contract, today=today)
    html = pages[-1].content.decode()
    shown = any(form in html for form in _money_forms(service.received)) if service else False
    summary, baseline = common.summary(page_ms), common.summary(raw_ms)
    return {"page": summary, "raw_sql_baseline": baseline, "queries": len(queries),
            "html_kb": len(pages[-1].content) / 1024,
            "ratio_p95": round(summary["p95_ms"] / baseline["p95_ms"], 2)
            if baseline["p95_ms"] else None,
            "raw": {"received": str(received), "fixed": str(fixed), "variable": str(variable)},
            "service": None if service is None else {
                "year": service.year, "expected": str(service.expected),
                "received": str(service.received), "at_risk": str(service.at_risk),
                "what_if": len(service.what_if)},
            "received_shown": shown,
            "same_results": service is not None and service.year == year
            and service.received == received and shown,
            "time_pass": summary["p95_ms"] < FORECAST_TARGET_MS}  # fmt: skip


def bench_in_process() -> dict:
    from django.db import connection

    started = time.perf_counter()
    prepared = prepare()
    result = {"vendor": connection.vendor, "data": prepared["data"], "year": prepared["year"]}
    result["report"] = report_bench(prepared)
    result["forecast"] = forecast_bench(prepared)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def pg_child(out_path: str) -> int:
    return common.pg_child(out_path, django_environment, bench_in_process)


def postgresql_part() -> dict:
    return common.postgresql_part(__file__, name="reporting", timeout=CHILD_TIMEOUT_S)


def _part_valid(part: dict) -> bool:
    return ("report" in part and part["report"]["same_content"]
            and part["forecast"]["same_results"])  # fmt: skip


def run(*, postgresql: bool = True) -> dict:
    started = time.monotonic()
    pg = postgresql_part() if postgresql else {"postgresql": "not measured",
                                               "reason": "--sqlite-only"}  # fmt: skip
    with django_environment():
        sqlite = bench_in_process()
    targets = {}
    for vendor, part in (("sqlite", sqlite), ("postgresql", pg)):
        measured = "report" in part
        targets[f"report_pdf_under_10s_{vendor}"] = measured and part["report"]["pdf_pass"]
        targets[f"report_xlsx_under_10s_{vendor}"] = measured and part["report"]["xlsx_pass"]
        targets[f"forecast_p95_under_300ms_{vendor}"] = measured and part["forecast"]["time_pass"]
    return {
        "sqlite": sqlite, "postgresql": pg, "targets_met": targets,
        # The report names what the baseline wrote; the service's received total is the
        # raw SQL's and the page shows it.
        "comparison_valid": _part_valid(sqlite) and _part_valid(pg),
        "duration_s": round(time.monotonic() - started, 1),
    }  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pg-child":
        sys.exit(pg_child(sys.argv[2]))
    only_sqlite = len(sys.argv) == 2 and sys.argv[1] == "--sqlite-only"
    print(json.dumps(run(postgresql=not only_sqlite), indent=2, ensure_ascii=False,
                     default=str))  # fmt: skip
