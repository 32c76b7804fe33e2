"""The platform's existing messages go through notify and the workers: nothing is sent
inside a request or a transaction, and a mail server down loses nothing."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from maillage.core.models import Invitation
from maillage.notifications.models import Delivery, Notification
from maillage.pathways.reminders import send_reminders
from tests.conftest import HOME
from tests.utils import text

pytestmark = pytest.mark.django_db


class Unreachable:
    def send_messages(self, messages):
        raise OSError("Connection refused")


def _invite(client):
    return client.post(reverse("core:members", args=[HOME]),
                       {"email": "nouvelle@example.fr", "role": "professional"})  # fmt: skip


def test_an_invitation_survives_a_mail_server_down_and_its_status_is_shown(
    client_for, coordinator, run_jobs, monkeypatch
):
    client = client_for(coordinator)
    original = EmailMessage.get_connection
    monkeypatch.setattr(EmailMessage, "get_connection",
                        lambda self, fail_silently=False: Unreachable())
    response = _invite(client)
    assert response.status_code == 302
    assert mail.outbox == []  # nothing sent from the request
    run_jobs()
    invitation = Invitation.objects.get(email="nouvelle@example.fr")
    page = text(client.get(reverse("core:members", args=[HOME])))
    assert "Connection refused" in page and "En attente" in page
    monkeypatch.setattr(EmailMessage, "get_connection", original)
    Delivery.objects.update(next_attempt_at=invitation.created_at)
    from maillage.notifications.delivery import sweep

    assert sweep() == 1
    run_jobs()
    assert "/invitation/" in mail.outbox[-1].body
    page = text(client.get(reverse("core:members", args=[HOME])))
    assert '<span class="status">Envoyé</span>' in page
    # The link is not kept once sent.
    sent = Notification.objects.get(ref=f"invitation:{invitation.public_id}")
    assert "/invitation/" not in sent.body


def test_a_password_reset_email_is_queued_not_sent_from_the_request(client, gp, run_jobs):
    client.post(reverse("core:password_reset"), {"email": gp.email})
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=gp, kind="core.password_reset").exists()
    run_jobs()
    assert [m.to for m in mail.outbox] == [[gp.email]]


def test_daily_reminders_are_one_message_per_person_and_not_twice(run_jobs):
    day = datetime.date.today() + datetime.timedelta(days=400)  # everything is late by then
    stats = send_reminders(day=day)
    reminders = Notification.objects.filter(kind="pathways.reminder")
    assert stats["sent"] == reminders.count() > 0
    people = list(reminders.values_list("cpts_id", "recipient_id"))
    assert len(people) == len(set(people))
    assert send_reminders(day=day)["sent"] == 0
    assert reminders.count() == len(people)
    run_jobs()
    assert len(mail.outbox) == len(people)
    assert all(r.in_app for r in reminders)


def test_same_day_confirmation_goes_by_sms_through_the_queue(home_cpts, regulator, run_jobs):
    from maillage.notifications.sms import MemorySms
    from maillage.same_day_care import services
    from maillage.same_day_care.models import Slot
    from maillage.territory.models import Commune

    slot = Slot.objects.for_cpts(home_cpts).available().filter(profession_code="10").first()
    request = services.request_create(cpts=home_cpts, actor=regulator, origin="regulator", data={
        "last_name": "Durand", "first_name": "Léa", "birth_date": datetime.date(1990, 4, 2),
        "phone": "0611223344", "commune": Commune.objects.get(code="38053"), "reason": "fever",
        "profession_code": "10", "mode": slot.mode, "urgency": "48h", "home_visit": False,
    })  # fmt: skip
    services.book(slot=slot, snp_request=request, actor=regulator)
    assert MemorySms.outbox == []
    run_jobs()
    assert [phone for phone, _ in MemorySms.outbox] == ["+33611223344"]
    message = Notification.objects.get(kind="same_day.confirmation")
    assert message.deliveries.get().status == "sent" and not message.in_app
