"""resolve(): once the thing a message is about no longer waits for the person, their
unread in-app messages about it are marked read (the bell stops counting them)."""

import pytest

from maillage.notifications.models import Notification
from maillage.notifications.services import notify, resolve, unread_count

pytestmark = pytest.mark.django_db


def _send(home_cpts, recipients, ref):
    return notify(cpts=home_cpts, recipients=recipients, kind="notifications.test",
                  subject="Un dossier attend", body="Un dossier attend votre réponse.",
                  ref=ref)  # fmt: skip


def test_resolving_a_subject_marks_only_that_persons_messages_about_it_read(home_cpts, gp, nurse):
    _send(home_cpts, [gp, nurse], ref="tests.thing:1")
    _send(home_cpts, [gp], ref="tests.thing:2")
    assert unread_count(gp) == 2
    assert resolve(ref="tests.thing:1", user=gp) == 1
    assert unread_count(gp) == 1  # the other subject still waits
    assert unread_count(nurse) == 1  # someone else's message about it is theirs to clear
    assert Notification.objects.get(recipient=gp, ref="tests.thing:2").read_at is None


def test_resolving_again_or_without_a_subject_changes_nothing(home_cpts, gp):
    _send(home_cpts, [gp], ref="tests.thing:1")
    _send(home_cpts, [gp], ref="")
    assert resolve(ref="tests.thing:1", user=gp) == 1
    read_at = Notification.objects.get(ref="tests.thing:1").read_at
    assert resolve(ref="tests.thing:1", user=gp) == 0
    assert Notification.objects.get(ref="tests.thing:1").read_at == read_at
    assert resolve(ref="", user=gp) == 0  # messages about nothing in particular stay
    assert unread_count(gp) == 1
