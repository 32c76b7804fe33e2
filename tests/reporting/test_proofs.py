"""Proofs of the contract: what each requirement counts (files, an indicator of the
registry, distinct sessions of an attendance source), what is missing six weeks before
the report, and the pages that show them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core import attendance, indicators
from maillage.core.models import AuditEvent, Membership, User
from maillage.reporting import proofs, years
from maillage.reporting.models import (
    Contract,
    ContractAction,
    ContractMission,
    ProofFile,
    ProofKind,
    ProofRequirement,
    Report,
)
from tests.conftest import HOME, verified_client
from tests.utils import text

pytestmark = pytest.mark.django_db
URL = reverse("reporting:proofs", args=[HOME])


def make_contract(cpts, *, signed_on=None, days_left=None):
    """A contract of the CPTS whose current year ends in `days_left` days (default: far
    from its end, 200 days)."""
    today = timezone.localdate()
    if signed_on is None:
        end = today + datetime.timedelta(days=days_left if days_left is not None else 200)
        # Year 1 ends the day before the first anniversary.
        signed_on = end + datetime.timedelta(days=1)
        signed_on = signed_on.replace(year=signed_on.year - 1)
    return Contract.objects.create(cpts=cpts, signed_on=signed_on, size_class=2,
                                   operating_grant=Decimal("60000"))  # fmt: skip


def requirement(contract, *, kind=ProofKind.FILE, code="", expected=1, mission="parcours",
                label="Compte rendu", action=None):  # fmt: skip
    mission_row, _ = ContractMission.objects.get_or_create(contract=contract, code=mission)
    return ProofRequirement.objects.create(mission=mission_row, kind=kind, registry_code=code,
                                           expected=expected, label=label,
                                           action=action)  # fmt: skip


def funder_of(cpts):
    user = User.objects.create_user("cpam@example.fr", password="x-Long-enough-42")
    Membership.objects.create(user=user, cpts=cpts, role="funder")
    return user


@pytest.fixture
def fake_indicator():
    calls = []

    def compute(cpts, period):
        calls.append(period)
        return indicators.Value(value=7.9)

    indicators.register("test.fake_count", mission="pathways", label="Réunions tenues",
                        definition="pour le test", compute=compute)  # fmt: skip
    yield calls
    indicators.REGISTRY.pop("test.fake_count")


@pytest.fixture
def fake_meetings():
    at = timezone.now() - datetime.timedelta(days=3)
    earlier = at - datetime.timedelta(days=10)

    def row(user_id, when, ref):
        return attendance.Attendance(user_id=user_id, professional_id=None, name="X",
                                     activity="meeting", started_at=when, minutes=60,
                                     proof="présent", ref=ref)  # fmt: skip

    def records(cpts, period):
        # Three professionals at one meeting, one at another: two meetings held.
        return [row(1, at, "m:1"), row(2, at, "m:2"), row(3, at, "m:3"),
                row(1, earlier, "m:4")]  # fmt: skip

    attendance.register("test.meetings", label="réunions de test", records=records)
    yield
    attendance.REGISTRY.pop("test.meetings")


def test_a_file_requirement_counts_the_files_filed_for_that_year(home_cpts):
    contract = make_contract(home_cpts)
    req = requirement(contract, expected=2)
    ProofFile.objects.create(requirement=req, year=1, name="a.pdf", content_type="x", size=1,
                             content=b"%PDF")  # fmt: skip
    ProofFile.objects.create(requirement=req, year=2, name="b.pdf", content_type="x", size=1,
                             content=b"%PDF")  # fmt: skip
    [row] = proofs.status(contract, 1)
    assert (row.have, row.expected, row.ok) == (1, 2, False)
    assert [f.name for f in row.files] == ["a.pdf"]
    assert row.detail == "1 fichier déposé"


def test_an_indicator_requirement_reads_the_registry_over_the_year_up_to_today(
        home_cpts, fake_indicator):  # fmt: skip
    contract = make_contract(home_cpts)
    requirement(contract, kind=ProofKind.INDICATOR, code="test.fake_count", expected=7)
    [row] = proofs.status(contract, 1)
    start, _end = years.bounds(contract, 1)
    assert fake_indicator == [(start, timezone.localdate())]
    assert row.have == 7 and row.ok
    assert "Réunions tenues" in row.detail


def test_an_unknown_indicator_counts_zero_and_says_so(home_cpts):
    contract = make_contract(home_cpts)
    requirement(contract, kind=ProofKind.INDICATOR, code="nowhere.nothing")
    [row] = proofs.status(contract, 1)
    assert row.have == 0 and not row.ok
    assert "inconnu" in row.detail and "nowhere.nothing" in row.detail


def test_attendance_counts_distinct_sessions_not_people(home_cpts, fake_meetings):
    contract = make_contract(home_cpts)
    requirement(contract, kind=ProofKind.ATTENDANCE, code="test.meetings", expected=3)
    [row] = proofs.status(contract, 1)
    assert row.have == 2 and not row.ok
    assert row.detail == "2 séances avec présences (4 présences de professionnels)"
    assert "séances" in row.counts


def test_excluded_missions_ask_for_nothing(home_cpts):
    contract = make_contract(home_cpts)
    req = requirement(contract, mission="qualite")
    req.mission.included = False
    req.mission.save()
    assert proofs.status(contract, 1) == []


def test_missing_proofs_are_flagged_from_six_weeks_before_the_due_date(home_cpts):
    contract = make_contract(home_cpts, signed_on=datetime.date(2025, 1, 1))
    requirement(contract)
    due = proofs.due(contract, 1)
    assert due == datetime.date(2025, 12, 31)
    assert proofs.missing_soon(contract, due - datetime.timedelta(weeks=6, days=1)) == []
    flagged = proofs.missing_soon(contract, due - datetime.timedelta(weeks=6))
    assert [s.requirement.label for s in flagged] == ["Compte rendu"]
    # After the due date the year just ended stays flagged until its report is sent.
    late = proofs.watch(contract, datetime.date(2026, 2, 1))
    assert late.year == 1 and late.due == due
    Report.objects.create(contract=contract, year=1, version=1, pdf=b"", xlsx=b"",
                          sent_at=timezone.now())  # fmt: skip
    assert proofs.watch(contract, datetime.date(2026, 2, 1)) is None


def test_nothing_is_flagged_when_every_proof_is_there(home_cpts):
    contract = make_contract(home_cpts, signed_on=datetime.date(2025, 1, 1))
    req = requirement(contract)
    ProofFile.objects.create(requirement=req, year=1, name="a.pdf", content_type="x", size=1,
                             content=b"%PDF")  # fmt: skip
    assert proofs.missing_soon(contract, datetime.date(2025, 12, 30)) == []


# The page ------------------------------------------------------------------------------


def test_the_page_shows_present_and_missing_with_what_is_counted(client_for, coordinator,
                                                                 home_cpts):  # fmt: skip
    contract = make_contract(home_cpts, days_left=20)
    action = ContractAction.objects.create(
        mission=ContractMission.objects.create(contract=contract, code="parcours"),
        title="Trois réunions de suivi",
    )
    done = requirement(contract, label="Parcours écrit", action=action)
    requirement(contract, label="Feuilles d'émargement", action=action, expected=3)
    ProofFile.objects.create(requirement=done, year=1, name="parcours.pdf", content_type="x",
                             size=4, content=b"%PDF")  # fmt: skip
    response = client_for(coordinator).get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Parcours pluriprofessionnels" in body and "Trois réunions de suivi" in body
    assert "présent" in body and "manquant" in body
    assert "(0 / 3 fichiers déposés)" in body
    assert "parcours.pdf" in body
    assert "1 preuve manque, rapport attendu le" in body
    assert body.count('enctype="multipart/form-data"') == 2


def test_no_banner_far_from_the_due_date(client_for, coordinator, home_cpts):
    contract = make_contract(home_cpts, days_left=120)
    requirement(contract)
    body = text(client_for(coordinator).get(URL))
    assert "manquant" in body and "rapport d'activité attendu le" in body
    assert "preuve manque" not in body


def test_a_year_outside_the_contract_is_a_400_with_a_message(client_for, coordinator, home_cpts):
    make_contract(home_cpts)
    response = client_for(coordinator).get(URL, {"annee": "9"})
    assert response.status_code == 400
    assert "Le contrat compte 5 années" in text(response)
    assert client_for(coordinator).get(URL, {"annee": "x"}).status_code == 400


def test_without_a_contract_the_page_says_so(client_for, coordinator):
    response = client_for(coordinator).get(URL)
    assert response.status_code == 200
    assert "pas encore de contrat" in text(response)


def test_the_board_reads_without_upload_forms_and_a_gp_gets_404(client_for, board_member, gp,
                                                              home_cpts):  # fmt: skip
    requirement(make_contract(home_cpts))
    response = client_for(board_member).get(URL)
    assert response.status_code == 200 and "Compte rendu" in text(response)
    assert "multipart/form-data" not in text(response)
    assert client_for(gp).get(URL).status_code == 404


def test_the_funder_reads_the_proofs_and_the_read_is_audited(home_cpts):
    requirement(make_contract(home_cpts))
    funder = funder_of(home_cpts)
    response = verified_client(funder).get(URL)
    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=funder, action="reporting.funder_read")
    assert event.detail["where"] == "reporting.proofs"


def test_an_outsider_gets_404_on_the_page_and_on_a_file(client_for, outsider, home_cpts):
    req = requirement(make_contract(home_cpts))
    proof = ProofFile.objects.create(requirement=req, year=1, name="a.pdf", content_type="x",
                                     size=4, content=b"%PDF")  # fmt: skip
    client = client_for(outsider)
    assert client.get(URL).status_code == 404
    # Even through their own CPTS's address, another CPTS's file is not found.
    other = reverse("reporting:proof_file", args=["vals-du-dauphine", proof.public_id])
    assert client.get(other).status_code == 404
    upload = reverse("reporting:proof_upload", args=["vals-du-dauphine", req.public_id])
    assert client.post(upload, {}).status_code == 404
