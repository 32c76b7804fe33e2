"""How core sends a message and reads whether it went out, without importing the
notifications app (which imports core): by the dotted path of its functions, as core
names a job for core.jobs.enqueue. The messages are written in the caller's transaction
and sent by the workers after the commit (maillage.notifications.services.notify)."""

from django.utils.module_loading import import_string

NOTIFY = "maillage.notifications.services.notify"
DELIVERY_STATES = "maillage.notifications.services.delivery_states"


def notify(**kwargs):
    return import_string(NOTIFY)(**kwargs)


def delivery_states(refs) -> dict:
    """{ref: [Delivery]} of the newest message about each ref ("invitation:<uuid>")."""
    return import_string(DELIVERY_STATES)(refs)
