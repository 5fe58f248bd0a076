"""The restricted master LP by its dual with PIQP, against HiGHS on the primal."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from minipublic.sortition._dense_master import solve_master_dual


def _primal(a, target):
    """max z s.t. a lambda >= z target, sum lambda = 1, lambda >= 0, by HiGHS."""
    R, P = a.shape
    res = linprog(
        np.r_[-1.0, np.zeros(P)],
        A_ub=np.hstack([target[:, None], -a]),
        b_ub=np.zeros(R),
        A_eq=np.r_[0.0, np.ones(P)][None, :],
        b_eq=[1.0],
        bounds=[(None, None)] + [(0, None)] * P,
        method="highs",
    )
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("seed", range(20))
def test_optimum_duals_and_mixture_match_highs(seed):
    """Random masters (counts over type sizes, as LEXIMIN's): the same optimum as HiGHS,
    a feasible mixture reaching it, and duals whose every panel prices at most z."""
    rng = np.random.default_rng(seed)
    R, P = int(rng.integers(5, 40)), int(rng.integers(5, 120))
    size = rng.integers(1, 6, size=R)
    counts = rng.binomial(size[:, None], 0.3, size=(R, P))
    counts[np.arange(R), rng.integers(0, P, size=R)] += 1  # every type in some panel
    a = counts / size[:, None]
    target = rng.uniform(0.1, 1.0, size=R)
    z, y, lam = solve_master_dual(sp.csc_matrix(a), target)
    best = _primal(a, target)
    assert z == pytest.approx(best, rel=1e-6)
    assert lam.min() >= 0 and lam.sum() == pytest.approx(1.0, abs=1e-12)
    assert (a @ lam / target).min() == pytest.approx(best, rel=1e-6)
    assert y.min() >= 0 and target @ y == pytest.approx(1.0, abs=1e-6)
    assert (y @ a).max() == pytest.approx(best, rel=1e-6)


def test_a_type_no_panel_holds_gives_zero():
    """No mixture gives the second type anything: the optimum is 0."""
    a = sp.csc_matrix(np.array([[1.0, 0.5], [0.0, 0.0]]))
    z, y, lam = solve_master_dual(a, np.array([1.0, 1.0]))
    assert z == pytest.approx(0.0, abs=1e-7)
    assert y[1] == pytest.approx(1.0, abs=1e-6)


def test_out_of_iterations_gives_none(monkeypatch):
    """PIQP stopped short: None, and LEXIMIN's master solves by Clarabel instead."""
    from minipublic.sortition import _dense_master

    monkeypatch.setattr(_dense_master, "MAX_ITER", 1)
    assert solve_master_dual(sp.identity(3, format="csc"), np.ones(3)) is None
