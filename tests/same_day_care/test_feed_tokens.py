"""Private agenda feeds: a random address with no integer id, stored hashed, shown once;
its owner sees its last use and expiry, rotates and revokes it, all audited. A revoked,
expired, unknown or malformed token is a 404 that changes nothing."""

import datetime
import re

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from maillage.core.models import AuditEvent, Membership
from maillage.same_day_care import feeds, services
from maillage.same_day_care.models import CalendarFeedToken
from tests.utils import text

pytestmark = pytest.mark.django_db
HOME = "pays-berjalliens"
FEED_URL = re.compile(r"https?://[^\s<\"]+/snp/agenda/([A-Za-z0-9_-]+)\.ics")


def my_rota(home_cpts_slug=HOME):
    return reverse("same_day_care:my_rota", args=[home_cpts_slug])


def feed_path(raw):
    return reverse("same_day_care:ics_feed", args=[raw + ".ics"])


def create_from_the_page(client) -> tuple[str, object]:
    response = client.post(my_rota(), {"action": "feed_new"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = FEED_URL.search(text(response))
    assert match, "the new address is shown once"
    return match[1], response


def test_the_owner_creates_an_address_without_integer_id_stored_hashed(client_for, gp, client):
    raw, response = create_from_the_page(client_for(gp))
    assert "elle ne sera plus affichée" in text(response)
    assert len(raw) == 43 and not raw.isdigit()
    token = CalendarFeedToken.objects.get(user=gp)
    assert token.token_hash == CalendarFeedToken.hash(raw) and raw not in token.token_hash
    assert (token.expires_at - token.created_at).days == 365
    assert AuditEvent.objects.filter(action="snp.feed_create", object_id=token.public_id,
                                     actor=gp).exists()  # fmt: skip
    assert client.get(feed_path(raw)).status_code == 200
    page = text(client_for(gp).get(my_rota()))
    assert raw not in page  # never shown again
    assert "Dernière utilisation : le " in page and "valable jusqu'au" in page


def test_a_valid_read_updates_last_use_in_one_update_and_is_audited(
    client, gp, home_cpts, publish, snp_request, regulator, django_assert_max_num_queries
):
    services.book(slot=publish()[0], snp_request=snp_request(), actor=regulator)
    token, raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    assert token.last_used_at is None
    # token, membership, UPDATE, appointments, audit of the read, one row per patient shown
    with django_assert_max_num_queries(6):
        response = client.get(feed_path(raw))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 1 and "DURAND Léa" in str(events[0]["SUMMARY"])
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="snp.ics_feed", actor=gp,
                                     object_id=token.public_id).count() == 1  # fmt: skip
    shown = AuditEvent.objects.get(action="patient.list", actor=gp)
    assert shown.detail == {"via": "same_day_care.ics_feed"} and shown.patient is not None


def test_rotation_revokes_the_old_address_at_once(client_for, gp, client):
    owner = client_for(gp)
    old, _ = create_from_the_page(owner)
    new, _ = create_from_the_page(owner)
    assert old != new
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert CalendarFeedToken.objects.filter(user=gp, revoked_at__isnull=True).count() == 1
    rotation = AuditEvent.objects.get(action="snp.feed_rotate", actor=gp)
    assert rotation.detail["revoked"] == [
        str(CalendarFeedToken.objects.get(token_hash=CalendarFeedToken.hash(old)).public_id)
    ]


def test_the_owner_revokes_the_address(client_for, gp, client):
    owner = client_for(gp)
    raw, _ = create_from_the_page(owner)
    response = owner.post(my_rota(), {"action": "feed_revoke"})
    assert response.status_code == 302
    assert client.get(feed_path(raw)).status_code == 404
    assert AuditEvent.objects.filter(action="snp.feed_revoke", actor=gp).count() == 1
    again = owner.post(my_rota(), {"action": "feed_revoke"})
    assert again.status_code == 409 and "pas d'adresse d'agenda active" in text(again)
    assert "Créer mon adresse privée" in text(owner.get(my_rota()))


def _unchanged(token):
    before = (token.last_used_at, token.revoked_at, token.expires_at)
    token.refresh_from_db()
    return (token.last_used_at, token.revoked_at, token.expires_at) == before


def test_revoked_expired_unknown_or_malformed_tokens_are_404_and_change_nothing(
    client, gp, home_cpts
):
    expired, expired_raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    CalendarFeedToken.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired.refresh_from_db()
    reads = AuditEvent.objects.filter(action="snp.ics_feed").count()
    for raw in (expired_raw, "A" * 43, "faux", "x" * 300, "%2E%2E%2F", "é" * 43):
        assert client.get(f"/snp/agenda/{raw}.ics").status_code == 404, raw
    assert _unchanged(expired)
    revoked, revoked_raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)  # revokes `expired`
    feeds.revoke(cpts=home_cpts, user=gp, actor=gp)
    revoked.refresh_from_db()
    assert client.get(feed_path(revoked_raw)).status_code == 404
    assert _unchanged(revoked) and revoked.last_used_at is None
    assert AuditEvent.objects.filter(action="snp.ics_feed").count() == reads


def test_the_address_stops_with_the_membership(client, gp, home_cpts):
    _token, raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    Membership.objects.filter(user=gp, cpts=home_cpts).update(archived_at=timezone.now())
    assert client.get(feed_path(raw)).status_code == 404


def test_the_old_signed_addresses_no_longer_open_the_feed(client, gp, home_cpts):
    old_format = signing.dumps({"u": gp.pk, "c": home_cpts.pk}, salt="maillage-snp-feed",
                               compress=True)  # fmt: skip
    assert client.get(reverse("same_day_care:ics_feed", args=[old_format])).status_code == 404


def test_the_validity_follows_the_setting(gp, home_cpts, settings):
    settings.ICS_FEED_VALIDITY_DAYS = 30
    token, _raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    assert (token.expires_at - token.created_at) == datetime.timedelta(days=30)


def test_the_database_holds_one_live_address_per_person_and_cpts(gp, home_cpts):
    token, _raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeedToken.objects.create(cpts=home_cpts, user=gp, token_hash="0" * 64,
                                         expires_at=token.expires_at)  # fmt: skip


def test_an_expired_address_is_shown_as_expired_to_its_owner(client_for, gp, home_cpts):
    token, _raw = feeds.issue(cpts=home_cpts, user=gp, actor=gp)
    CalendarFeedToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert "expirée depuis le" in text(client_for(gp).get(my_rota()))
