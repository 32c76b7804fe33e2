"""The quick capacity buttons: their accessible name starts with the text they show
(WCAG 2.5.3, label in name), so "+ 1" said by a voice-control user presses "+ 1"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_plus_and_minus_buttons_are_named_by_their_visible_text(client_for, gp):
    from maillage.gp_access.models import GpCapacity

    assert GpCapacity.objects.filter(gp=gp).exists()
    page = client_for(gp).get(reverse("gp_access:capacity", args=["pays-berjalliens"]))
    html = page.content.decode()
    for value, shown in (("less", "− 1"), ("more", "+ 1")):
        button = re.search(rf'<button[^>]*value="{value}"[^>]*>(.*?)</button>', html, re.S)
        assert button, value
        assert "aria-label" not in button.group(0)
        name = re.sub(r"<[^>]+>", "", button.group(1))
        assert name.startswith(shown) and "patient par mois" in name
