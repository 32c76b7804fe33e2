"""The pathways' background jobs (registered in apps.py, run by the worker)."""

from .reminders import send_reminders


def send_daily_reminders() -> dict:
    """Every morning: today's reminders for every CPTS. Run again the same day (a retried
    job, a worker restarted), it sends nothing more: reminders.py records each one."""
    return send_reminders()
