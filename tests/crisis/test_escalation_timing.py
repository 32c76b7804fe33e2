"""Escalation with a frozen clock (`escalate_due(now=...)`): nothing before the delay, the
next channel after it (in-app, e-mail, SMS, then SMS and e-mail again), at most three
times, never after an answer or once the activation ended, and never twice for one step
(two workers)."""

import datetime

import pytest
from django.utils import timezone

from maillage.core.models import AuditEvent
from maillage.crisis import escalation
from maillage.crisis.alerts import send_alert
from maillage.crisis.models import AlertRecipient
from maillage.notifications.models import Delivery
from maillage.notifications.services import record_answer
from tests.crisis import alerts_fixtures as make

pytestmark = pytest.mark.django_db
DELAY = 10


@pytest.fixture
def alert(home_cpts, coordinator, gp):
    activation = make.activation(home_cpts, coordinator)
    make.contact(home_cpts, "Dr Alice Martin", account=gp)
    return send_alert(cpts=home_cpts, actor=coordinator, activation=activation,
                      groups=["profession:10"], channels=["sms"], message="Renfort.",
                      escalate_after_minutes=DELAY)  # fmt: skip


def _at(alert, minutes, seconds=0):
    return alert.created_at + datetime.timedelta(minutes=minutes, seconds=seconds)


def _row(alert):
    return AlertRecipient.objects.select_related("notification").get(alert=alert)


def _channels(row):
    return dict(Delivery.objects.filter(notification=row.notification)
                .values_list("channel", "status"))  # fmt: skip


def test_nothing_happens_before_the_delay(alert, run_jobs):
    run_jobs()
    assert escalation.escalate_due(now=_at(alert, DELAY, -1)) == 0
    row = _row(alert)
    assert row.escalations == 0 and _channels(row) == {"sms": "sent"}


def test_after_the_delay_the_next_channel_then_the_others_then_sms_again(alert, run_jobs):
    run_jobs()
    # 1: in-app first (the person has an account), in their bell.
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 1
    row = _row(alert)
    assert row.escalations == 1 and row.next_escalation_at == _at(alert, 2 * DELAY)
    assert _channels(row) == {"sms": "sent", "in_app": "sent"}
    assert row.notification.in_app and row.notification.read_at is None
    assert row.notification.subject.startswith("EXERCICE – RELANCE – ")
    assert row.notification.body.startswith("EXERCICE – RELANCE – Renfort.")
    # 2: e-mail, a new delivery of the same message (the same answer link).
    assert escalation.escalate_due(now=_at(alert, 2 * DELAY)) == 1
    run_jobs()
    row = _row(alert)
    assert _channels(row) == {"sms": "sent", "in_app": "sent", "email": "sent"}
    assert row.notification.subject.count("RELANCE") == 1
    # 3: every channel was used: SMS again (put back in the queue), and that is the last.
    assert escalation.escalate_due(now=_at(alert, 3 * DELAY)) == 1
    row = _row(alert)
    assert _channels(row)["sms"] == "pending"
    assert row.escalations == 3 and row.next_escalation_at is None
    assert escalation.escalate_due(now=_at(alert, 10 * DELAY)) == 0
    assert _row(alert).escalations == 3


def test_the_resent_sms_goes_out_again(alert, run_jobs, settings, tmp_path):
    settings.SMS_BACKEND = "maillage.notifications.sms.FileSms"
    settings.SMS_FILE = str(tmp_path / "sms.log")
    run_jobs()
    for step in (1, 2, 3):
        escalation.escalate_due(now=_at(alert, step * DELAY))
        run_jobs()
    lines = (tmp_path / "sms.log").read_text().splitlines()
    assert len(lines) == 2  # the alert, then its third escalation
    assert "RELANCE" in lines[1] and "/crise/reponse/" in lines[1]


def test_a_contact_with_only_a_mobile_is_alerted_again_by_sms(home_cpts, coordinator, run_jobs):
    activation = make.activation(home_cpts, coordinator)
    contact = make.contact(home_cpts, "Mairie", profession="", in_cell=True)
    contact.email = ""
    contact.save()
    alert = send_alert(cpts=home_cpts, actor=coordinator, activation=activation, groups=["cell"],
                       channels=["sms"], message="Cellule.", escalate_after_minutes=DELAY)
    run_jobs()
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 1
    assert _channels(_row(alert)) == {"sms": "pending"}


def test_an_answer_stops_the_escalation(alert, run_jobs):
    run_jobs()
    record_answer(notification=_row(alert).notification, answer="unavailable")
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 0
    row = _row(alert)
    assert row.escalations == 0 and row.next_escalation_at is None


def test_an_ended_activation_stops_the_escalation(alert, run_jobs):
    run_jobs()
    alert.activation.ended_at = timezone.now()
    alert.activation.save()
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 0
    assert _row(alert).next_escalation_at is None


def test_a_second_pass_or_a_second_worker_escalates_nobody_again(alert, run_jobs):
    run_jobs()
    stale = _row(alert)  # what a second worker read before the first one claimed the row
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 1
    assert escalation.escalate_due(now=_at(alert, DELAY)) == 0
    claimed, delivery = escalation._escalate_one(stale, [], _at(alert, DELAY))
    assert (claimed, delivery) == (False, None)
    row = _row(alert)
    assert row.escalations == 1
    assert Delivery.objects.filter(notification=row.notification).count() == 2


def test_each_pass_is_in_the_audit_trail_without_an_actor(alert, run_jobs):
    run_jobs()
    escalation.escalate_due(now=_at(alert, DELAY))
    event = AuditEvent.objects.get(action="crisis.alert_escalate")
    assert event.actor is None and event.detail == {"recipients": 1, "steps": [1]}


def test_the_job_is_registered_every_minute():
    from maillage.core.jobs import PERIODIC

    job = PERIODIC["maillage:crisis-escalation"]
    assert job.func == "maillage.crisis.escalation.run" and job.minutes == 1
