"""Stocks: figures never below zero nor absurdly large (form, model and database); saving
or "Confirmer" moves the confirmation, the page says "confirmé il y a N jours" and warns
past 90 days; crossing below the minimum notifies the coordinators once per crossing;
below-minimum stocks come first, flagged in words; the home card; permissions and tenant
isolation."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core import home
from maillage.core.models import AuditEvent, Membership
from maillage.crisis import resources
from maillage.crisis.models import Site, Stock
from maillage.notifications.models import Notification
from maillage.territory.models import Commune
from tests.utils import text

pytestmark = pytest.mark.django_db
SLUG = "pays-berjalliens"


@pytest.fixture(autouse=True)
def _no_resources(db):
    """Start without stocks and sites, whatever the demo built."""
    Stock.objects.all().delete()
    Site.objects.all().delete()


def _url(name, *args):
    return reverse(f"crisis:{name}", args=[SLUG, *args])


def _save(cpts, actor, stock=None, **data):
    values = {"item": "Masques FFP2", "unit": "boîtes", "quantity": 50, "minimum": 10,
              "holder": "Pharmacie du centre", "site": None, **data}  # fmt: skip
    return resources.stock_save(cpts=cpts, actor=actor, data=values, stock=stock)


def _alerts():
    return Notification.objects.filter(kind="crisis.stock")


@pytest.mark.parametrize("field", ["quantity", "minimum"])
@pytest.mark.parametrize("value, message", [
    ("-1", "Un nombre négatif n'a pas de sens"),
    ("10000001", "Nombre trop grand"),
    ("9" * 40, "Nombre trop grand"),
    ("douze", "Indiquez un nombre entier"),
])  # fmt: skip
def test_bad_figures_are_refused_with_a_clear_message(client_for, coordinator, home_cpts,
                                                      field, value, message):  # fmt: skip
    data = {"item": "Oxygène", "unit": "bouteilles", "quantity": "5", "minimum": "2",
            "holder": "Mairie", field: value}  # fmt: skip
    response = client_for(coordinator).post(_url("stock_new"), data)
    assert response.status_code == 400
    assert message in text(response)
    assert not Stock.objects.filter(cpts=home_cpts).exists()


def test_the_service_and_the_database_refuse_a_stock_below_zero(home_cpts, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _save(home_cpts, coordinator, quantity=-3)
    assert "quantity" in caught.value.message_dict
    stock = _save(home_cpts, coordinator)
    for values in ({"quantity": -1}, {"minimum": -1}, {"quantity": 20_000_000}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Stock.objects.filter(pk=stock.pk).update(**values)
    stock.refresh_from_db()
    assert stock.quantity == 50


def test_crossing_below_the_minimum_notifies_the_coordinators_once(home_cpts, coordinator,
                                                                    run_jobs):  # fmt: skip
    stock = _save(home_cpts, coordinator)
    assert not _alerts().exists() and stock.below_minimum_since is None
    stock = _save(home_cpts, coordinator, stock=stock, quantity=8)
    assert stock.below_minimum_since is not None
    coordinators = set(Membership.objects.active().filter(cpts=home_cpts, role="coordinator")
                       .values_list("user", flat=True))  # fmt: skip
    assert set(_alerts().values_list("recipient", flat=True)) == coordinators
    alert = _alerts().first()
    assert "Masques FFP2" in alert.subject and "8 boîtes" in alert.body
    run_jobs()
    # Still below: no second message.
    _save(home_cpts, coordinator, stock=stock, quantity=3)
    resources.stock_confirm(stock=stock, actor=coordinator)
    assert _alerts().count() == len(coordinators)
    # Back at the minimum clears the mark; the next crossing notifies again.
    stock = _save(home_cpts, coordinator, stock=stock, quantity=10)
    assert stock.below_minimum_since is None
    _save(home_cpts, coordinator, stock=stock, quantity=9)
    assert _alerts().count() == 2 * len(coordinators)


def test_raising_the_minimum_above_the_quantity_is_a_crossing_too(home_cpts, coordinator):
    stock = _save(home_cpts, coordinator, quantity=50, minimum=10)
    _save(home_cpts, coordinator, stock=stock, minimum=60)
    assert _alerts().exists()


def test_another_cpts_coordinator_is_not_told(home_cpts, coordinator, outsider):
    _save(home_cpts, coordinator, quantity=1)
    assert not _alerts().filter(recipient=outsider).exists()


def test_confirming_moves_the_date_and_never_the_figures(client_for, coordinator, home_cpts):
    stock = _save(home_cpts, coordinator, quantity=42)
    Stock.objects.filter(pk=stock.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=120), confirmed_by=None
    )
    client = client_for(coordinator)
    body = text(client.get(_url("stocks")))
    assert "confirmé il y a 120 jours" in body and "À vérifier" in body
    response = client.post(_url("stock_confirm", stock.public_id))
    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.quantity == 42 and stock.minimum == 10
    assert timezone.now() - stock.confirmed_at < datetime.timedelta(minutes=1)
    assert stock.confirmed_by == coordinator
    body = text(client.get(_url("stocks")))
    assert "confirmé aujourd'hui" in body and "À vérifier" not in body
    assert AuditEvent.objects.filter(action="crisis.stock_confirm").exists()


@pytest.mark.parametrize("days, label, stale", [
    (0, "confirmé aujourd'hui", False), (1, "confirmé hier", False),
    (12, "confirmé il y a 12 jours", False), (90, "confirmé il y a 90 jours", False),
    (91, "confirmé il y a 91 jours", True),
])  # fmt: skip
def test_freshness_says_how_old_a_figure_is(days, label, stale):
    now = timezone.now()
    found = resources.freshness(now - datetime.timedelta(days=days), now)
    assert found.label == label and found.stale is stale


def test_stocks_below_their_minimum_come_first_flagged_in_words(client_for, coordinator,
                                                                home_cpts):  # fmt: skip
    _save(home_cpts, coordinator, item="Aiguilles", quantity=500, minimum=100)
    _save(home_cpts, coordinator, item="Vaccins", quantity=2, minimum=20)
    body = text(client_for(coordinator).get(_url("stocks")))
    assert body.index("Vaccins") < body.index("Aiguilles")
    flagged = body.split("Vaccins", 1)[1].split("</li>", 1)[0]
    assert "Sous le minimum" in flagged
    assert "Sous le minimum" not in body.split("Aiguilles", 1)[1].split("</li>", 1)[0]


def test_the_page_form_saves_a_stock_on_a_site_of_the_cpts(client_for, coordinator, home_cpts,
                                                           other_cpts):  # fmt: skip
    bourgoin = Commune.objects.get(code="38053")
    site = Site.objects.create(cpts=home_cpts, name="Gymnase", commune=bourgoin)
    theirs = Site.objects.create(cpts=other_cpts, name="Leur salle", commune=bourgoin)
    client = client_for(coordinator)
    data = {"item": "Groupe électrogène", "unit": "", "quantity": "1", "minimum": "1",
            "holder": "Mairie"}  # fmt: skip
    response = client.post(_url("stock_new"), {**data, "site": str(theirs.public_id)})
    assert response.status_code == 400 and "Lieu inconnu" in text(response)
    response = client.post(_url("stock_new"), {**data, "site": str(site.public_id)})
    assert response.status_code == 302
    stock = Stock.objects.get(cpts=home_cpts)
    assert stock.site == site and stock.confirmed_by == coordinator


def test_the_home_card_lists_stocks_below_minimum_and_stale_figures(home_cpts, coordinator,
                                                                    nurse):  # fmt: skip
    _save(home_cpts, coordinator, item="Vaccins", quantity=2, minimum=20)
    old = _save(home_cpts, coordinator, item="Gants")
    Stock.objects.filter(pk=old.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=100)
    )
    membership = Membership.objects.get(cpts=home_cpts, user=coordinator)
    [card] = [c for c in home.cards_for(membership) if c.name == "crisis.resources"]
    assert card.count == 2
    assert [i.label for i in card.items] == ["⚠ Vaccins : 2 boîtes"]
    assert card.figures[0].value == 1
    nurse_membership = Membership.objects.get(cpts=home_cpts, user=nurse)
    assert "crisis.resources" not in [c.name for c in home.cards_for(nurse_membership)]


def test_the_home_card_stays_away_without_resources(home_cpts, coordinator):
    membership = Membership.objects.get(cpts=home_cpts, user=coordinator)
    assert "crisis.resources" not in [c.name for c in home.cards_for(membership)]


def test_permissions_and_tenant_isolation(client_for, coordinator, board_member, nurse,
                                          home_cpts, other_cpts, outsider):  # fmt: skip
    ours = _save(home_cpts, coordinator)
    theirs = _save(other_cpts, outsider, item="Leur stock")
    client = client_for(coordinator)
    for name in ("stock", "stock_confirm", "stock_archive"):
        assert client.post(_url(name, theirs.public_id)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None and theirs.confirmed_by == outsider
    board = client_for(board_member)
    body = text(board.get(_url("stocks")))
    assert "Masques FFP2" in body and "Leur stock" not in body
    assert _url("stock", ours.public_id) not in body and "Confirmer" not in body
    assert board.post(_url("stock_confirm", ours.public_id)).status_code == 404
    assert board.get(_url("stock_new")).status_code == 404
    assert client_for(nurse).get(_url("stocks")).status_code == 404


def test_archiving_a_stock_takes_it_off_the_list(client_for, coordinator, home_cpts):
    stock = _save(home_cpts, coordinator)
    client = client_for(coordinator)
    response = client.post(_url("stock_archive", stock.public_id), follow=True)
    assert "Stock archivé : Masques FFP2" in text(response)
    assert "Masques FFP2" not in text(client.get(_url("stocks")))
