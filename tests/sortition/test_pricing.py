"""The pricing building blocks of column generation: possible types and parallel LP pricing."""

import numpy as np
import pandas as pd
import pytest
from sortition_cases import brute_force_case, master_states, random_case
from sortition_oracle import feasible_panels

from minipublic.sortition import pool_from_frame, quotas_from_frame, synthetic_pool
from minipublic.sortition._leximin import initial_panels, possible_types
from minipublic.sortition._model import PanelSolver, RelaxedPricer, build_instance, composition_ok


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("households", [False, True])
def test_possible_types_match_brute_force(seed, households):
    """A type is impossible exactly when no feasible panel has one of its members."""
    _, pool, quotas, k, M = brute_force_case(seed, households=households)
    inst = build_instance(pool, quotas, k)
    solver = PanelSolver(inst)
    rng = np.random.default_rng(seed)
    panels = initial_panels(inst, solver, rng, rounds=1)
    impossible = possible_types(inst, solver, panels, rng)
    selectable = M.any(axis=0)  # per person
    for t in range(inst.T):
        members = np.nonzero(inst.person_type == t)[0]
        assert impossible[t] == (not selectable[members].any())
    # Every panel added is feasible, and together they cover every possible type.
    assert all(composition_ok(inst, c) for c in panels)
    covered = np.any([c > 0 for c in panels], axis=0)
    np.testing.assert_array_equal(covered, ~impossible)


def test_possible_types_finds_the_types_no_panel_can_hold():
    """No seat for the young: both young types are impossible, every other type is not."""
    people = pd.DataFrame(
        {
            "id": list("abcdef"),
            "age": ["young", "young", "old", "old", "old", "old"],
            "job": ["student", "worker", "student", "worker", "worker", "student"],
        }
    )
    quotas = pd.DataFrame(
        {
            "feature": ["age", "age", "job", "job"],
            "value": ["young", "old", "student", "worker"],
            "min": [0, 3, 1, 1],
            "max": [0, 3, 2, 2],
        }
    )
    inst = build_instance(pool_from_frame(people), quotas_from_frame(quotas), 3)
    solver = PanelSolver(inst)
    rng = np.random.default_rng(0)
    panels = initial_panels(inst, solver, rng, rounds=1)
    impossible = possible_types(inst, solver, panels, rng)
    young = np.unique(inst.person_type[:2])
    assert len(young) == 2
    assert impossible[young].all()
    assert not impossible[np.setdiff1d(np.arange(inst.T), young)].any()


def test_relaxed_pricer_on_two_threads_matches_one():
    sp = synthetic_pool(2000, seed=3, panel_size=60)
    inst = build_instance(sp.pool(), sp.quota_set(), 60)
    rng = np.random.default_rng(0)
    weights = [rng.uniform(0.0, 1.0, inst.T) / inst.type_size for _ in range(40)]
    serial = [PanelSolver(inst).relaxed(w) for w in weights]
    with RelaxedPricer(PanelSolver(inst), workers=2) as pricer:
        assert len(pricer.solvers) == 2
        parallel = pricer.price(weights)
    assert len(parallel) == len(weights)
    integral = 0
    for (c1, v1), (c2, v2) in zip(serial, parallel, strict=True):
        assert v1 == pytest.approx(v2, rel=1e-12)
        assert (c1 is None) == (c2 is None)
        if c1 is not None:
            integral += 1
            np.testing.assert_array_equal(c1, c2)
    # Both kinds of answer occur, so the comparison covers both.
    assert 0 < integral < len(weights)


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_a_stalled_master_solve_is_finished_with_default_perturbation(seed, monkeypatch):
    """With no pivots allowed, every master solve 'stalls': the fallback must still be exact."""
    from sortition_oracle import leximin

    from minipublic.sortition import _leximin, find_distribution

    stalls = master_states(monkeypatch, "stalls")
    monkeypatch.setattr(_leximin, "STALL_PIVOTS", 0)
    # Every solve by the simplex method, which is what can stall.
    monkeypatch.setattr(_leximin, "COLD_IPM_RATIO", np.inf)
    people, quotas, k = random_case(seed)
    M = feasible_panels(people, quotas, k)
    d = find_distribution(pool_from_frame(people), quotas_from_frame(quotas), k)
    np.testing.assert_allclose(d.probabilities, leximin(M), atol=1e-6)
    assert max(stalls) > 0


def _compositions(inst, M: np.ndarray) -> np.ndarray:
    """Distinct compositions (counts per type) of the people-level panels ``M``."""
    C = np.zeros((len(M), inst.T), dtype=np.int64)
    for t in range(inst.T):
        C[:, t] = M[:, inst.person_type == t].sum(axis=1)
    return np.unique(C, axis=0)


@pytest.mark.parametrize("households", [False, True])
def test_rounded_lp_optimum_is_the_best_rounding_by_brute_force(households):
    """A fractional LP optimum becomes the best panel among its roundings, or None.

    Brute force: every feasible composition that keeps each integral type
    at its LP value and each fractional one at its floor or ceiling; the
    rounding must score exactly as the best of them (and be one), and be
    None only when there is none. An integral LP optimum is returned as is.
    """
    fractional = 0
    for seed in range(60):
        people, quotas, k = random_case(seed, n=12, households=households)
        M = feasible_panels(people, quotas, k, household="address" if households else None)
        if len(M) == 0:
            continue
        pool = pool_from_frame(people, household_columns="address" if households else None)
        inst = build_instance(pool, quotas_from_frame(quotas), k)
        comps = _compositions(inst, M)
        solver = PanelSolver(inst)
        rng = np.random.default_rng(seed)
        for _ in range(40):
            w = rng.normal(size=inst.T)
            c, value = solver.rounded(w)
            x = np.asarray(solver._lp.getSolution().col_value)
            assert value >= (comps @ w).max() - 1e-9  # the LP bound
            whole = np.abs(x - np.rint(x)) <= 1e-9
            lo = np.where(whole, np.rint(x), np.floor(x))
            hi = np.where(whole, np.rint(x), np.ceil(x))
            near = np.all((lo <= comps) & (comps <= hi), axis=1)
            if whole.all():
                assert c is not None and float(w @ c) == pytest.approx(value, abs=1e-9)
                continue
            fractional += 1
            if not near.any():
                assert c is None
                continue
            assert c is not None and composition_ok(inst, c)
            assert near[np.all(comps == c, axis=1)].any()
            assert float(w @ c) == pytest.approx((comps[near] @ w).max(), abs=1e-9)
    assert fractional >= 20  # the rounding itself was exercised


def test_rounded_keeps_a_required_type():
    """With a type required (set_lower), the LP and its rounding keep a member of it."""
    sp = synthetic_pool(300, seed=5, panel_size=20)
    inst = build_instance(sp.pool(), sp.quota_set(), 20)
    solver = PanelSolver(inst)
    rng = np.random.default_rng(0)
    solver.rounded(rng.normal(size=inst.T))  # the LP exists before the bound changes
    kept = 0
    for t in rng.choice(inst.T, 10, replace=False):
        w = rng.normal(size=inst.T)
        w[t] = -10.0  # the LP would leave this type out
        solver.set_lower(int(t), 1)
        c, _ = solver.rounded(w)
        solver.set_lower(int(t), 0)
        if c is not None:
            assert c[t] >= 1 and composition_ok(inst, c)
            kept += 1
        c, _ = solver.rounded(w)
        assert c is None or c[t] == 0
    assert kept >= 5
