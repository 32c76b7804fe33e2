"""The demo's same-day supply: dozens of professionals of several professions publishing
slots over the next two weeks, through the same-day services, deterministic, and
idempotent when the demo is built again (the same day, or days later)."""

import datetime
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from maillage.core.models import AuditEvent, Membership
from maillage.demo.builder import DEFAULT_SEED, build_demo
from maillage.demo.supply import SUPPLY_DAYS, day_plan, publishers
from maillage.directory.models import DirectoryEntry
from maillage.same_day_care.models import Slot

pytestmark = pytest.mark.django_db


def _local_dates(slots):
    return {timezone.localtime(s.start).date() for s in slots}


def _duplicates():
    return Slot.objects.values("professional", "start").annotate(n=Count("id")).filter(n__gt=1)


def test_dozens_of_professionals_of_several_professions_publish_slots(home_cpts, other_cpts):
    slots = Slot.objects.for_cpts(home_cpts)
    professionals = slots.values("professional").distinct().count()
    assert professionals >= 30
    per_profession = Counter(
        slots.values_list("profession_code", "professional").distinct().values_list(
            "profession_code", flat=True)
    )  # fmt: skip
    assert per_profession["10"] >= 12  # GPs
    assert per_profession["60"] >= 5  # nurses, at home
    assert {"21", "40", "50", "70"} <= set(per_profession)
    assert slots.filter(profession_code="60", mode="home").exists()
    assert slots.filter(kind="sas").exists() and slots.filter(kind="cpts").exists()
    assert slots.filter(mode="tele").exists()
    assert Slot.objects.for_cpts(other_cpts).values("professional").distinct().count() >= 12


def test_slots_cover_the_next_two_weeks_from_tomorrow(home_cpts):
    today = timezone.localdate()
    days = _local_dates(Slot.objects.for_cpts(home_cpts))
    # The demo was built when the session started: at most a day earlier than now.
    assert min(days) >= today and max(days) <= today + datetime.timedelta(days=SUPPLY_DAYS)
    assert len(days) >= 12  # every day but, perhaps, a Sunday or two
    for slot in Slot.objects.for_cpts(home_cpts):
        local = timezone.localtime(slot.start)
        assert 7 <= local.hour and timezone.localtime(slot.end).time() <= datetime.time(20)


def test_each_slot_belongs_to_a_member_linked_to_a_directory_entry_of_that_profession(
    home_cpts,
):
    entries = {
        e.account_id: e.professional.profession_code
        for e in DirectoryEntry.objects.filter(cpts=home_cpts, account__isnull=False)
        .select_related("professional")
    }  # fmt: skip
    members = set(
        Membership.objects.filter(cpts=home_cpts, archived_at__isnull=True).values_list(
            "user_id", flat=True)
    )  # fmt: skip
    pairs = Slot.objects.for_cpts(home_cpts).values_list("professional_id", "profession_code")
    for user_id, profession in pairs.distinct():
        assert user_id in members
        assert entries.get(user_id) == profession


def test_slots_were_published_through_the_same_day_service(home_cpts):
    """publish_slots audits each publication in the professional's name."""
    publishing = set(Slot.objects.for_cpts(home_cpts).values_list("professional_id", flat=True))
    audited = set(
        AuditEvent.objects.filter(cpts=home_cpts, action="snp.slots_publish").values_list(
            "actor_id", flat=True)
    )  # fmt: skip
    assert publishing <= audited


def test_the_slots_are_those_of_the_deterministic_plan(home_cpts):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    checked = 0
    for publisher in publishers(home_cpts)[:12]:
        for offset in range(SUPPLY_DAYS):
            day = tomorrow + datetime.timedelta(days=offset)
            plan = day_plan(publisher, day, seed=DEFAULT_SEED)
            assert plan == day_plan(publisher, day, seed=DEFAULT_SEED)
            stored = sorted(
                (s.start, s.end, s.kind, s.mode)
                for s in Slot.objects.filter(professional=publisher.user)
                if timezone.localtime(s.start).date() == day
            )  # fmt: skip
            assert stored == sorted(plan), (publisher.user.email, day)
            checked += len(plan)
    assert checked > 50
    other = day_plan(publishers(home_cpts)[0], tomorrow, seed="another-seed")
    assert other != day_plan(publishers(home_cpts)[0], tomorrow, seed=DEFAULT_SEED) or not other


def test_building_again_the_same_day_adds_no_slot_and_no_duplicate(home_cpts):
    before = Slot.objects.count()
    build_demo()
    assert Slot.objects.count() == before
    assert not _duplicates().exists()


def test_building_days_later_adds_only_the_missing_days_at_the_end(home_cpts):
    today = timezone.localdate()
    before = set(Slot.objects.values_list("pk", flat=True))
    build_demo(today=today + datetime.timedelta(days=3))
    added = Slot.objects.exclude(pk__in=before)
    assert added.exists()
    end = today + datetime.timedelta(days=SUPPLY_DAYS)
    assert _local_dates(added) <= {end + datetime.timedelta(days=n) for n in (1, 2, 3)}
    assert not _duplicates().exists()
    count = Slot.objects.count()
    build_demo(today=today + datetime.timedelta(days=3))
    assert Slot.objects.count() == count


def test_a_day_the_professional_changed_is_not_filled_again(home_cpts):
    """A withdrawn or booked slot marks the day as theirs: nothing is added back."""
    from maillage.same_day_care.services import withdraw_slot

    publisher = publishers(home_cpts)[0]
    mine = Slot.objects.filter(professional=publisher.user).order_by("start")
    day = timezone.localtime(mine.first().start).date()
    for slot in [s for s in mine if timezone.localtime(s.start).date() == day]:
        withdraw_slot(slot=slot, actor=publisher.user)
    before = Slot.objects.count()
    build_demo()
    assert Slot.objects.count() == before
    statuses = {
        s.status
        for s in Slot.objects.filter(professional=publisher.user)
        if timezone.localtime(s.start).date() == day
    }
    assert statuses == {"withdrawn"}
