"""Writes under a row lock on both databases."""

import time

from django.db import OperationalError


def retrying_when_locked(operation, attempts=30):
    """Run `operation()`; on SQLite, retry it briefly when a concurrent writer holds the
    database ("database is locked": SQLite has no row locks). PostgreSQL waits on the row
    lock instead and never gets here."""
    for attempt in range(attempts):
        try:
            return operation()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.2, 0.01 * (attempt + 1)))
    return None
