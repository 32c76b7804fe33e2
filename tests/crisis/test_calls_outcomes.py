"""Recording a call: fine; needs help (a same-day request or a home visit through the
same-day app, linked from the call); not reached (one more attempt, still to call);
after three failed attempts, reported to the town hall. A caller reaches only their own
calls; two callers recording the same call cannot overwrite each other."""

import html
import threading

import pytest
from django.db import connection
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.crisis import calls
from maillage.crisis.models import Call, CallOutcome, Contact, ContactCategory
from maillage.same_day_care.models import SameDayRequest
from maillage.territory.models import Commune
from tests.conftest import HOME, OTHER
from tests.crisis.register_fixtures import activation, person, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(home_cpts, coordinator):
    return activation(home_cpts, coordinator)


@pytest.fixture
def call(home_cpts, coordinator, gp, live):
    patient = person(home_cpts, coordinator, "Oxygénée", first="Margot Lise",
                     born="1938-07-14", phone="06 12 34 56 78")  # fmt: skip
    register(home_cpts, coordinator, patient, gp, notes="Sonner deux fois")
    campaign = calls.campaign_create(activation=live, actor=coordinator, title="Appels",
                                     callers=[gp])  # fmt: skip
    return campaign.calls.select_related("person__patient", "campaign__activation").get()


def _record(client, call, outcome, **extra):
    data = {"outcome": outcome, "seen_outcome": call.outcome, "seen_attempts": call.attempts}
    data.update(extra)
    return client.post(reverse("crisis:call_outcome", args=[HOME, call.public_id]), data)


def test_my_calls_shows_the_callers_calls_phone_first(call, client_for, gp):
    response = client_for(gp).get(reverse("crisis:my_calls", args=[HOME]))
    body = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "OXYGÉNÉE Margot" in body and 'href="tel:' in body
    assert "Oxygène à domicile" in body and "Sonner deux fois" in body
    assert AuditEvent.objects.filter(actor=gp, action="crisis.call_list",
                                     patient=call.person.patient.public_id).count() == 1


def test_fine_is_recorded_once(call, client_for, gp):
    assert _record(client_for(gp), call, "fine").status_code == 302
    call.refresh_from_db()
    assert call.outcome == CallOutcome.FINE and call.outcome_by == gp and call.attempts == 1
    assert AuditEvent.objects.filter(action="crisis.call_outcome",
                                     patient=call.person.patient.public_id).exists()


def test_needs_help_creates_a_same_day_request_with_the_persons_identity(
        call, client_for, gp):
    client = client_for(gp)
    assert _record(client, call, "needs_help:practice").status_code == 302
    call.refresh_from_db()
    assert call.outcome == CallOutcome.NEEDS_HELP
    snp = SameDayRequest.objects.get(public_id=call.same_day_request)
    patient = call.person.patient
    assert (snp.last_name, snp.first_name, snp.birth_date) == (patient.birth_name, "Margot",
                                                               patient.birth_date)
    assert snp.phone == "+33612345678" and snp.commune == call.person.commune
    assert snp.mode == "practice" and not snp.home_visit and snp.created_by == gp
    # Visible in the same-day app to the caller who recorded it, and linked from the call.
    page = client.get(reverse("same_day_care:request", args=[HOME, snp.public_id]))
    assert page.status_code == 200 and "OXYGÉNÉE" in page.content.decode().upper()
    mine = client.get(reverse("crisis:my_calls", args=[HOME])).content.decode()
    assert reverse("same_day_care:request", args=[HOME, snp.public_id]) in mine


def test_needs_help_at_home_creates_a_home_visit_request(call, client_for, gp):
    _record(client_for(gp), call, "needs_help:home")
    call.refresh_from_db()
    snp = SameDayRequest.objects.get(public_id=call.same_day_request)
    assert snp.mode == "home" and snp.home_visit


def test_an_unusable_phone_writes_nothing_and_says_why(call, client_for, gp):
    response = _record(client_for(gp), call, "needs_help:practice", phone="12")
    assert response.status_code == 400
    call.refresh_from_db()
    assert call.outcome == CallOutcome.PENDING and call.same_day_request is None
    assert not SameDayRequest.objects.filter(last_name="Oxygénée").exists()


def test_not_reached_three_times_then_reported_to_the_mayor(call, client_for, gp, home_cpts):
    Contact.objects.create(cpts=home_cpts, category=ContactCategory.TOWN_HALL,
                           name="CCAS de Bourgoin-Jallieu", mobile="0474000000",
                           commune=Commune.objects.get(code="38053"))  # fmt: skip
    client = client_for(gp)
    # Too early: the town hall comes after three attempts.
    assert _record(client, call, "mayor").status_code == 400
    for attempt in range(1, 4):
        page = client.get(reverse("crisis:my_calls", args=[HOME])).content.decode()
        assert 'value="mayor"' not in page
        _record(client, call, "not_reached")
        call.refresh_from_db()
        assert call.outcome == CallOutcome.NOT_REACHED and call.attempts == attempt
        assert call.last_attempt_at is not None
    page = client.get(reverse("crisis:my_calls", args=[HOME])).content.decode()
    assert 'value="mayor"' in page and "CCAS de Bourgoin-Jallieu" in page
    assert _record(client, call, "mayor").status_code == 302
    call.refresh_from_db()
    assert call.outcome == CallOutcome.MAYOR
    assert "Aucun appel à passer." in client.get(reverse("crisis:my_calls", args=[HOME])
                                                ).content.decode()


def test_a_caller_reaches_only_their_own_calls(call, client_for, nurse, pharmacist,
                                                coordinator):
    for other in (nurse, pharmacist):
        client = client_for(other)
        assert _record(client, call, "fine").status_code == 404
        assert "OXYGÉNÉE" not in client.get(reverse("crisis:my_calls", args=[HOME])
                                            ).content.decode()
    call.refresh_from_db()
    assert call.outcome == CallOutcome.PENDING
    # The coordination reaches every call.
    assert _record(client_for(coordinator), call, "fine").status_code == 302


@pytest.mark.parametrize("role", ["regulator", "partner", "board_member", "outsider"])
def test_roles_that_do_not_call_get_404(call, client_for, request, role):
    client = client_for(request.getfixturevalue(role))
    slug = OTHER if role == "outsider" else HOME
    assert client.get(reverse("crisis:my_calls", args=[slug])).status_code in (200, 404)
    assert client.post(reverse("crisis:call_outcome", args=[slug, call.public_id]),
                       {"outcome": "fine"}).status_code == 404


def test_a_stale_write_does_not_overwrite_the_first_outcome(call, client_for, gp,
                                                            coordinator):
    seen = {"outcome": call.outcome, "attempts": call.attempts}
    assert _record(client_for(coordinator), call, "needs_help:practice").status_code == 302
    # The GP's page still showed the call as pending: its answer comes too late.
    response = client_for(gp).post(reverse("crisis:call_outcome", args=[HOME, call.public_id]),
                                   {"outcome": "fine", "seen_outcome": seen["outcome"],
                                    "seen_attempts": seen["attempts"]}, follow=True)
    call.refresh_from_db()
    assert call.outcome == CallOutcome.NEEDS_HELP and call.outcome_by == coordinator
    assert "vient d'être enregistré par Claire Morel" in html.unescape(
        response.content.decode())
    assert SameDayRequest.objects.filter(public_id=call.same_day_request).count() == 1


def test_two_stale_not_reached_count_one_attempt(call, gp, coordinator):
    calls.record_outcome(call=call, actor=gp, outcome="not_reached", seen_outcome="pending",
                         seen_attempts=0)  # fmt: skip
    with pytest.raises(calls.StaleCall) as caught:
        calls.record_outcome(call=call, actor=coordinator, outcome="not_reached",
                             seen_outcome="pending", seen_attempts=0)  # fmt: skip
    assert caught.value.call.attempts == 1 and caught.value.call.outcome_by == gp


@pytest.mark.django_db(transaction=True)
def test_two_callers_at_once_one_wins_the_other_sees_it():
    from maillage.core.models import Cpts, User
    from maillage.demo.builder import demo_email
    from tests.conftest import load_reference_data

    # A transactional test may follow another one's flush: the demo is loaded here.
    load_reference_data()
    home_cpts = Cpts.objects.get(slug=HOME)
    coordinator, gp = (User.objects.get(email=demo_email(local, HOME))
                       for local in ("coordination", "medecin"))  # fmt: skip
    live = activation(home_cpts, coordinator)
    register(home_cpts, coordinator, person(home_cpts, coordinator, "Concurrente"), gp)
    the_call = calls.campaign_create(activation=live, actor=coordinator, title="x",
                                     callers=[gp]).calls.get()  # fmt: skip
    barrier, results = threading.Barrier(2), []

    def write(actor, outcome):
        try:
            barrier.wait()
            target = Call.objects.select_related("campaign__activation", "person__patient").get(
                pk=the_call.pk)  # fmt: skip
            calls.record_outcome(call=target, actor=actor, outcome=outcome,
                                 seen_outcome="pending", seen_attempts=0)  # fmt: skip
            results.append(("ok", outcome))
        except calls.StaleCall as exc:
            results.append(("stale", exc.call.outcome))
        except Exception as exc:  # noqa: BLE001 (SQLite may refuse the second writer)
            results.append(("error", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(gp, "fine")),
               threading.Thread(target=write, args=(coordinator, "not_reached"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    the_call.refresh_from_db()
    winners = [outcome for state, outcome in results if state == "ok"]
    assert len(winners) == 1 and the_call.outcome == winners[0]
    assert the_call.attempts == 1
    loser = [r for r in results if r[0] != "ok"][0]
    assert loser[0] in ("stale", "error")
    if loser[0] == "stale":
        assert loser[1] == winners[0]


def test_activation_counts_are_aggregates_of_people(call, gp, home_cpts, coordinator, live):
    calls.record_outcome(call=call, actor=gp, outcome="needs_help", seen_outcome="pending",
                         seen_attempts=0, phone="0612345678")  # fmt: skip
    other = register(home_cpts, coordinator, person(home_cpts, coordinator, "Injoignable"), gp)
    second = calls.campaign_create(activation=live, actor=coordinator, title="Relance",
                                   callers=[gp])  # fmt: skip
    counts = calls.activation_counts(live)
    # The first person is in both campaigns: counted once, by their best news.
    assert counts == {"people": 2, "reached": 1, "fine": 0, "needs_help": 1,
                      "not_reached": 0, "mayor": 0}
    late = second.calls.get(person=other)
    calls.record_outcome(call=late, actor=gp, outcome="not_reached", seen_outcome="pending",
                         seen_attempts=0)  # fmt: skip
    assert calls.activation_counts(live)["not_reached"] == 1


def test_the_campaign_page_shows_progress_and_reassigns(call, client_for, coordinator, nurse,
                                                        home_cpts):
    client = client_for(coordinator)
    url = reverse("crisis:campaign", args=[HOME, call.campaign.public_id])
    page = client.get(url).content.decode()
    assert "à appeler" in page and "OXYGÉNÉE" in page
    response = client.post(reverse("crisis:call_reassign", args=[HOME, call.public_id]),
                           {"caller": str(nurse.public_id)})  # fmt: skip
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.caller == nurse


def test_the_home_card_counts_the_callers_calls_to_make(call, gp, home_cpts):
    from maillage.core import home
    from tests.crisis.register_fixtures import membership

    card = home.PROVIDERS["crisis.my_calls"].compute(membership(gp, home_cpts), None)
    assert card.count == 1 and card.link == reverse("crisis:my_calls", args=[HOME])


def test_hostile_posts_change_nothing_and_never_answer_500(call, client_for, gp):
    client = client_for(gp)
    client.raise_request_exception = False
    url = reverse("crisis:call_outcome", args=[HOME, call.public_id])
    for data in ({"outcome": "fine", "seen_outcome": "pending", "seen_attempts": "9" * 40},
                 {"outcome": "<script>", "seen_outcome": "pending", "seen_attempts": "0"},
                 {"outcome": "mayor", "seen_outcome": "pending", "seen_attempts": "-5"}):
        assert client.post(url, data).status_code in (302, 400)
    call.refresh_from_db()
    assert call.outcome == CallOutcome.PENDING and call.attempts == 0
    _record(client, call, "fine", note="<b>gras</b>")
    page = client.get(reverse("crisis:my_calls", args=[HOME])).content.decode()
    assert "<b>gras</b>" not in page


def test_the_audit_trail_reads_outcomes_in_french(call, gp):
    from maillage.core import audit_trail

    calls.record_outcome(call=call, actor=gp, outcome="needs_help", seen_outcome="pending",
                         seen_attempts=0, help_mode="home", phone="0612345678")  # fmt: skip
    event = AuditEvent.objects.filter(action="crisis.call_outcome").latest("pk")
    text = audit_trail.describe(event.detail)
    assert "Statut : Joint, a besoin d'aide" in text and "Visite à domicile" in text
    assert audit_trail.action_label("crisis.call_outcome") != "crisis.call_outcome"
