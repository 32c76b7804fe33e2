"""The demo's contact tree and resources (crisis/demo_contacts.py): members and eight
outside contacts, a cell of about eight, three sites, six stocks with one below its
minimum; built again, nothing is added or changed."""

import pytest

from maillage.crisis import demo_contacts
from maillage.crisis.models import Contact, Site, Stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty(db):
    Contact.objects.all().delete()
    Stock.objects.all().delete()
    Site.objects.all().delete()


def _snapshot(cpts):
    return (sorted(Contact.objects.filter(cpts=cpts).values_list("name", "in_cell", "mobile")),
            sorted(Site.objects.filter(cpts=cpts).values_list("name", "capacity")),
            sorted(Stock.objects.filter(cpts=cpts).values_list("item", "quantity")))  # fmt: skip


def test_the_demo_fills_the_tree_and_the_resources_once(home_cpts, coordinator):
    demo_contacts.build(home_cpts, coordinator)
    outside = Contact.objects.filter(cpts=home_cpts).exclude(category="member")
    assert outside.count() == 8
    assert {"hospital", "ehpad", "town_hall", "centre_15", "fire", "civil_protection",
            "ars"} == set(outside.values_list("category", flat=True))  # fmt: skip
    assert Contact.objects.filter(cpts=home_cpts, category="member", account=coordinator,
                                  in_cell=True).exists()  # fmt: skip
    assert 7 <= Contact.objects.filter(cpts=home_cpts, in_cell=True).count() <= 10
    assert Contact.objects.filter(cpts=home_cpts, skills__code="vaccinator").exists()
    assert Site.objects.filter(cpts=home_cpts).count() == 3
    stocks = Stock.objects.filter(cpts=home_cpts)
    assert stocks.count() == 6
    assert [s.item for s in stocks if s.quantity < s.minimum] == ["Vaccins grippe"]
    assert stocks.get(item="Vaccins grippe").below_minimum_since is not None
    before = _snapshot(home_cpts)
    demo_contacts.build(home_cpts, coordinator)
    assert _snapshot(home_cpts) == before


def test_the_demo_keeps_what_was_edited_since(home_cpts, coordinator):
    demo_contacts.build(home_cpts, coordinator)
    Contact.objects.filter(cpts=home_cpts, account=coordinator).update(in_cell=False)
    Stock.objects.filter(cpts=home_cpts, item="Gants nitrile").update(quantity=3)
    demo_contacts.build(home_cpts, coordinator)
    assert not Contact.objects.get(cpts=home_cpts, account=coordinator).in_cell
    assert Stock.objects.get(cpts=home_cpts, item="Gants nitrile").quantity == 3
