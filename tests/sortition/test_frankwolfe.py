"""The Frank-Wolfe warm start: feasible panels whose mixture approaches the LEXIMIN target."""

import numpy as np
import pytest
from sortition_cases import random_case
from sortition_oracle import feasible_panels, leximin

from minipublic.sortition import pool_from_frame, quotas_from_frame, synthetic_pool
from minipublic.sortition._frankwolfe import frank_wolfe
from minipublic.sortition._leximin import initial_panels, possible_types
from minipublic.sortition._model import PanelSolver, RelaxedPricer, build_instance, composition_ok
from minipublic.sortition._relaxed import relaxed_leximin


def _start(pool, quotas, k, seed):
    inst = build_instance(pool, quotas, k)
    solver = PanelSolver(inst)
    rng = np.random.default_rng(seed)
    panels = initial_panels(inst, solver, rng, rounds=3)
    impossible = possible_types(inst, solver, panels, rng)
    return inst, solver, panels, impossible


@pytest.mark.parametrize("seed", range(12))
def test_the_mixture_moves_towards_the_exact_leximin(seed):
    """Against brute force: the distance to the exact LEXIMIN shrinks; every panel is feasible."""
    people, quotas, k = random_case(seed)
    M = feasible_panels(people, quotas, k)
    if len(M) == 0:
        pytest.skip("random case has no feasible panel")
    pool = pool_from_frame(people)
    inst, solver, panels, _ = _start(pool, quotas_from_frame(quotas), k, seed)
    exact = leximin(M)  # per person
    target = np.array([exact[inst.type_members[t][0]] for t in range(inst.T)])
    size = inst.type_size.astype(float)

    def distance(cols, lam):
        p = (np.array(cols) / size).T @ lam
        return float(np.abs(p - target).max())

    before = distance(panels, np.full(len(panels), 1.0 / len(panels)))
    with RelaxedPricer(solver, workers=1) as pricer:
        cols, lam = frank_wolfe(
            inst, pricer, target, panels, np.random.default_rng(seed), steps=400
        )
    assert all(composition_ok(inst, c) for c in cols)
    assert lam.min() >= 0.0 and lam.sum() == pytest.approx(1.0)
    after = distance(cols, lam)
    assert after <= before + 1e-12
    # The exact LEXIMIN is a mixture of feasible panels: Frank-Wolfe gets close.
    assert after < max(1e-3, 0.2 * before)


def test_the_warm_start_is_seeded_and_reports_progress():
    sp = synthetic_pool(300, seed=4, panel_size=30)
    inst, _, panels, impossible = _start(sp.pool(), sp.quota_set(), 30, 4)
    target = relaxed_leximin(inst, impossible)
    runs = []
    for _ in range(2):
        seen = []
        # A fresh solver each time, as in a run: warm-started LPs remember their last basis.
        with RelaxedPricer(PanelSolver(inst)) as pricer:
            cols, lam = frank_wolfe(
                inst,
                pricer,
                target,
                panels,
                np.random.default_rng(7),
                steps=250,
                progress=lambda f, m, seen=seen: seen.append((f, m)),
            )
        runs.append((cols, lam, seen))
    (c1, l1, s1), (c2, l2, s2) = runs
    assert [c.tolist() for c in c1] == [c.tolist() for c in c2]
    np.testing.assert_array_equal(l1, l2)
    assert len(s1) >= 3 and [f for f, _ in s1] == sorted(f for f, _ in s1)
    assert all(m.startswith("reaching the fairest target") for _, m in s1)


def test_a_polish_round_starts_from_the_given_mixture_and_only_gets_closer():
    """``start`` is the master's mixture: kept as is with no steps, and improved by steps."""
    sp = synthetic_pool(300, seed=5, panel_size=30)
    inst, solver, panels, impossible = _start(sp.pool(), sp.quota_set(), 30, 5)
    target = relaxed_leximin(inst, impossible)
    size = inst.type_size.astype(float)
    start = np.random.default_rng(1).dirichlet(np.ones(len(panels)))

    def distance(cols, lam):
        p = (np.array(cols) / size).T @ lam
        return float(size @ (p - target) ** 2)

    with RelaxedPricer(solver, workers=1) as pricer:
        cols, lam = frank_wolfe(
            inst, pricer, target, panels, np.random.default_rng(2), steps=0, start=start
        )
        np.testing.assert_allclose(lam, start / start.sum())
        cols2, lam2 = frank_wolfe(
            inst, pricer, target, panels, np.random.default_rng(2), steps=200, start=start
        )
    assert distance(cols2, lam2) < distance(cols, lam)
    assert all(composition_ok(inst, c) for c in cols2)
