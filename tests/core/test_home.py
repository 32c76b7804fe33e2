"""Aujourd'hui: each member lands on the cards of their role, each mission contributing
its own; a card names only people the caller may see, and audits them."""

import pytest
from django.urls import reverse

from maillage.core import home, permissions
from maillage.core.models import AuditEvent
from tests.conftest import HOME, OTHER

pytestmark = pytest.mark.django_db
TODAY = reverse("core:today", args=[HOME])


@pytest.fixture
def busy(home_cpts, coordinator, gp, nurse, regulator, partner):
    from tests.core.home_world import build

    return build(home_cpts, coordinator=coordinator, gp=gp, nurse=nurse, regulator=regulator,
                 partner=partner)


def _cards(response):
    return [card.name for card in response.context["cards"]]


def test_a_member_of_one_cpts_lands_on_their_home(client_for, gp):
    response = client_for(gp).get("/")
    assert response.status_code == 302 and response["Location"] == TODAY


def test_a_member_of_several_cpts_chooses_one_first(client_for, gp, other_cpts):
    from maillage.core.models import Membership

    Membership.objects.create(user=gp, cpts=other_cpts, role="professional")
    response = client_for(gp).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for slug in (HOME, OTHER):
        assert reverse("core:today", args=[slug]) in body


def test_a_visitor_finds_the_public_pages_of_each_cpts_and_the_login(client, home_cpts, other_cpts):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for cpts in (home_cpts, other_cpts):
        assert cpts.name in body
        assert reverse("directory:public", args=[cpts.slug]) in body
        assert reverse("gp_access:public", args=[cpts.slug]) in body
    assert reverse("core:login") in body
    for name in ("directory:public", "gp_access:public"):
        assert client.get(reverse(name, args=[HOME])).status_code == 200


def test_the_gp_sees_the_waiting_proposal_and_todays_appointment_first(busy, client_for, gp):
    patient = busy["proposal"].request.patient
    response = client_for(gp).get(TODAY)
    assert response.status_code == 200
    names = _cards(response)
    assert names[:2] == ["gp_access.proposals", "same_day_care.today"]
    assert {"gp_access.capacity", "pathways.my_tasks"} <= set(names)
    body = response.content.decode()
    assert patient.display_name in body
    assert "TOURNESOL Agathe" in body
    assert "no-store" in response["Cache-Control"]  # patient data
    assert "VIDAL Bernard" in body  # the demo's late tasks of the GP's patient
    # Each person shown leaves an audit row, as on the list pages.
    shown = AuditEvent.objects.filter(actor=gp, action="patient.list",
                                      detail__via="core.today")  # fmt: skip
    assert {patient.public_id, busy["appointment"].request.public_id} <= set(
        shown.values_list("patient", flat=True))


def test_a_nurse_has_tasks_and_appointments_but_no_proposal_to_answer(busy, client_for, nurse):
    names = _cards(client_for(nurse).get(TODAY))
    assert "pathways.my_tasks" in names and "same_day_care.today" in names
    assert "gp_access.proposals" not in names and "gp_access.capacity" not in names


def test_the_regulator_sees_their_open_requests_one_tap_from_a_new_one(busy, client_for, regulator):
    response = client_for(regulator).get(TODAY)
    assert _cards(response)[0] == "same_day_care.open_requests"
    body = response.content.decode()
    assert "LAVANDE Basile" in body and "TOURNESOL Agathe" not in body  # booked: not open
    assert f'class="button" href="{reverse("same_day_care:request_new", args=[HOME])}"' in body


def test_the_partner_follows_the_state_of_their_referrals(busy, client_for, partner):
    response = client_for(partner).get(TODAY)
    assert _cards(response)[0] == "gp_access.referrals"
    body = response.content.decode()
    assert "CAPUCINE Odile" in body and "Nouvelle depuis le" in body
    # Nobody else's patient: the GP's proposal is not the partner's business.
    assert busy["proposal"].request.patient.display_name not in body


def test_the_coordinator_sees_what_waits_across_missions_as_counts(busy, client_for, coordinator):
    response = client_for(coordinator).get(TODAY)
    names = _cards(response)
    # A CPTS without an approved crisis plan: the coordination is told (crisis.plan_update).
    assert names == ["gp_access.requests", "same_day_care.open_requests", "pathways.late",
                     "gp_access.cpam", "patients.duplicates", "crisis.plan_update"]
    cards = {card.name: card for card in response.context["cards"]}
    assert cards["pathways.late"].count >= 1
    assert cards["gp_access.requests"].figures[0].value >= 1  # the partner's new referral


def _positive_screening(cpts, entered_by):
    import datetime

    from django.utils import timezone

    from maillage.prevention import followup
    from maillage.prevention.models import Action, Participant, Theme

    start = timezone.now() - datetime.timedelta(days=1)
    action = Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=4),
        questionnaire="findrisc")  # fmt: skip
    participant = Participant.objects.create(
        cpts=cpts, action=action, sex="F", age=60, questionnaire="findrisc", score=15,
        risk="high", next_step="refer", positive=True, fingerprint="home",
        entered_by=entered_by)  # fmt: skip
    return followup.open_for(participant=participant, actor=entered_by)


def test_a_positive_screening_to_refer_shows_on_the_coordinators_home(
    busy, client_for, coordinator, nurse, home_cpts
):
    _positive_screening(home_cpts, nurse)
    response = client_for(coordinator).get(TODAY)
    assert _cards(response) == ["gp_access.requests", "same_day_care.open_requests",
                                "pathways.late", "gp_access.cpam",
                                "prevention.followups_to_refer", "patients.duplicates",
                                "crisis.plan_update"]  # fmt: skip
    card = {c.name: c for c in response.context["cards"]}["prevention.followups_to_refer"]
    assert card.count == 1


def test_the_gp_sees_the_patients_addressed_to_them_after_a_screening(
    busy, client_for, gp, nurse, home_cpts
):
    from maillage.prevention.models import FollowUp, FollowUpStatus

    follow_up = _positive_screening(home_cpts, nurse)
    assert "prevention.followups_to_confirm" not in _cards(client_for(gp).get(TODAY))
    FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.REFERRED, gp=gp)
    names = _cards(client_for(gp).get(TODAY))
    assert names[:2] == ["gp_access.proposals", "same_day_care.today"]
    assert "prevention.followups_to_confirm" in names


def test_the_board_sees_figures_and_no_patient(busy, client_for, board_member):
    response = client_for(board_member).get(TODAY)
    assert _cards(response) == ["gp_access.figures", "same_day_care.figures", "pathways.figures"]
    body = response.content.decode()
    assert "CAPUCINE" not in body and "TOURNESOL" not in body
    assert not AuditEvent.objects.filter(actor=board_member, action="patient.list").exists()


def test_an_outsider_gets_404(client_for, outsider):
    assert client_for(outsider).get(TODAY).status_code == 404


def test_a_card_is_asked_only_of_the_roles_its_permission_allows(
    client_for, board_member, coordinator
):
    calls = []

    @home.card("tests.spy", permission=permissions.manage_members, order=1)
    def spy(membership, request):
        calls.append(membership.user)
        return home.Card(title="Espion", text="Vu.")

    try:
        assert "tests.spy" not in _cards(client_for(board_member).get(TODAY))
        assert _cards(client_for(coordinator).get(TODAY))[0] == "tests.spy"
    finally:
        del home.PROVIDERS["tests.spy"]
    assert calls == [coordinator]


def test_a_card_must_declare_a_permission_of_core():
    with pytest.raises(TypeError):
        home.card("tests.bad", permission=lambda m: True, order=1)
