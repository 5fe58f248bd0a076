"""LEXIMIN, Maximin and Nash against brute force over every feasible panel (<= 14 people)."""

import numpy as np
import pandas as pd
import pytest
from sortition_cases import brute_force_case, master_states
from sortition_oracle import leximin, maximin_value, nash_certificate, nash_em

from minipublic.sortition import find_distribution, pool_from_frame, quotas_from_frame

SEEDS = list(range(14))


def _setup(seed, households=False, n=None):
    return brute_force_case(seed, households=households, n=n)


def test_hand_worked_toy():
    """Two young (one seat), three old (one seat): 1/2 each young, 1/3 each old."""
    pool = pool_from_frame(pd.DataFrame({"id": list("abcde"), "age": ["y", "y", "o", "o", "o"]}))
    quotas = quotas_from_frame(
        pd.DataFrame({"feature": ["age"] * 2, "value": ["y", "o"], "min": [1, 1], "max": [1, 1]})
    )
    for algorithm in ("leximin", "maximin", "nash"):
        d = find_distribution(pool, quotas, 2, algorithm=algorithm)
        np.testing.assert_allclose(d.probabilities, [1 / 2, 1 / 2, 1 / 3, 1 / 3, 1 / 3], atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("group_types", [True, False])
def test_leximin_matches_brute_force(seed, group_types):
    people, pool, quotas, k, M = _setup(seed)
    expected = leximin(M)
    d = find_distribution(pool, quotas, k, algorithm="leximin", group_types=group_types)
    np.testing.assert_allclose(d.probabilities, expected, atol=1e-6)
    # The panels really are feasible panels and reproduce the probabilities.
    assert abs(d.probabilities.sum() - k) < 1e-9


@pytest.mark.parametrize("seed", SEEDS[:8])
def test_leximin_households_matches_brute_force(seed):
    people, pool, quotas, k, M = _setup(seed, households=True)
    expected = leximin(M)
    d = find_distribution(pool, quotas, k, algorithm="leximin")
    np.testing.assert_allclose(d.probabilities, expected, atol=1e-6)


# Cases whose LP-relaxation LEXIMIN no mixture of panels reaches, so LEXIMIN
# must fall back to the level-by-level method; (seed, households).
OUT_OF_REACH = [(42, False), (35, True), (16, True), (52, True)]


@pytest.mark.parametrize(("seed", "households"), OUT_OF_REACH + [(0, False), (3, True)])
def test_both_leximin_paths_match_brute_force(seed, households, monkeypatch):
    from minipublic.sortition import _leximin

    outcomes = []
    reach = _leximin._reach

    def spy(*args, **kwargs):
        outcomes.append(reach(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(_leximin, "_reach", spy)
    people, pool, quotas, k, M = _setup(seed, households=households)
    d = find_distribution(pool, quotas, k, algorithm="leximin")
    np.testing.assert_allclose(d.probabilities, leximin(M), atol=1e-6)
    # The fast path is taken exactly when the relaxed optimum is reachable.
    assert [lam is not None for lam in outcomes] == [(seed, households) not in OUT_OF_REACH]


@pytest.mark.parametrize("seed", SEEDS)
def test_relaxed_leximin_is_an_upper_bound(seed):
    """LEXIMIN over the LP relaxation is lexicographically >= the true LEXIMIN."""
    from minipublic.sortition._model import build_instance
    from minipublic.sortition._relaxed import relaxed_leximin

    people, pool, quotas, k, M = _setup(seed)
    inst = build_instance(pool, quotas, k)
    impossible = M.sum(axis=0)[[m[0] for m in inst.type_members]] == 0
    relaxed = np.sort(inst.person_probabilities(relaxed_leximin(inst, impossible)))
    exact = np.sort(leximin(M))
    diff = relaxed - exact
    first = np.nonzero(np.abs(diff) > 1e-7)[0]
    assert len(first) == 0 or diff[first[0]] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_maximin_matches_brute_force(seed):
    people, pool, quotas, k, M = _setup(seed)
    d = find_distribution(pool, quotas, k, algorithm="maximin")
    reachable = M.sum(axis=0) > 0
    assert abs(d.probabilities[reachable].min() - maximin_value(M)) < 1e-6
    # Maximin's optimal min equals LEXIMIN's first level.
    lex = find_distribution(pool, quotas, k, algorithm="leximin")
    assert abs(d.probabilities[reachable].min() - lex.probabilities[reachable].min()) < 1e-6


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_nash_matches_brute_force(seed):
    people, pool, quotas, k, M = _setup(seed)
    d = find_distribution(pool, quotas, k, algorithm="nash")
    # Optimality certificate over ALL feasible panels (Nash's optimum is unique).
    assert nash_certificate(M, d.probabilities) <= 1 + 1e-7
    np.testing.assert_allclose(d.probabilities, nash_em(M), atol=2e-4)


def test_nash_unique_optimum_is_matched_exactly():
    """Where EM converges fully, both agree to 1e-6."""
    people, pool, quotas, k, M = _setup(3)
    d = find_distribution(pool, quotas, k, algorithm="nash")
    np.testing.assert_allclose(d.probabilities, nash_em(M, iterations=200000), atol=1e-6)


def test_fourteen_people():
    people, pool, quotas, k, M = _setup(100, n=14)
    d = find_distribution(pool, quotas, k, algorithm="leximin")
    np.testing.assert_allclose(d.probabilities, leximin(M), atol=1e-6)


def test_zero_probability_is_explained():
    people = pd.DataFrame({"id": list("abcdef"), "g": ["m", "m", "f", "f", "x", "x"]})
    quotas = pd.DataFrame(
        {"feature": ["g"] * 3, "value": ["m", "f", "x"], "min": [1, 1, 0], "max": [2, 2, 0]}
    )
    d = find_distribution(pool_from_frame(people), quotas_from_frame(quotas), 2)
    assert d.stats["n_zero"] == 2
    assert "max 0" in d.zero_reasons["e"]
    np.testing.assert_allclose(d.probabilities[:4], 0.5, atol=1e-9)


@pytest.mark.parametrize(("seed", "households"), OUT_OF_REACH + [(0, False), (3, True), (5, False)])
def test_leximin_with_interior_point_re_solves_matches_brute_force(seed, households, monkeypatch):
    """Every master re-solve after the first by the interior-point method: same LEXIMIN."""
    from minipublic.sortition import _leximin

    monkeypatch.setattr(_leximin, "IPM_PIVOTS_PER_ROW", -1.0)
    switched = master_states(monkeypatch, "use_ipm")
    people, pool, quotas, k, M = _setup(seed, households=households)
    for algorithm, expected in (("leximin", leximin(M)), ("maximin", None)):
        d = find_distribution(pool, quotas, k, algorithm=algorithm)
        if expected is not None:
            np.testing.assert_allclose(d.probabilities, expected, atol=1e-6)
        else:
            reachable = M.sum(axis=0) > 0
            assert d.probabilities[reachable].min() == pytest.approx(maximin_value(M), abs=1e-6)
    assert any(switched)


@pytest.mark.parametrize(
    ("finish_columns", "finish_tol", "finish"),
    [
        (100.0, None, "least squares"),
        (100.0, None, "out of iterations"),
        (1.5, -1.0, "highs"),
        (0.2, None, "highs"),
    ],
)
@pytest.mark.parametrize(("seed", "households"), [(0, False), (3, True), (5, False), (9, False)])
def test_leximin_by_interior_point_master_matches_brute_force(
    seed, households, finish_columns, finish_tol, finish, monkeypatch
):
    """Every solve of the fast path's master by Clarabel's interior-point method.

    Near the target, the heaviest panels of the interior mixture are
    re-weighted by non-negative least squares (here all of them: in pools
    this small the interior mixture spreads its weight so evenly that the
    heaviest 1.5 per row seldom suffice, and HiGHS does the finish). When
    that is not tried (forced by a negative tolerance) or falls short, HiGHS
    takes over (also when least squares runs out of iterations); with only
    0.2 panels per row, which cannot reach the target,
    column generation must go on by the simplex method. Either way: the
    brute-force LEXIMIN, and a vertex's length (no more panels than types,
    plus one).
    """
    from minipublic.sortition import _leximin

    monkeypatch.setattr(_leximin, "COLD_IPM_RATIO", -1.0)
    monkeypatch.setattr(_leximin, "INTERIOR_ROWS", 0)
    monkeypatch.setattr(_leximin, "FINISH_COLUMNS", finish_columns)
    if finish_tol is not None:
        monkeypatch.setattr(_leximin, "FINISH_TOL", finish_tol)
    if finish != "highs":
        # Hand over only once the interior master is within FINISH_TOL.
        monkeypatch.setattr(_leximin, "FINISH_GAP", _leximin.FINISH_TOL)
    if finish == "out of iterations":

        def nnls(*args, **kwargs):
            raise RuntimeError("Maximum number of iterations reached.")

        monkeypatch.setattr(_leximin, "nnls", nnls)
    interior = master_states(monkeypatch, "last_interior")
    shortened = []
    least_squares = _leximin._Master.least_squares

    def spy(self, keep):
        out = least_squares(self, keep)
        shortened.append(out is not None)
        return out

    monkeypatch.setattr(_leximin._Master, "least_squares", spy)
    people, pool, quotas, k, M = _setup(seed, households=households)
    d = find_distribution(pool, quotas, k, algorithm="leximin")
    np.testing.assert_allclose(d.probabilities, leximin(M), atol=1e-6)
    assert interior[0]
    if finish == "least squares":
        assert shortened == [True] and all(interior)
    else:
        assert True not in shortened and not interior[-1]
    if finish_columns < 1:
        assert len(interior) - interior.index(False) > 1  # more than one exact solve
    assert d.panel_probabilities.min() > 0
    assert d.panel_probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert len(d.panel_probabilities) <= d.stats["n_types"] + 1
