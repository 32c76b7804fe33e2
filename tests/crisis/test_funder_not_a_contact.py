"""A funder (CPAM, ARS contact) is a member of the CPTS's platform, not of its alert tree,
nor offered by the member pickers."""

import pytest

from maillage.crisis.contacts import sync_members
from maillage.crisis.models import Contact
from maillage.directory.pickers import SCOPES

pytestmark = pytest.mark.django_db


def test_syncing_the_members_leaves_the_funder_out_of_the_alert_tree(home_cpts, coordinator,
                                                                    funder, gp):  # fmt: skip
    sync_members(cpts=home_cpts, actor=coordinator)
    accounts = set(Contact.objects.filter(cpts=home_cpts, archived_at__isnull=True)
                   .values_list("account_id", flat=True))  # fmt: skip
    assert gp.pk in accounts
    assert funder.pk not in accounts


def test_the_member_picker_never_offers_a_funder(home_cpts, funder, coordinator):
    users = set(SCOPES["members"](home_cpts).values_list("user_id", flat=True))
    assert coordinator.pk in users
    assert funder.pk not in users
