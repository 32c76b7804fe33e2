"""Inside a batch, indicators resting on one computation share it; outside, nothing is
kept (a figure is never stale)."""

from maillage.core import indicators


def test_a_shared_computation_runs_once_per_batch_and_again_outside():
    calls = []

    def expensive():
        calls.append(1)
        return {"screened": 3}

    with indicators.batch():
        assert indicators.shared(("k", 1), expensive) == {"screened": 3}
        with indicators.batch():  # nested: the same batch
            indicators.shared(("k", 1), expensive)
        indicators.shared(("k", 2), expensive)
    assert len(calls) == 2
    indicators.shared(("k", 1), expensive)
    indicators.shared(("k", 1), expensive)
    assert len(calls) == 4
