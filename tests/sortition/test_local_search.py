"""LocalSearch.improve: every move is the best feasible one-for-one swap (checked against all swaps)."""

import numpy as np
import pytest
from sortition_cases import random_case

from minipublic.sortition import _model, family_pool, pool_from_frame, quotas_from_frame
from minipublic.sortition._model import LocalSearch, PanelSolver, build_instance, composition_ok


def _best_swap(inst, c, w):
    """The swap of largest gain over every (out, in) pair that keeps the panel feasible."""
    best, best_c = 1e-13, None
    for t in np.nonzero(c > 0)[0]:
        for s in np.nonzero(c < inst.type_size)[0]:
            gain = w[s] - w[t]
            if gain <= best:
                continue
            trial = c.copy()
            trial[t] -= 1
            trial[s] += 1
            if composition_ok(inst, trial):
                best, best_c = gain, trial
    return best_c


def _walk(inst, c, w, moves):
    """Up to ``moves`` best-improvement swaps by brute force."""
    for _ in range(moves):
        if (nxt := _best_swap(inst, c, w)) is None:
            break
        c = nxt
    return c


def _check(inst, seed, moves=50):
    rng = np.random.default_rng(seed)
    solver = PanelSolver(inst)
    start, _ = solver.maximise(rng.uniform(0.0, 1.0, inst.T))
    if start is None:
        pytest.skip("random case has no feasible panel")
    search = LocalSearch(inst)
    for _ in range(5):
        w = rng.normal(size=inst.T)  # continuous: no ties between gains
        ours = search.improve(start, w, max_moves=moves)
        assert composition_ok(inst, ours)
        np.testing.assert_array_equal(ours, _walk(inst, start, w, moves))


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("households", [False, True])
def test_improve_takes_the_best_swap_each_move(seed, households):
    people, quotas, k = random_case(seed, households=households)
    pool = pool_from_frame(people, household_columns="address" if households else None)
    _check(build_instance(pool, quotas_from_frame(quotas), k), seed)


@pytest.mark.parametrize("packed", [True, False])
@pytest.mark.parametrize("family", ["eight", "households"])
def test_improve_is_exact_on_hundreds_of_types(family, packed, monkeypatch):
    """With the packed feature mismatches and with the per-feature test they replace."""
    if not packed:
        monkeypatch.setattr(_model, "MISMATCH_TYPES", 0)
    sp, households = family_pool(family, 300, 20)
    inst = build_instance(sp.pool(households=households), sp.quota_set(), 20)
    assert inst.T > 200
    assert (LocalSearch(inst).mismatch is not None) == packed
    _check(inst, 0, moves=6)
