"""Journey: a resident registers on a phone (390 px) to a full event and lands on the
waiting list, told so plainly; a pharmacist checks a registered person in at the door on
a phone; the pages pass the axe check."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible, horizontal_overflow
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def _full_event():
    from maillage.core.models import Cpts
    from maillage.prevention import registrations
    from maillage.prevention.models import Action, Theme
    from maillage.territory.models import Commune

    start = timezone.now() + datetime.timedelta(days=4)
    action = Action.objects.create(
        cpts=Cpts.objects.get(slug="pays-berjalliens"), kind="screening",
        theme=Theme.objects.get(cpts=None, code="diabete"), title="Journée du diabète",
        start=start, end=start + datetime.timedelta(hours=5), public=True, capacity=1,
        commune=Commune.objects.get(code="38053"), place="Pharmacie du centre",
        audience="Adultes de 45 ans et plus")  # fmt: skip
    registrations.register(action=action, first_name="Paul", last_name="Premier",
                           email="paul@example.org")  # fmt: skip
    return action


def test_resident_lands_on_the_waiting_list_and_is_checked_in_later(demo_server, phone_390):
    from maillage.prevention.models import Registration

    action = _full_event()
    base = demo_server.url
    page = phone_390
    page.goto(f"{base}/prevention/pays-berjalliens/")
    assert page.get_by_text("Complet : liste d'attente").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Journée du diabète").click()
    page.get_by_label("Prénom").fill("Jeanne")
    page.get_by_label("Nom", exact=True).fill("Attente")
    page.get_by_label("Téléphone portable").fill("06 12 34 56 78")
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    page.wait_for_timeout(3200)  # the form refuses posts faster than a person
    page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    page.wait_for_selector("text=Vous êtes sur la liste d'attente")
    assert page.get_by_text(re.compile("est complet")).is_visible()
    assert_accessible(page)
    assert Registration.objects.get(last_name="Attente").status == "waiting"

    page.context.clear_cookies()
    _log_in(page, base, email="pharmacien@pays-berjalliens.maillage.test")
    page.goto(f"{base}/c/pays-berjalliens/prevention/actions/{action.public_id}/accueil/")
    page.wait_for_selector("text=1 inscrit · 0 présent · 1 en liste d'attente")
    assert horizontal_overflow(page) <= 1
    assert_accessible(page)
    page.get_by_role("button", name="Présent : Paul Premier").click()
    page.wait_for_selector("#reg-{} >> text=Présent(e)".format(
        Registration.objects.get(last_name="Premier").public_id))
    assert Registration.objects.get(last_name="Premier").checked_in_at is not None
    assert_accessible(page)
