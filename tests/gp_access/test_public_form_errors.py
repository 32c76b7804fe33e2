"""The public médecin-traitant form reports every problem in one answer, in a summary at
the top that links to each field (not a new problem revealed at each attempt)."""

import re

import pytest
from django.urls import reverse

from maillage.gp_access.models import GpRequest
from tests.gp_access.test_workflow import public_data

pytestmark = pytest.mark.django_db
PUBLIC = reverse("gp_access:public", args=["pays-berjalliens"])


def _field_errors(html):
    return dict(re.findall(r'<p class="error" id="id_(\w+)_error" role="alert">([^<]+)</p>', html))


def test_every_error_of_the_public_form_comes_back_at_once(client):
    data = public_data(birth_date="2999-01-01", commune="38999", consent="",
                       nir="1 50 02 38 053 001 00", phone="01 23", first_names="")
    response = client.post(PUBLIC, data)
    assert response.status_code == 400
    errors = _field_errors(response.content.decode())
    # Field checks and the patient service's checks, in the same answer.
    assert set(errors) >= {"birth_date", "commune", "consent", "nir", "phone", "first_names"}
    assert "futur" in errors["birth_date"]
    assert "Aucune commune avec le code 38999" in errors["commune"]
    assert not GpRequest.objects.filter(patient__birth_name="Rivière").exists()


def test_an_expired_form_still_reports_the_fields(client):
    response = client.post(PUBLIC, public_data(started="x", consent="", commune="38999"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Le formulaire a expiré" in body
    assert set(_field_errors(body)) >= {"consent", "commune"}


def test_the_summary_links_to_each_field_and_takes_the_focus(client):
    response = client.post(PUBLIC, public_data(consent="", commune="38999"))
    html = response.content.decode()
    summary = html[html.index("data-error-summary"):]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_consent"' in summary and 'href="#id_commune"' in summary
    assert "Aucune commune avec le code 38999" in summary
    assert 'tabindex="-1"' in html[html.rindex("<div", 0, html.index("data-error-summary")):
                                   html.index("data-error-summary")]
