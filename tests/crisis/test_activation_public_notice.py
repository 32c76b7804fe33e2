"""The public notice: shown on the CPTS's public pages while a crisis or a vigilance is
live, escaped, dated; never for an exercise, gone once ended or emptied."""

import html

import pytest
from django.urls import reverse

from maillage.core.models import AuditEvent
from maillage.crisis import activations
from tests.conftest import HOME, OTHER
from tests.crisis.activation_fixtures import crisis, exercise

pytestmark = pytest.mark.django_db

PAGES = ["/", reverse("directory:public", args=[HOME])]
NOTICE = "Canicule : cabinets ouverts jusqu'à 21 h, buvez de l'eau."


def _public(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("url", PAGES)
def test_a_live_vigilance_notice_is_shown_with_its_date(client, coordinator, home_cpts, url):
    activation = activations.activate(cpts=home_cpts, actor=coordinator, kind="vigilance",
                                      crisis_type="afflux-malades", title="Veille canicule",
                                      public_notice=NOTICE)  # fmt: skip
    body = _public(client, url)
    assert NOTICE in body and "Vigilance en cours : Veille canicule" in body
    assert activation.public_notice_at is not None
    assert activations.timezone.localtime(activation.public_notice_at).strftime(
        "%d/%m/%Y à %H:%M") in body
    assert 'class="public-notice" role="region"' in body


def test_a_live_crisis_notice_set_from_the_activation_page_is_shown_escaped(
    client, client_for, coordinator, home_cpts
):
    activation = crisis(home_cpts, coordinator)
    response = client_for(coordinator).post(
        reverse("crisis:notice", args=[HOME, activation.public_id]),
        {"public_notice": "<b>Appelez</b> le 15 si urgence"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="crisis.notice").exists()
    raw = client.get(reverse("directory:public", args=[HOME])).content.decode()
    assert "<b>Appelez</b>" not in raw and "&lt;b&gt;Appelez&lt;/b&gt; le 15 si urgence" in raw
    assert "Crise sanitaire en cours" in html.unescape(raw)
    # NUL characters never reach a page (the middleware refuses them in a request; the
    # service drops them from any other caller).
    activations.set_notice(activation=activation, actor=coordinator, text="A\x00B")
    activation.refresh_from_db()
    assert activation.public_notice == "AB"


@pytest.mark.parametrize("url", PAGES)
def test_an_exercise_notice_is_never_shown_to_the_public(client, coordinator, home_cpts, url):
    exercise(home_cpts, coordinator, public_notice="Texte d'exercice secret")
    assert "Texte d'exercice secret" not in _public(client, url)


def test_the_notice_disappears_once_ended_or_emptied(client, coordinator, home_cpts):
    ended = activations.activate(cpts=home_cpts, actor=coordinator, kind="vigilance",
                                 crisis_type="afflux-malades", title="A", public_notice="Fini")
    activations.end(activation=ended, actor=coordinator)
    emptied = crisis(home_cpts, coordinator, public_notice="Retiré")
    activations.set_notice(activation=emptied, actor=coordinator, text="   ")
    body = _public(client, "/")
    assert "Fini" not in body and "Retiré" not in body and "public-notice" not in body


def test_a_notice_shows_on_its_own_cpts_only(client, coordinator, home_cpts):
    crisis(home_cpts, coordinator, public_notice="Seulement chez nous")
    assert "Seulement chez nous" not in _public(client, reverse("directory:public",
                                                                args=[OTHER]))
    assert "Seulement chez nous" in _public(client, reverse("directory:public", args=[HOME]))


def test_a_too_long_notice_is_refused_and_the_old_one_kept(client_for, coordinator, home_cpts):
    activation = crisis(home_cpts, coordinator, public_notice="Ancien")
    response = client_for(coordinator).post(
        reverse("crisis:notice", args=[HOME, activation.public_id]),
        {"public_notice": "x" * 2001})
    assert response.status_code == 400
    activation.refresh_from_db()
    assert activation.public_notice == "Ancien"
