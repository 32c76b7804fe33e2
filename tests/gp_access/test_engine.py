"""The proposal engine against a brute-force optimum, and the rules it must keep.

Pure tests: no database. The objective is lexicographic: first the sum of `value` of the
patients placed (priority score, then waiting time), then the smallest secondary cost
(distance units plus load-spreading cost), always within capacities and GP limits.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from maillage.directory.diagnostic import haversine_km
from maillage.gp_access import engine
from maillage.gp_access.engine import Candidate, Match, Offer

# Bourgoin-Jallieu; 0.18° of latitude and 0.25° of longitude are about 20 km there.
LAT, LON = 45.586, 5.274
SCORES = (0, 1, 2, 64, 96)


def distance(candidate: Candidate, offer: Offer) -> float:
    return float(haversine_km(candidate.latitude, candidate.longitude, offer.latitude,
                              offer.longitude))  # fmt: skip


def brute_force(candidates, offers, default_max_km):
    """Every assignment (each patient to nothing or to an eligible GP with room left), the
    best by (sum of values, then the smallest secondary cost)."""
    options = []
    for c in candidates:
        row = []
        for o in offers:
            d = distance(c, o)
            if engine.eligible(c, o, d, default_max_km):
                row.append((o, d))
        options.append(row)
    best = (0, 0)  # (value, -secondary cost) of placing nobody
    remaining = {o.key: o.capacity for o in offers}
    chosen: list[Match] = []

    def explore(index: int, value: int):
        nonlocal best
        if index == len(candidates):
            score = (value, -engine.secondary_cost(chosen, candidates, offers))
            best = max(best, score)
            return
        explore(index + 1, value)  # not placed
        candidate = candidates[index]
        for offer, d in options[index]:
            if remaining[offer.key] > 0:
                remaining[offer.key] -= 1
                chosen.append(Match(candidate.key, offer.key, d))
                explore(index + 1, value + candidate.value)
                chosen.pop()
                remaining[offer.key] += 1

    explore(0, 0)
    return best[0], -best[1]


def check_feasible(result, candidates, offers, default_max_km):
    by_key_c = {c.key: c for c in candidates}
    by_key_o = {o.key: o for o in offers}
    placed = [m.candidate for m in result.matches]
    assert len(placed) == len(set(placed)), "a patient is proposed twice"
    load: dict[int, int] = {}
    for m in result.matches:
        c, o = by_key_c[m.candidate], by_key_o[m.offer]
        assert abs(m.distance_km - distance(c, o)) < 1e-6
        assert engine.eligible(c, o, distance(c, o), default_max_km), (c, o)
        load[o.key] = load.get(o.key, 0) + 1
    for key, n in load.items():
        assert n <= by_key_o[key].capacity, f"GP {key} over capacity"
    # The result's own figures are those of its matches.
    assert result.value == sum(by_key_c[k].value for k in placed)
    assert result.secondary_cost == engine.secondary_cost(result.matches, candidates, offers)


# Random small instances ----------------------------------------------------------------


POINT = st.tuples(st.floats(LAT, LAT + 0.18), st.floats(LON, LON + 0.25))


@st.composite
def instances(draw):
    """Up to 6 patients and 3 GPs. Sizes, capacities and limits come from lists that start
    with the non-trivial values (Hypothesis favours the first ones; empty instances are
    tested below), so that most instances are crowded and leave choices to make."""
    # Shared places make ties that only the load-spreading cost decides, and patients of
    # the same place and age band share a class node in the engine.
    places = [draw(POINT) for _ in range(draw(st.sampled_from((2, 1, 3))))]
    place = st.one_of(st.sampled_from(places), POINT)
    practice = st.one_of(st.sampled_from(places), st.sampled_from(places), POINT)
    min_age = st.one_of(st.none(), st.none(), st.sampled_from((16, 18, 60)), st.integers(0, 100))
    max_age = st.one_of(st.none(), st.none(), st.sampled_from((17, 70, 90)), st.integers(0, 100))
    max_km = st.one_of(st.none(), st.integers(3, 25), st.floats(0, 25))
    candidates = []
    for key in range(draw(st.sampled_from((6, 5, 4, 3, 2, 1, 6, 6)))):
        lat, lon = draw(place)
        candidates.append(Candidate(
            key=100 + key, score=draw(st.sampled_from(SCORES)),
            waiting_days=draw(st.integers(0, 400)), age=draw(st.integers(0, 100)),
            latitude=lat, longitude=lon,
            needs_home_visits=draw(st.sampled_from((False, False, True))),
        ))  # fmt: skip
    offers = []
    for key in range(draw(st.sampled_from((3, 2, 1, 3)))):
        lat, lon = draw(practice)
        offers.append(Offer(
            key=900 + key, capacity=draw(st.sampled_from((1, 2, 3, 0, 1, 2))),
            latitude=lat, longitude=lon, max_distance_km=draw(max_km),
            min_age=draw(min_age), max_age=draw(max_age), home_visits=draw(st.booleans()),
        ))  # fmt: skip
    default_max_km = draw(st.sampled_from((10.0, 30.0, 30.0)))
    return candidates, offers, default_max_km


@settings(max_examples=150, deadline=None)
@given(instances())
def test_solution_is_the_brute_force_optimum(instance):
    candidates, offers, default_max_km = instance
    result = engine.solve(candidates, offers, default_max_km=default_max_km)
    check_feasible(result, candidates, offers, default_max_km)
    best_value, best_secondary = brute_force(candidates, offers, default_max_km)
    assert result.value == best_value
    assert result.secondary_cost == best_secondary


# The rules, one by one -------------------------------------------------------------------


def patient(key, *, score=0, waiting=0, age=40, at=(LAT, LON), home=False):
    return Candidate(key=key, score=score, waiting_days=waiting, age=age, latitude=at[0],
                     longitude=at[1], needs_home_visits=home)  # fmt: skip


def gp(key, *, capacity=1, at=(LAT, LON), **limits):
    return Offer(key=key, capacity=capacity, latitude=at[0], longitude=at[1], **limits)


def placed(result) -> set[int]:
    return {m.candidate for m in result.matches}


def test_ald_patient_gets_the_last_place_before_a_non_priority_one():
    ald, other = patient(1, score=64, waiting=0), patient(2, score=0, waiting=400)
    result = engine.solve([other, ald], [gp(10, capacity=1)])
    assert placed(result) == {1}


def test_equal_scores_the_longer_waiting_patient_is_placed():
    recent, older = patient(1, score=64, waiting=10), patient(2, score=64, waiting=200)
    result = engine.solve([recent, older], [gp(10, capacity=1)])
    assert placed(result) == {2}


def test_priority_beats_distance():
    near, far = (LAT, LON), (LAT + 0.1, LON)  # about 11 km apart
    result = engine.solve(
        [patient(1, score=0, at=near), patient(2, score=1, at=far)], [gp(10, at=near)]
    )
    assert placed(result) == {2}


def test_equal_patients_the_nearer_one_is_placed():
    near, far = (LAT + 0.01, LON), (LAT + 0.1, LON)
    result = engine.solve([patient(1, at=far), patient(2, at=near)], [gp(10)])
    assert placed(result) == {2}


def test_load_is_spread_between_two_equally_near_gps():
    patients = [patient(1), patient(2)]
    result = engine.solve(patients, [gp(10, capacity=2), gp(11, capacity=2)])
    assert len(result.matches) == 2
    assert {m.offer for m in result.matches} == {10, 11}


def test_gp_maximum_distance_is_respected():
    far = patient(1, at=(LAT + 0.09, LON))  # about 10 km
    assert engine.solve([far], [gp(10, max_distance_km=5)]).matches == []
    assert placed(engine.solve([far], [gp(10, max_distance_km=15)])) == {1}


def test_default_maximum_distance_applies_without_a_gp_limit():
    far = patient(1, at=(LAT + 0.09, LON))
    assert engine.solve([far], [gp(10)], default_max_km=5).matches == []
    assert placed(engine.solve([far], [gp(10)], default_max_km=30)) == {1}


def test_gp_age_limits_are_respected():
    child, adult, elder = patient(1, age=10), patient(2, age=40), patient(3, age=80)
    result = engine.solve([child, adult, elder], [gp(10, capacity=3, min_age=18, max_age=70)])
    assert placed(result) == {2}
    limits_inclusive = engine.solve(
        [patient(4, age=18), patient(5, age=70)], [gp(10, capacity=2, min_age=18, max_age=70)]
    )
    assert placed(limits_inclusive) == {4, 5}


def test_gp_refusing_home_visits_gets_no_patient_who_needs_them():
    housebound = patient(1, score=96, home=True)
    assert engine.solve([housebound], [gp(10, home_visits=False)]).matches == []
    assert placed(engine.solve([housebound], [gp(10, home_visits=True)])) == {1}
    # A GP who visits at home also takes patients who come to the practice.
    assert placed(engine.solve([patient(2)], [gp(10, home_visits=True)])) == {2}


def test_zero_capacity_gives_no_proposal():
    result = engine.solve([patient(1), patient(2)], [gp(10, capacity=0)])
    assert result.matches == []
    assert result.value == 0


def test_no_gp_or_no_patient_gives_no_proposal():
    assert engine.solve([patient(1)], []).matches == []
    assert engine.solve([], [gp(10)]).matches == []


def test_capacity_is_never_exceeded():
    patients = [patient(k, score=96) for k in range(10)]
    result = engine.solve(patients, [gp(10, capacity=3), gp(11, capacity=2)])
    assert len(result.matches) == 5
    check_feasible(result, patients, [gp(10, capacity=3), gp(11, capacity=2)], 30.0)
