"""The demo register: six people from the demo patients, each with consent, criteria and
a referent; building it again adds nothing."""

import pytest

from maillage.crisis import demo_register
from maillage.crisis.models import VulnerablePerson

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_built_once(home_cpts, coordinator, gp, nurse):
    added = demo_register.build(home_cpts, coordinator, [gp, nurse])
    assert len(added) == 6
    assert {p.referent for p in added} == {gp, nurse}
    assert all(p.criteria.exists() and p.consent_on for p in added)
    assert demo_register.build(home_cpts, coordinator, [gp, nurse]) == []
    assert VulnerablePerson.objects.filter(cpts=home_cpts).count() == 6
