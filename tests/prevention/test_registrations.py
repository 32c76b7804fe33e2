"""Public events: registration until full then waiting list, cancellation by link that
promotes the first waiting, the last seat under concurrency, token reuse, reminder once."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.core.models import AuditEvent
from maillage.notifications.models import Notification
from maillage.prevention import registrations
from maillage.prevention.models import Action, Registration, Theme
from maillage.territory.models import Commune

pytestmark = pytest.mark.django_db


def make_action(cpts, *, days=3, capacity=2, public=True, **extra):
    start = timezone.now() + datetime.timedelta(days=days)
    return Action.objects.create(
        cpts=cpts, kind="screening", theme=Theme.objects.get(cpts=None, code="diabete"),
        title="Journée diabète", start=start, end=start + datetime.timedelta(hours=4),
        commune=Commune.objects.get(code="38053"), place="Salle des fêtes", public=public,
        capacity=capacity, audience="Adultes de 45 ans et plus", **extra)  # fmt: skip


def sign_up(action, name="Durand", **extra):
    data = {"first_name": "Léa", "last_name": name, "email": f"{name.lower()}@example.org"}
    data.update(extra)
    return registrations.register(action=action, **data)


def link_token(registration):
    notification = Notification.objects.filter(
        ref=f"prevention.registration:{registration.public_id}").order_by("pk").first()
    return notification.link.rstrip("/").rsplit("/", 1)[-1]


def test_register_until_full_then_waiting_list(home_cpts):
    action = make_action(home_cpts, capacity=2)
    first, second, third = (sign_up(action, n) for n in ("Un", "Deux", "Trois"))
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waiting"]
    assert registrations.counts(action) | {} == {
        "confirmed": 2, "waiting": 1, "cancelled": 0, "present": 0, "seats_left": 0}
    messages = Notification.objects.filter(kind=registrations.KIND).order_by("pk")
    assert [m.subject.split(" :")[0] for m in messages] == [
        "Inscription confirmée", "Inscription confirmée", "Liste d'attente"]
    assert all("/prevention/pays-berjalliens/annulation/" in m.link for m in messages)
    assert messages[0].email == "un@example.org" and messages[0].recipient is None
    # Only the hash is stored: the raw token of the link is not in the row.
    token = link_token(first)
    assert first.token_hash == registrations.hash_token(token) and token not in first.token_hash
    events = AuditEvent.objects.filter(action="prevention.registration_create")
    assert events.count() == 3 and not events.exclude(actor=None).exists()


def test_register_refuses_closed_actions_and_needs_a_contact(home_cpts):
    for action in (make_action(home_cpts, public=False),
                   make_action(home_cpts, status="cancelled"),
                   make_action(home_cpts, days=-2)):
        with pytest.raises(ValidationError) as excinfo:
            sign_up(action)
        assert "closes" in excinfo.value.messages[0]
    action = make_action(home_cpts)
    with pytest.raises(ValidationError) as excinfo:
        sign_up(action, email="", phone="")
    assert "e-mail ou un téléphone" in excinfo.value.message_dict["email"][0]
    with pytest.raises(ValidationError) as excinfo:
        sign_up(action, email="pas-une-adresse", phone="12")
    assert set(excinfo.value.message_dict) == {"email", "phone"}
    with pytest.raises(ValidationError) as excinfo:
        sign_up(action, first_name="x" * 500, last_name="a\x00b")
    assert set(excinfo.value.message_dict) == {"first_name", "last_name"}
    assert not Registration.objects.filter(action=action).exists()
    ok = sign_up(action, email="", phone="06 12 34 56 78")
    assert ok.phone == "+33612345678"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.text(max_size=150), last=st.text(max_size=150), email=st.text(max_size=60),
       phone=st.text(max_size=30))
def test_any_input_is_stored_or_refused_by_field(home_cpts, first, last, email, phone):
    action = make_action(home_cpts, capacity=None)
    try:
        registration = registrations.register(action=action, first_name=first, last_name=last,
                                              email=email, phone=phone)
    except ValidationError as exc:
        assert set(exc.message_dict) <= {"first_name", "last_name", "email", "phone"}
        assert not Registration.objects.filter(action=action).exists()
    else:
        assert registration.first_name == first.strip() and registration.status == "confirmed"


def test_cancellation_promotes_the_first_waiting_and_a_link_works_once(home_cpts, client):
    action = make_action(home_cpts, capacity=1)
    seated = sign_up(action, "Assis")
    first_waiting = sign_up(action, "Premier")
    sign_up(action, "Second")
    token = link_token(seated)
    url = f"/prevention/pays-berjalliens/annulation/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "Confirmer l'annulation" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    seated.refresh_from_db()
    assert seated.status == "confirmed"  # a GET (a mail scanner) cancels nothing
    done = client.post(url)
    assert done.status_code == 200 and "Inscription annulée" in done.content.decode()
    seated.refresh_from_db()
    first_waiting.refresh_from_db()
    assert seated.status == "cancelled" and seated.cancelled_at is not None
    assert first_waiting.status == "confirmed" and first_waiting.promoted_at is not None
    told = Notification.objects.filter(ref=f"prevention.registration:{first_waiting.public_id}",
                                       subject__startswith="Une place s'est libérée")
    assert told.count() == 1
    assert Registration.objects.get(last_name="Second").status == "waiting"
    # The link again, or a made-up one: a clear page, 404, nothing changes.
    for again in (client.get(url), client.post(url),
                  client.get("/prevention/pays-berjalliens/annulation/inventé/")):
        assert again.status_code == 404
        assert "n'est plus valable" in again.content.decode()
    assert AuditEvent.objects.filter(action="prevention.registration_cancel").count() == 1
    assert AuditEvent.objects.filter(action="prevention.registration_promote").count() == 1


def test_a_token_of_another_cpts_does_not_cancel(home_cpts, other_cpts, client):
    registration = sign_up(make_action(home_cpts))
    token = link_token(registration)
    response = client.post(f"/prevention/{other_cpts.slug}/annulation/{token}/")
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_cancelling_a_waiting_place_promotes_nobody(home_cpts):
    action = make_action(home_cpts, capacity=1)
    sign_up(action, "Assis")
    waiting = sign_up(action, "Attente")
    sign_up(action, "Autre")
    _cancelled, promoted = registrations.cancel(cpts=home_cpts, raw_token=link_token(waiting))
    assert promoted is None
    assert registrations.counts(action)["waiting"] == 1


def test_reminder_goes_once_the_day_before(home_cpts):
    tomorrow = make_action(home_cpts, days=1)
    later = make_action(home_cpts, days=5)
    coming = sign_up(tomorrow, "Demain")
    sign_up(later, "Plustard")
    registrations.cancel(cpts=home_cpts, raw_token=link_token(sign_up(tomorrow, "Annule")))
    # Whatever the hour of the pass, "tomorrow" is the local day after today.
    tomorrow.start = timezone.localtime().replace(hour=10, minute=0) + datetime.timedelta(days=1)
    tomorrow.end = tomorrow.start + datetime.timedelta(hours=3)
    tomorrow.save()
    assert registrations.send_reminders() == 1
    assert registrations.send_reminders() == 0
    reminders = Notification.objects.filter(subject__startswith="Rappel")
    assert [n.ref for n in reminders] == [f"prevention.registration:{coming.public_id}"]
    coming.refresh_from_db()
    assert coming.reminder_sent_at is not None


def test_the_reminder_job_is_registered():
    from maillage.core import jobs

    assert jobs.PERIODIC["maillage:prevention-reminders"].func == (
        "maillage.prevention.registrations.send_reminders")


def test_public_home_lists_upcoming_events(home_cpts):
    from maillage.core.public_notices import for_cpts

    make_action(home_cpts, public=False)
    assert not [n for n in for_cpts(home_cpts) if n.key == "prevention-events"]
    make_action(home_cpts)
    notice = next(n for n in for_cpts(home_cpts) if n.key == "prevention-events")
    assert "Journée diabète" in notice.text and notice.link == "/prevention/pays-berjalliens/"
    assert not notice.urgent


@pytest.mark.django_db(transaction=True)
def test_two_people_for_the_last_seat_one_confirmed_one_waiting():
    """Both threads register at once for the one seat left; the lock on the action row
    lets one of them take it, on SQLite and on PostgreSQL."""
    from tests.conftest import load_reference_data

    load_reference_data()
    from maillage.core.models import Cpts

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    for _round in range(3):
        action = make_action(cpts, capacity=1)
        barrier = threading.Barrier(4)
        statuses, errors = [], []

        def person(index, action=action, barrier=barrier, statuses=statuses, errors=errors):
            try:
                barrier.wait()
                statuses.append(sign_up(action, f"Concurrent{index}").status)
            except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
                errors.append(repr(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=person, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(statuses) == ["confirmed", "waiting", "waiting", "waiting"]


def test_contacts_are_erased_a_month_after_the_action(home_cpts):
    past = make_action(home_cpts, days=-40)
    recent = make_action(home_cpts, days=-3)
    for action in (past, recent):
        Registration.objects.create(cpts=home_cpts, action=action, first_name="A",
                                    last_name=f"B{action.pk}", email="a@example.org",
                                    phone="+33612345678", status="confirmed",
                                    token_hash=registrations.new_token()[1])  # fmt: skip
    assert registrations.forget_contacts() == 1
    old = Registration.objects.get(action=past)
    assert (old.email, old.phone, old.last_name) == ("", "", f"B{past.pk}")
    assert Registration.objects.get(action=recent).email == "a@example.org"
