"""Journey, on a phone: the coordinator opens "Tâches de fond" from the members page, sees
a failed job of the CPTS with its French cause, and runs it again once."""

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_coordinator_retries_a_failed_job_on_a_phone(demo_server, phone_page):
    from django_q.models import Failure

    from maillage.core import jobs
    from maillage.core.models import Cpts

    cpts = Cpts.objects.get(slug="pays-berjalliens")
    now = timezone.now()
    Failure.objects.create(
        id="a" * 32, name="essai", func="maillage.core.jobs.heartbeat", args=(), kwargs={},
        group=jobs.cpts_group(cpts.pk), started=now, stopped=now, success=False,
        attempt_count=1,
        result="boom : Traceback (most recent call last):\nConnectionRefusedError: refused",
    )  # fmt: skip
    page = phone_page
    _log_in(page, demo_server.url)
    page.goto(f"{demo_server.url}/c/pays-berjalliens/membres/")
    page.get_by_role("link", name="Tâches de fond").click()
    page.wait_for_selector("h1:has-text('Tâches de fond')")
    main = page.locator("main").inner_text()
    assert "Signal de vie du worker" in main
    assert "Service extérieur injoignable" in main
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("button", name="Relancer").click()
    page.wait_for_selector("text=Tâche relancée")
    assert "Aucune tâche en échec" in page.locator("main").inner_text()
    assert not Failure.objects.exists()
