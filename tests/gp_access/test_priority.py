"""Priority scores from the CPTS's rules, explained in words."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.gp_access.models import DEFAULT_WEIGHTS, GpRequest
from maillage.gp_access.priority import priority
from maillage.gp_access.services import set_priority_weights

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)
WEIGHTS = {str(k): v for k, v in DEFAULT_WEIGHTS.items()}


class FakePatient:
    def __init__(self, born=datetime.date(1980, 1, 1), **flags):
        self.birth_date = born
        for name in (
            "ald",
            "c2s",
            "ame",
            "isolated",
            "disability",
            "pregnant",
            "chronic_treatment",
        ):
            setattr(self, name, flags.get(name, False))
        self.ald_detail = flags.get("ald_detail", "")

    def age(self, on):
        years = on.year - self.birth_date.year
        return years - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


def test_explanation_reads_like_the_coordinator_says_it():
    score, reasons = priority(FakePatient(born=datetime.date(1952, 3, 1), ald=True), WEIGHTS, TODAY)
    assert reasons == "ALD + 74 ans"
    assert score == DEFAULT_WEIGHTS["ald"] + DEFAULT_WEIGHTS["age70"]


def test_nothing_priority_gives_zero():
    assert priority(FakePatient(), WEIGHTS, TODAY) == (0, "")


flags = st.fixed_dictionaries(
    {
        name: st.booleans()
        for name in ("ald", "c2s", "ame", "isolated", "disability", "pregnant", "chronic_treatment")
    }
)


@given(flags, flags, st.booleans(), st.booleans())
def test_default_order_is_the_aci_order(a, b, old_a, old_b):
    """With the default weights a higher criterion beats any combination of lower ones."""
    pa = FakePatient(born=datetime.date(1940 if old_a else 1990, 1, 1), **a)
    pb = FakePatient(born=datetime.date(1940 if old_b else 1990, 1, 1), **b)
    order = ("ald", "age70", "precarity", "isolated", "disability", "pregnant", "chronic")

    def vector(p, old, f):
        return (
            f["ald"],
            old,
            f["c2s"] or f["ame"],
            f["isolated"],
            f["disability"],
            f["pregnant"],
            f["chronic_treatment"],
        )

    va, vb = vector(pa, old_a, a), vector(pb, old_b, b)
    sa, sb = priority(pa, WEIGHTS, TODAY)[0], priority(pb, WEIGHTS, TODAY)[0]
    assert (sa > sb) == (va > vb) and (sa == sb) == (va == vb)
    assert len(order) == 7


def test_cpts_rules_change_scores_of_open_requests(make_request, home_cpts, coordinator):
    ald = make_request(ald=True)
    c2s = make_request(c2s=True)
    assert ald.priority_score > c2s.priority_score
    set_priority_weights(cpts=home_cpts, actor=coordinator, weights={"ald": 1, "precarity": 100})
    ald, c2s = (GpRequest.objects.get(pk=r.pk) for r in (ald, c2s))
    assert c2s.priority_score > ald.priority_score
    assert c2s.priority_reasons == "C2S"
