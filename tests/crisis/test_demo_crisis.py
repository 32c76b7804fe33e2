"""The demo's crisis preparation (`make run`): built once, through the real services."""

import pytest

from maillage.crisis.models import Contact, PlanVersion, Stock, VulnerablePerson
from maillage.demo.builder import build_demo_crisis

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_approved_plan_a_tree_with_its_cell_and_a_register(home_cpts):
    build_demo_crisis()
    [version] = PlanVersion.objects.for_cpts(home_cpts)
    assert version.approved_by.email.startswith("bureau@")
    assert version.delivered_on is not None
    assert Contact.objects.for_cpts(home_cpts).active().filter(in_cell=True).count() >= 5
    members = Contact.objects.for_cpts(home_cpts).filter(account__isnull=False)
    assert members.filter(account__email__startswith="medecin@").exists()
    assert Stock.objects.for_cpts(home_cpts).exists()
    assert VulnerablePerson.objects.for_cpts(home_cpts).active().count() == 6


def test_building_the_demo_again_adds_nothing(home_cpts):
    build_demo_crisis()
    counts = (PlanVersion.objects.count(), Contact.objects.count(), Stock.objects.count(),
              VulnerablePerson.objects.count())  # fmt: skip
    build_demo_crisis()
    assert counts == (PlanVersion.objects.count(), Contact.objects.count(),
                      Stock.objects.count(), VulnerablePerson.objects.count())  # fmt: skip
