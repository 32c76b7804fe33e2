"""Journey: a regulator records a same-day request, books the first suggestion, and the
GP sees the appointment on a phone-width screen."""

import datetime

import pytest
from django.utils import timezone

from maillage.core.models import Cpts, User
from maillage.same_day_care.models import Appointment
from maillage.same_day_care.services import publish_slots
from maillage.territory.models import Commune
from tests.browser.conftest import follow_nav_link
from tests.browser.test_territory_journey import _log_in

pytestmark = pytest.mark.browser


def test_regulator_books_and_gp_sees_it_on_a_phone(demo_server, page, phone_page, settings):
    settings.SMS_BACKEND = "maillage.notifications.sms.MemorySms"
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
    follow_nav_link(page, "Soins non programmés", "Nouvelle demande")
    page.get_by_label("Nom", exact=True).fill("Durand")
    page.get_by_label("Prénom", exact=True).fill("Léa")
    page.get_by_label("Date de naissance").fill("1990-04-02")
    page.get_by_label("Téléphone").fill("06 11 22 33 44")
    page.get_by_label("Commune", exact=True).fill("38193")
    page.get_by_label("Délai").select_option("24h")
    page.get_by_role("button", name="Chercher un créneau").click()
    page.get_by_role("button", name="Réserver").first.click()
    page.wait_for_selector("text=Rendez-vous réservé")
    assert Appointment.objects.filter(request__last_name="Durand", status="booked").exists()

    _log_in(phone_page, base, email="medecin@pays-berjalliens.maillage.test")
    follow_nav_link(phone_page, "Soins non programmés", "Rendez-vous SNP")
    assert phone_page.get_by_text("DURAND Léa").first.is_visible()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


NO_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
UNLABELLED = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name)"""


def _check(page, what):
    page.wait_for_load_state()
    assert page.evaluate(NO_OVERFLOW) <= 1, f"{what}: horizontal scroll at 390 px"
    assert page.evaluate(UNLABELLED) == [], f"{what}: field without a label"


def test_same_day_pages_fit_a_390_px_phone_with_a_label_per_field(
    demo_server, browser, settings, tmp_path
):
    settings.SMS_BACKEND = "maillage.notifications.sms.MemorySms"
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    base, snp = demo_server.url, f"{demo_server.url}/c/pays-berjalliens/snp"
    _log_in(phone, base, email="medecin@pays-berjalliens.maillage.test")
    for path in ("mes-creneaux/", "mes-gardes/", "import-ics/", "rendez-vous/"):
        phone.goto(f"{snp}/{path}")
        _check(phone, path)
    phone.goto(f"{snp}/mes-gardes/")
    phone.get_by_role("button", name="Créer mon adresse privée").click()
    phone.wait_for_selector("text=Votre nouvelle adresse")
    _check(phone, "the new agenda address")
    bad = tmp_path / "agenda.ics"
    bad.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:un-identifiant-très-long-sans-"
                   "espace@agenda.example.org\r\nDTSTART:20310106T090000Z\r\nRRULE:FREQ="
                   "SECONDLY\r\nDTEND:20310106T092000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    phone.goto(f"{snp}/import-ics/")
    phone.get_by_label("Fichier iCalendar (.ics)").set_input_files(str(bad))
    phone.get_by_label("Commune du lieu", exact=True).fill("38053")
    phone.get_by_role("button", name="Importer").click()
    phone.wait_for_selector("text=Événements ignorés")
    _check(phone, "the ICS import refusal")
    context.close()

    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    _log_in(phone, base)  # the coordinator
    phone.goto(f"{snp}/permanence/")
    _check(phone, "rota")
    phone.get_by_role("button", name="Ajouter la période").click()
    phone.wait_for_selector("p.error")
    _check(phone, "rota with errors")
    context.close()
