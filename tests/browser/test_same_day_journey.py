"""Journey: a regulator records a same-day request, books the first suggestion, and the
GP sees the appointment on a phone-width screen."""

import datetime

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.same_day_care.models import Appointment
from maillage.same_day_care.services import publish_slots
from maillage.territory.models import Commune
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_regulator_books_and_gp_sees_it_on_a_phone(demo_server, page, phone_page, settings):
    settings.SMS_BACKEND = "maillage.same_day_care.notify.MemorySms"
    gp = User.objects.get(email="medecin@pays-berjalliens.maillage.test")
    start = (timezone.now() + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    publish_slots(
        cpts=Cpts.objects.get(slug="pays-berjalliens"),
        professional=gp,
        actor=gp,
        times=[(start, start + datetime.timedelta(minutes=20))],
        profession_code="10",
        commune=Commune.objects.get(code="38053"),
    )
    base = demo_server.url
    _log_in(page, base, email="regulation@pays-berjalliens.maillage.test")
    page.get_by_role("link", name="Soins non programmés").click()
    page.get_by_label("Nom", exact=True).fill("Durand")
    page.get_by_label("Prénom", exact=True).fill("Léa")
    page.get_by_label("Date de naissance").fill("1990-04-02")
    page.get_by_label("Téléphone").fill("06 11 22 33 44")
    page.get_by_label("Commune (code INSEE)").fill("38193")
    page.get_by_label("Délai").select_option("24h")
    page.get_by_role("button", name="Chercher un créneau").click()
    page.get_by_role("button", name="Réserver").first.click()
    page.wait_for_selector("text=Rendez-vous réservé")
    assert Appointment.objects.filter(request__last_name="Durand", status="booked").exists()

    _log_in(phone_page, base, email="medecin@pays-berjalliens.maillage.test")
    phone_page.get_by_role("link", name="Rendez-vous SNP").click()
    assert phone_page.get_by_text("DURAND Léa").first.is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
