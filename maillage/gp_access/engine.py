"""The proposal engine: which waiting patient to propose to which volunteer GP.

An exact min-cost flow (OR-Tools) over the graph

    patient --(1 place, cost -value*SCALE + distance)--> GP --(unit arcs, rising cost)--> sink
    patient --(cost 0: not placed this time)-----------------------------------------> sink

so that, lexicographically:
1. the priority-weighted number of patients placed is maximal (`value` grows with the
   priority score, and with the waiting time to break ties between equal scores);
2. then the total distance plus the load-spreading cost is minimal: the k-th patient of
   a GP costs more than the (k-1)-th (proportionally to the GP's capacity), so the load
   is spread fairly instead of filling the nearest GP first.
Arcs exist only where the GP's limits allow (distance, age group, home visits).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from maillage.directory.diagnostic import haversine_km

DISTANCE_UNIT_KM = 0.1  # distances are integer tenths of a kilometre in the costs
FAIRNESS_UNIT = 20  # cost of filling a GP completely, in distance units (2 km)
WAITING_CAP_DAYS = 9_999


@dataclass(frozen=True)
class Candidate:
    """A waiting patient."""

    key: int
    score: int
    waiting_days: int
    age: int
    latitude: float
    longitude: float
    needs_home_visits: bool = False

    @property
    def value(self) -> int:
        """Priority weight of placing this patient: the score first, then waiting time."""
        return (1 + self.score) * (WAITING_CAP_DAYS + 1) + min(self.waiting_days, WAITING_CAP_DAYS)


@dataclass(frozen=True)
class Offer:
    """A GP's remaining capacity and limits."""

    key: int
    capacity: int
    latitude: float
    longitude: float
    max_distance_km: float | None = None
    min_age: int | None = None
    max_age: int | None = None
    home_visits: bool = False


@dataclass(frozen=True)
class Match:
    candidate: int
    offer: int
    distance_km: float


@dataclass(frozen=True)
class Result:
    matches: list[Match]
    value: int  # sum of `value` of placed patients (the primary objective)
    secondary_cost: int  # distance units + load-spreading cost (the secondary objective)
    arcs: int


def eligible(candidate: Candidate, offer: Offer, distance_km: float, default_max_km: float):
    limit = offer.max_distance_km if offer.max_distance_km is not None else default_max_km
    if distance_km > limit:
        return False
    if offer.min_age is not None and candidate.age < offer.min_age:
        return False
    if offer.max_age is not None and candidate.age > offer.max_age:
        return False
    return not (candidate.needs_home_visits and not offer.home_visits)


def fairness_costs(capacity: int) -> list[int]:
    """Cost of the 1st, 2nd... patient of a GP: convex, proportional to the load."""
    return [round(FAIRNESS_UNIT * k / capacity) for k in range(capacity)]


def distance_units(distance_km: float) -> int:
    return round(distance_km / DISTANCE_UNIT_KM)


def _age_band(age: int, thresholds: list[int]) -> int:
    return sum(1 for t in thresholds if age >= t)


def solve(
    candidates: Sequence[Candidate], offers: Sequence[Offer], *, default_max_km: float = 30.0
) -> Result:
    """Exact solution. Patients who live in the same place, need the same kind of visit and
    fall in the same age band of every GP's limits are interchangeable for the GPs: they
    share one "class" node, which keeps the graph small (classes x GPs arcs instead of
    patients x GPs) without changing the optimum."""
    offers = [o for o in offers if o.capacity > 0]
    if not candidates or not offers:
        return Result([], 0, 0, 0)
    thresholds = sorted(
        {o.min_age for o in offers if o.min_age is not None}
        | {o.max_age + 1 for o in offers if o.max_age is not None}
    )
    classes: dict[tuple, list[int]] = {}
    for i, c in enumerate(candidates):
        key = (c.latitude, c.longitude, c.needs_home_visits, _age_band(c.age, thresholds))
        classes.setdefault(key, []).append(i)
    class_keys = list(classes)
    n, k, m = len(candidates), len(class_keys), len(offers)
    # Nodes: patients 0..n-1, classes n..n+k-1, GPs n+k..n+k+m-1, sink n+k+m.
    sink = n + k + m
    o_lat = np.array([o.latitude for o in offers])
    o_lon = np.array([o.longitude for o in offers])
    class_arcs = []  # (class index, offer index, distance)
    for ci, key in enumerate(class_keys):
        representative = candidates[classes[key][0]]
        row = haversine_km(key[0], key[1], o_lat, o_lon)
        for j in range(m):
            d = float(row[j])
            if eligible(representative, offers[j], d, default_max_km):
                class_arcs.append((ci, j, d))
    if not class_arcs:
        return Result([], 0, 0, 0)
    max_secondary = max(distance_units(d) for _, _, d in class_arcs)
    # One placement must outweigh any total of secondary costs.
    scale = (max_secondary + FAIRNESS_UNIT + 1) * (n + 1)
    reachable = {ci for ci, _, _ in class_arcs}
    starts, ends, caps, costs = [], [], [], []

    def arc(start, end, cap, cost):
        starts.append(start)
        ends.append(end)
        caps.append(cap)
        costs.append(cost)

    patient_arc = {}
    for ci, key in enumerate(class_keys):
        for i in classes[key]:
            if ci in reachable:
                patient_arc[len(starts)] = i
                arc(i, n + ci, 1, -candidates[i].value * scale)
            arc(i, sink, 1, 0)  # not placed this time
    first_class_arc = len(starts)
    for ci, j, d in class_arcs:
        arc(
            n + ci,
            n + k + j,
            min(len(classes[class_keys[ci]]), offers[j].capacity),
            distance_units(d),
        )
    for j, offer in enumerate(offers):
        for cost in fairness_costs(offer.capacity):
            arc(n + k + j, sink, 1, cost)

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
        np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64),
    )  # fmt: skip
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = flow.flows(arcs)
    placed_by_class: dict[int, list[int]] = {}
    value = 0
    for a, i in patient_arc.items():
        if flows[a]:
            placed_by_class.setdefault(ends[a] - n, []).append(i)
            value += candidates[i].value
    matches = []
    for offset, (ci, j, d) in enumerate(class_arcs):
        for _ in range(int(flows[first_class_arc + offset])):
            i = placed_by_class[ci].pop()
            matches.append(Match(candidates[i].key, offers[j].key, d))
    return Result(matches, value, secondary_cost(matches, candidates, offers), len(starts))


def _max_limit(offers) -> float:
    limits = [o.max_distance_km for o in offers if o.max_distance_km is not None]
    return max(limits, default=0.0)


def secondary_cost(matches, candidates, offers) -> int:
    """Distance units plus load-spreading cost of a set of matches (for comparisons with
    other solvers: the same function scores every solution)."""
    by_offer = {}
    total = 0
    for match in matches:
        total += distance_units(match.distance_km)
        by_offer[match.offer] = by_offer.get(match.offer, 0) + 1
    capacity = {o.key: o.capacity for o in offers}
    for key, load in by_offer.items():
        total += sum(fairness_costs(capacity[key])[:load])
    return total
