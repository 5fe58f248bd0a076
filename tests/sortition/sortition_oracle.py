"""Brute-force reference solvers for small pools (independent of the package's solvers).

Every feasible panel is enumerated; the fair distributions are then solved
exactly over that full set with scipy's ``linprog``, and LEXIMIN levels are
found by probing each person with its own LP (no dual values involved).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.optimize import linprog


def feasible_panels(people: pd.DataFrame, quotas: pd.DataFrame, k: int, household=None):
    """0/1 matrix (panels x people) of every panel meeting all quotas."""
    n = len(people)
    combos = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
    X = np.zeros((len(combos), n))
    X[np.arange(len(combos))[:, None], combos] = 1
    ok = np.ones(len(combos), dtype=bool)
    for q in quotas.itertuples():
        has = (people[q.feature] == q.value).to_numpy().astype(float)
        cnt = X @ has
        ok &= (cnt >= q.min) & (cnt <= q.max)
    if household is not None:
        hh = people[household].tolist()
        for key in set(hh) - {""}:
            member = np.array([h == key for h in hh], dtype=float)
            ok &= X @ member <= 1
    return X[ok]


def _max_lp(M, objective_person, lower):
    """max pi_j (or z when objective_person is None) s.t. pi_i >= lower_i (or >= z)."""
    P, n = M.shape
    # variables: lambda (P), z
    c = np.zeros(P + 1)
    if objective_person is None:
        c[P] = -1.0
    else:
        c[:P] = -M[:, objective_person]
    A_ub = []
    b_ub = []
    for i in range(n):
        row = np.zeros(P + 1)
        row[:P] = -M[:, i]
        if lower[i] is None:
            row[P] = 1.0
            b_ub.append(0.0)
        else:
            b_ub.append(-lower[i])
        A_ub.append(row)
    A_eq = np.zeros((1, P + 1))
    A_eq[0, :P] = 1
    bounds = [(0, None)] * P + [(None, None) if objective_person is None else (0, 0)]
    res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds)
    assert res.status == 0, res.message
    return -res.fun, res.x[:P]


def leximin(M: np.ndarray) -> np.ndarray:
    """Exact LEXIMIN probabilities over the panels in M (rows)."""
    n = M.shape[1]
    reachable = M.sum(axis=0) > 0
    fixed = {i: 0.0 for i in range(n) if not reachable[i]}
    while len(fixed) < n:
        lower = [fixed.get(i) for i in range(n)]
        z, _ = _max_lp(M, None, lower)
        probe_lower = [fixed[i] if i in fixed else z - 1e-9 for i in range(n)]
        newly = []
        for i in range(n):
            if i in fixed:
                continue
            best, _ = _max_lp(M, i, probe_lower)
            if best <= z + 1e-7:
                newly.append(i)
        if not newly:
            newly = [min((i for i in range(n) if i not in fixed), key=lambda i: i)]
        for i in newly:
            fixed[i] = z
    return np.array([fixed[i] for i in range(n)])


def maximin_value(M: np.ndarray) -> float:
    """Largest possible minimum probability over the people some panel contains."""
    reachable = M.sum(axis=0) > 0
    lower = [None if reachable[i] else 0.0 for i in range(M.shape[1])]
    z, _ = _max_lp(M, None, lower)
    return z


def nash_certificate(M: np.ndarray, pi: np.ndarray) -> float:
    """max_P sum_{i in P} 1/pi_i divided by the number of reachable people.

    ``pi`` maximises sum_i log pi_i over the panels iff this is <= 1
    (first-order optimality of the concave objective); 1 + x means the
    objective is at most x * n from optimal.
    """
    reachable = M.sum(axis=0) > 0
    inv = np.where(reachable, 1.0 / np.where(reachable, pi, 1.0), 0.0)
    return float((M @ inv).max() / reachable.sum())


def nash_em(M: np.ndarray, iterations: int = 20000) -> np.ndarray:
    """Nash welfare by the multiplicative (EM) update over all panels."""
    reachable = M.sum(axis=0) > 0
    Mr = M[:, reachable]
    lam = np.full(len(M), 1.0 / len(M))
    for _ in range(iterations):
        pi = Mr.T @ lam
        lam = lam * (Mr @ (1.0 / pi)) / reachable.sum()
        lam /= lam.sum()
    out = np.zeros(M.shape[1])
    out[reachable] = Mr.T @ lam
    return out
