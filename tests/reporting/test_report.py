"""The annual report's versions: a snapshot of the year's figures, numbered versions, a
version sent to the CPAM frozen, the coordinator's comments per section."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AuditEvent
from maillage.reporting import proofs, report
from maillage.reporting.models import ProofRequirement, Report, ReportComment
from tests.reporting.report_world import TODAY, YEAR, build_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(home_cpts):
    return build_contract(home_cpts)


def _mission(data, code):
    return next(m for m in data["missions"] if m["code"] == code)


def test_snapshot_is_json_with_amounts_as_strings(contract):
    data = report.snapshot(contract, YEAR, today=TODAY)
    assert json.loads(json.dumps(data)) == data
    assert data["cpts"]["name"] == contract.cpts.name
    assert data["contract"] == {
        "signed_on": "2024-01-15",
        "size_class": 3,
        "operating_grant": "75000.00",
        "years": 5,
    }
    assert (data["start"], data["end"]) == ("2026-01-15", "2027-01-14")


def test_snapshot_lists_included_missions_only_in_contract_order(contract):
    data = report.snapshot(contract, YEAR, today=TODAY)
    assert [m["code"] for m in data["missions"]] == ["acces", "prevention", "qualite"]


def test_snapshot_indicators_carry_value_rule_and_amounts(contract):
    acces = _mission(report.snapshot(contract, YEAR, today=TODAY), "acces")
    ald, volunteers = acces["indicators"]
    assert ald["label"] == "Patients en ALD sans médecin traitant"
    assert ald["rule"] == "tiers" and ald["value"] == "80.00"
    assert [t["amount"] for t in ald["tiers"]] == ["9000.00", "6000.00", "3000.00"]
    assert (ald["earned"], ald["maximum"]) == ("6000.00", "9000.00")
    assert ald["next_step"] == {"threshold": "50.00", "gain": "3000.00"}
    assert ald["action"] == "Recensement des patients sans médecin traitant"
    assert "Tableau CPAM de novembre" in ald["source_text"]
    # Target 12 from a baseline of 4, 10 reached: three quarters of 4 000.
    assert (volunteers["earned"], volunteers["target"]) == ("3000.00", "12.00")
    assert acces["variable_earned"] == "9000.00"
    assert acces["actions"][0]["title"].startswith("Recensement")


def test_snapshot_totals_add_fixed_and_earned_variable(contract):
    totals = report.snapshot(contract, YEAR, today=TODAY)["totals"]
    assert totals["fixed"] == "122500.00"  # 90 000 + 17 500 + 15 000
    assert totals["variable_earned"] == "25250.00"  # 9 000 + 1 250 + 15 000
    assert totals["variable_maximum"] == "67500.00"
    assert totals["maximum"] == "190000.00"
    assert Decimal(totals["earned"]) == Decimal("147750.00")


def test_snapshot_lists_each_missions_proofs_ok_or_missing(contract, monkeypatch):
    acces = contract.missions.get(code="acces")
    minutes = ProofRequirement.objects.create(mission=acces, label="Listes de recensement",
                                              kind="file", expected=2)  # fmt: skip
    monkeypatch.setattr(proofs, "status", lambda c, y, today=None: [
        proofs.ProofStatus(requirement=minutes, have=1, expected=2, detail="1 fichier",
                           files=["liste.pdf"])])  # fmt: skip
    data = report.snapshot(contract, YEAR, today=TODAY)
    assert _mission(data, "acces")["proofs"] == [
        {
            "label": "Listes de recensement",
            "kind": "file",
            "kind_label": "Document déposé",
            "indicator": None,
            "action": None,
            "have": 1,
            "expected": 2,
            "ok": False,
            "detail": "1 fichier",
            "files": ["liste.pdf"],
        }
    ]
    assert _mission(data, "prevention")["proofs"] == []


def test_year_outside_the_contract_is_refused_naming_the_year(contract, coordinator):
    for year in (0, 6, "x"):
        with pytest.raises(ValidationError) as caught:
            report.generate(contract=contract, year=year, actor=coordinator)
        assert "year" in caught.value.message_dict
    assert not Report.objects.filter(contract=contract).exists()


def test_versions_increment_per_year_and_are_audited(contract, coordinator):
    first = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    second = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    other_year = report.generate(contract=contract, year=2, actor=coordinator, today=TODAY)
    assert (first.version, second.version, other_year.version) == (1, 2, 1)
    assert bytes(first.pdf).startswith(b"%PDF") and bytes(first.xlsx).startswith(b"PK")
    assert first.snapshot["totals"]["fixed"] == "122500.00"
    events = AuditEvent.objects.filter(action="reporting.report_generated",
                                       actor=coordinator).order_by("pk")  # fmt: skip
    assert [e.detail["version"] for e in events] == [1, 2, 1]


def test_a_collision_on_the_version_number_retries_with_the_next(contract, coordinator,
                                                                monkeypatch):  # fmt: skip
    """Two coordinators generating at once: the second one read the last number before
    the first one's row landed (simulated: a stale count on the first attempt); its insert
    meets the unique constraint and it takes the next number instead of failing."""
    for _ in range(2):
        report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    real = report._last_version
    stale = iter([1])
    monkeypatch.setattr(report, "_last_version",
                        lambda c, y: next(stale, None) or real(c, y))  # fmt: skip
    third = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    assert third.version == 3
    assert sorted(Report.objects.filter(contract=contract, year=YEAR)
                  .values_list("version", flat=True)) == [1, 2, 3]  # fmt: skip


def test_a_sent_version_is_frozen(contract, coordinator):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    before = dict(version.snapshot)
    sent = report.mark_sent(report=version, actor=coordinator)
    assert sent.frozen and sent.sent_by == coordinator
    assert AuditEvent.objects.filter(action="reporting.report_sent", actor=coordinator).exists()
    with pytest.raises(ValidationError, match="figée"):
        report.mark_sent(report=sent, actor=coordinator)
    with pytest.raises(ValidationError, match="figée"):
        report.delete(report=sent, actor=coordinator)
    with pytest.raises(ValidationError, match="figée"):
        report.ensure_not_frozen(sent)
    sent.refresh_from_db()
    assert sent.snapshot == before and Report.objects.filter(pk=sent.pk).exists()
    # New versions can still be generated after.
    assert report.generate(contract=contract, year=YEAR, actor=coordinator,
                           today=TODAY).version == 2  # fmt: skip


def test_a_version_never_sent_can_be_deleted(contract, coordinator):
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    report.delete(report=version, actor=coordinator)
    assert not Report.objects.filter(pk=version.pk).exists()
    assert AuditEvent.objects.filter(action="reporting.report_deleted").exists()


def test_a_frozen_version_keeps_the_comment_it_had(contract, coordinator):
    report.save_comment(contract=contract, year=YEAR, section="acces", text="Avant l'envoi.",
                        actor=coordinator)  # fmt: skip
    version = report.generate(contract=contract, year=YEAR, actor=coordinator, today=TODAY)
    report.mark_sent(report=version, actor=coordinator)
    report.save_comment(contract=contract, year=YEAR, section="acces", text="Après l'envoi.",
                        actor=coordinator)  # fmt: skip
    version.refresh_from_db()
    assert _mission(version.snapshot, "acces")["comment"] == "Avant l'envoi."
    assert report.comments(contract, YEAR)["acces"] == "Après l'envoi."
    assert _mission(report.snapshot(contract, YEAR, today=TODAY), "acces")["comment"] == (
        "Après l'envoi."
    )


def test_comment_is_upserted_per_section_and_audited(contract, coordinator):
    report.save_comment(contract=contract, year=YEAR, section="general", text="Un",
                        actor=coordinator)  # fmt: skip
    report.save_comment(contract=contract, year=YEAR, section="general", text="Deux\r\nlignes",
                        actor=coordinator)  # fmt: skip
    assert ReportComment.objects.get(contract=contract, year=YEAR,
                                     section="general").text == "Deux\nlignes"  # fmt: skip
    assert AuditEvent.objects.filter(action="reporting.report_comment").count() == 2
    assert report.snapshot(contract, YEAR, today=TODAY)["comment"] == "Deux\nlignes"


@pytest.mark.parametrize("section", ["accompagnement", "inconnue", ""])
def test_comment_on_a_section_not_in_the_report_is_refused(contract, coordinator, section):
    with pytest.raises(ValidationError) as caught:
        report.save_comment(contract=contract, year=YEAR, section=section, text="x",
                            actor=coordinator)  # fmt: skip
    assert "section" in caught.value.message_dict
    assert not ReportComment.objects.exists()


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script><b>gras</b>", '=HYPERLINK("http://x","y")', "avant\x00après"]
)
def test_hostile_comments_are_stored_as_text(contract, coordinator, text):
    report.save_comment(contract=contract, year=YEAR, section="acces", text=text,
                        actor=coordinator)  # fmt: skip
    stored = ReportComment.objects.get(contract=contract, section="acces").text
    assert stored == text.replace("\x00", "")


def test_a_comment_of_100_000_characters_is_refused_with_its_length(contract, coordinator):
    with pytest.raises(ValidationError) as caught:
        report.save_comment(contract=contract, year=YEAR, section="acces", text="a" * 100_000,
                            actor=coordinator)  # fmt: skip
    message = caught.value.message_dict["text"][0]
    assert "5\u202f000" in message and "100\u202f000" in message
    assert not ReportComment.objects.exists()


def test_a_mission_started_after_its_deadline_is_flagged(contract):
    import datetime

    contract.missions.filter(code="acces").update(started_on=datetime.date(2024, 9, 2))
    data = report.snapshot(contract, YEAR, today=TODAY)
    said = _mission(data, "acces")["warnings"]
    assert any("démarrée le 02/09/2024, après l'échéance du 15/07/2024" in w for w in said)
    # Deployed in time: nothing to say about it.
    assert _mission(data, "prevention")["warnings"] == []


def test_a_mission_started_before_the_signature_is_flagged_in_its_own_section(contract):
    import datetime

    contract.missions.filter(code="prevention").update(started_on=datetime.date(2023, 1, 2))
    data = report.snapshot(contract, YEAR, today=TODAY)
    assert any("avant la signature" in w for w in _mission(data, "prevention")["warnings"])
    assert not any("avant la signature" in w for w in _mission(data, "acces")["warnings"])
