"""notify(): one message per person, a delivery per channel following each person's
preferences, queued for the workers after the commit and sent once."""

import pytest
from django.core import mail

from maillage.notifications import delivery
from maillage.notifications.models import Delivery, Notification, Preference
from maillage.notifications.services import CHUNK, Recipient, notify
from maillage.notifications.sms import MemorySms

pytestmark = pytest.mark.django_db


def _send(home_cpts, recipients, **extra):
    return notify(cpts=home_cpts, recipients=recipients, kind="notifications.test",
                  subject="Réunion jeudi", body="La réunion de jeudi est avancée à 18 h.",
                  **extra)  # fmt: skip


def test_a_message_is_written_at_once_and_sent_only_after_the_commit(home_cpts, gp, run_jobs):
    [message] = _send(home_cpts, [gp])
    assert message.in_app and message.read_at is None
    states = dict(message.deliveries.values_list("channel", "status"))
    assert states == {"in_app": "sent", "email": "pending"}
    assert mail.outbox == []
    run_jobs()
    assert [m.to for m in mail.outbox] == [[gp.email]]
    assert mail.outbox[0].subject == "Réunion jeudi"
    assert message.deliveries.get(channel="email").status == "sent"


def test_a_muted_channel_is_skipped_and_says_why(home_cpts, gp, run_jobs):
    Preference.objects.create(user=gp, kind="notifications.test", channel="email", enabled=False)
    [message] = _send(home_cpts, [gp])
    run_jobs()
    assert mail.outbox == []
    email = message.deliveries.get(channel="email")
    assert email.status == "skipped" and "préférences" in email.last_error
    assert message.in_app


def test_a_mandatory_kind_ignores_preferences(home_cpts, gp, alert_kind, run_jobs):
    Preference.objects.create(user=gp, kind="tests.alert", channel="email", enabled=False)
    Preference.objects.create(user=gp, kind="tests.alert", channel="in_app", enabled=False)
    [message] = notify(cpts=home_cpts, recipients=[gp], kind="tests.alert", subject="Alerte",
                       body="Canicule : plan déclenché.")  # fmt: skip
    run_jobs()
    assert message.in_app
    assert [m.to for m in mail.outbox] == [[gp.email]]


def test_people_without_an_account_get_e_mail_or_sms(home_cpts, run_jobs):
    messages = _send(home_cpts, ["invite@example.org", Recipient(phone="+33611223344")],
                     channels=["email", "sms"])
    run_jobs()
    assert [m.to for m in mail.outbox] == [["invite@example.org"]]
    assert [p for p, _ in MemorySms.outbox] == ["+33611223344"]
    no_phone = messages[0].deliveries.get(channel="sms")
    assert no_phone.status == "skipped" and "téléphone" in no_phone.last_error
    assert not any(m.in_app for m in messages)


def test_many_recipients_are_queued_in_chunks(home_cpts, run_jobs):
    people = [f"personne{i}@example.org" for i in range(CHUNK * 2 + 5)]
    _send(home_cpts, people, channels=["email"])
    # The on-commit push, one job that fans out from the worker, then three chunks.
    assert run_jobs() == 1 + 1 + 3
    assert len(mail.outbox) == len(people)
    assert not Delivery.objects.filter(status="pending").exists()


def test_an_unknown_kind_is_refused(home_cpts, gp):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(cpts=home_cpts, recipients=[gp], kind="nope", subject="x", body="y")
    assert not Notification.objects.exists()


def test_a_delivery_job_run_twice_sends_nothing_twice(home_cpts, gp, run_jobs):
    [message] = _send(home_cpts, [gp], channels=["email"])
    run_jobs()
    email = message.deliveries.get()
    assert delivery.deliver([email.pk]) == {"skipped": 1}
    assert delivery.deliver([email.pk, email.pk]) == {"skipped": 2}
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_not_sent_again_until_retried_by_hand(
    home_cpts, gp, run_jobs
):
    from maillage.notifications.services import retry_by_hand

    [message] = _send(home_cpts, [gp], channels=["email"])
    email = message.deliveries.get()
    # The worker claimed it and died before saying "sent".
    Delivery.objects.filter(pk=email.pk).update(status="sending", attempts=1)
    run_jobs()  # the job, handed back to another worker
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == "sending"
    assert retry_by_hand(delivery=email)
    run_jobs()
    assert len(mail.outbox) == 1


class Unreachable:
    def send_messages(self, messages):
        raise OSError("serveur injoignable")


def test_a_failure_is_retried_with_backoff_then_marked_failed(home_cpts, gp, run_jobs,
                                                              monkeypatch):  # fmt: skip
    from django.core.mail import EmailMessage

    original = EmailMessage.get_connection
    monkeypatch.setattr(EmailMessage, "get_connection",
                        lambda self, fail_silently=False: Unreachable())
    [message] = _send(home_cpts, [gp], channels=["email"])
    run_jobs()
    email = message.deliveries.get()
    assert (email.status, email.attempts) == ("pending", 1)
    assert "injoignable" in email.last_error and email.next_attempt_at is not None
    assert delivery.sweep() == 0  # not due yet
    for attempt in range(2, len(delivery.BACKOFF) + 2):
        Delivery.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
        assert delivery.sweep() == 1
        run_jobs()
        email.refresh_from_db()
        assert email.attempts == attempt
    assert email.status == "failed"
    monkeypatch.setattr(EmailMessage, "get_connection", original)
    from maillage.notifications.services import retry_by_hand

    assert retry_by_hand(delivery=email)
    run_jobs()
    email.refresh_from_db()
    assert email.status == "sent" and len(mail.outbox) == 1


def test_a_secret_link_is_erased_once_sent(home_cpts, run_jobs):
    [message] = notify(cpts=home_cpts, recipients=["new@example.org"], kind="core.invitation",
                       subject="Invitation", body="Ouvrez le lien.",
                       link="http://testserver/invitation/SECRET/")  # fmt: skip
    run_jobs()
    assert "SECRET" in mail.outbox[0].body
    message.refresh_from_db()
    assert message.link == "" and "SECRET" not in message.body


def test_a_link_of_the_application_is_sent_as_a_full_address(home_cpts, gp, run_jobs,
                                                             settings):
    settings.SITE_URL = "https://cpts.example.org/"
    [message] = _send(home_cpts, [gp], link="/c/pays-berjalliens/aujourdhui/")
    run_jobs()
    assert "https://cpts.example.org/c/pays-berjalliens/aujourdhui/" in mail.outbox[0].body
    # In the application the link stays a path.
    message.refresh_from_db()
    assert message.link == "/c/pays-berjalliens/aujourdhui/"
