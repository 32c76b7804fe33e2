import pytest

from maillage.notifications import kinds
from maillage.notifications.sms import MemorySms


@pytest.fixture(autouse=True)
def _memory_sms(settings):
    settings.SMS_BACKEND = "maillage.notifications.sms.MemorySms"
    MemorySms.outbox.clear()


@pytest.fixture
def alert_kind():
    """A mandatory kind, as the crisis app will register `crisis.alert`."""
    kind = kinds.register("tests.alert", "Alerte de test", channels=[kinds.IN_APP, kinds.EMAIL],
                          mandatory=True, mandatory_reason="Alerte de crise : toujours envoyée.")
    yield kind
    kinds.KINDS.pop("tests.alert")
