"""The public pages of a CPTS's prevention events: list, event page with seats left,
registration form with its anti-spam (honeypot, time stamp, rate limit)."""

import time

import pytest
from django.core import signing
from django.core.cache import cache

from maillage.prevention.models import Registration
from maillage.prevention.views.public import RegistrationForm
from tests.prevention.test_registrations import make_action, sign_up
from tests.utils import text

pytestmark = pytest.mark.django_db
BASE = "/prevention/pays-berjalliens/"


def form_data(**extra):
    data = {"first_name": "Léa", "last_name": "Martin", "email": "lea@example.org",
            "phone": "", "website": "",
            "started": signing.dumps(time.time() - 30, salt=RegistrationForm.STAMP_SALT)}
    data.update(extra)
    return data


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_list_shows_upcoming_public_events_only(client, home_cpts, other_cpts):
    shown = make_action(home_cpts, capacity=10)
    hidden = make_action(home_cpts, public=False)
    hidden.title = "Réunion interne"
    hidden.save()
    make_action(home_cpts, days=-3).__class__.objects.filter(title="x")  # a past one
    elsewhere = make_action(other_cpts)
    elsewhere.title = "Ailleurs"
    elsewhere.save()
    body = text(client.get(BASE))
    assert shown.title in body and "10 places restantes sur 10" in body
    assert "Réunion interne" not in body and "Ailleurs" not in body
    assert client.get("/prevention/cpts-inconnue/").status_code == 404


def test_event_page_shows_seats_left_then_full(client, home_cpts):
    action = make_action(home_cpts, capacity=2)
    url = f"{BASE}{action.public_id}/"
    body = text(client.get(url))
    assert "Salle des fêtes" in body and "Adultes de 45 ans et plus" in body
    assert "2 places restantes sur 2" in body
    sign_up(action, "Un")
    assert "1 place restante sur 2" in text(client.get(url))
    sign_up(action, "Deux")
    body = text(client.get(url))
    assert "Complet : liste d'attente" in body and "M'inscrire sur la liste d'attente" in body


def test_event_of_another_cpts_or_not_public_is_404(client, home_cpts, other_cpts):
    other = make_action(other_cpts)
    private = make_action(home_cpts, public=False)
    assert client.get(f"{BASE}{other.public_id}/").status_code == 404
    assert client.get(f"{BASE}{private.public_id}/").status_code == 404
    assert client.get(f"{BASE}pas-un-uuid/").status_code == 404


def test_registration_through_the_form_then_waiting_list(client, home_cpts):
    action = make_action(home_cpts, capacity=1)
    url = f"{BASE}{action.public_id}/"
    response = client.post(url, form_data())
    assert response.status_code == 200 and "Inscription confirmée" in text(response)
    response = client.post(url, form_data(last_name="Suivante", email="s@example.org"))
    body = text(response)
    assert response.status_code == 200 and "Vous êtes sur la liste d'attente" in body
    assert response["Cache-Control"] == "no-store"
    assert list(Registration.objects.filter(action=action).values_list("status", flat=True)
                .order_by("pk")) == ["confirmed", "waiting"]


def test_bad_input_is_explained_next_to_the_field(client, home_cpts):
    action = make_action(home_cpts)
    url = f"{BASE}{action.public_id}/"
    response = client.post(url, form_data(email="", phone="123", first_name=""))
    body = text(response)
    assert response.status_code == 400
    assert "Rien n'est enregistré" in body and 'id="id_phone_error"' in body
    response = client.post(url, form_data(email="", phone=""))
    assert response.status_code == 400 and "e-mail ou un téléphone" in text(response)
    markup = client.post(url, form_data(first_name="<script>alert(1)</script>",
                                        last_name="=HYPERLINK(\"x\")"))
    assert markup.status_code == 200 and "<script>alert" not in markup.content.decode()
    assert Registration.objects.filter(action=action).count() == 1
    huge = client.post(url, form_data(last_name="x" * 10_000))
    assert huge.status_code == 400
    nul = client.post(url, form_data(last_name="a\x00b"))
    assert nul.status_code == 400


def test_bots_and_hasty_posts_are_refused(client, home_cpts):
    action = make_action(home_cpts)
    url = f"{BASE}{action.public_id}/"
    assert client.post(url, form_data(website="http://spam")).status_code == 400
    fast = client.post(url, form_data(started=RegistrationForm.stamp()))
    assert fast.status_code == 400 and "trop vite" in text(fast)
    forged = client.post(url, form_data(started="1"))
    assert forged.status_code == 400 and "expiré" in text(forged)
    assert not Registration.objects.filter(action=action).exists()


def test_registration_is_rate_limited_on_valid_posts(client, home_cpts):
    action = make_action(home_cpts, capacity=None)
    url = f"{BASE}{action.public_id}/"
    # Mistakes do not count.
    mistakes = [client.post(url, form_data(email="")).status_code for _ in range(12)]
    assert mistakes == [400] * 12
    statuses = [client.post(url, form_data(last_name=f"Nom{i}")).status_code
                for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert Registration.objects.filter(action=action).count() == 10


def test_a_past_event_takes_no_registration(client, home_cpts):
    action = make_action(home_cpts, days=-2)
    url = f"{BASE}{action.public_id}/"
    assert "Les inscriptions à cette action sont closes" in text(client.get(url))
    assert client.post(url, form_data()).status_code == 400
    assert not Registration.objects.filter(action=action).exists()


def test_the_public_home_announces_the_next_events_with_a_link_and_no_alarm(client,
                                                                            home_cpts):
    event = make_action(home_cpts, capacity=10)
    body = client.get("/").content.decode()
    assert "Prochaines actions de prévention" in body and event.title in body
    assert f'href="{BASE}"' in body
    # An announcement is not a crisis warning: no emergency number, no "message of".
    section = body.split('id="public-notice-prevention-events"')[1].split("</section>")[0]
    assert "appelez le 15" not in section and "Message de la CPTS" not in section
