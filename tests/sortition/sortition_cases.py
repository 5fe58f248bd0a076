"""Small random pools and quotas shared by the sortition tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sortition_oracle import feasible_panels

from minipublic.sortition import pool_from_frame, quotas_from_frame


def random_case(seed: int, *, n: int | None = None, households: bool = False):
    """(people, quotas, k) with quotas that are loose enough to be usually feasible."""
    rng = np.random.default_rng(seed)
    n = n if n is not None else int(rng.integers(7, 13))
    k = int(rng.integers(2, min(6, n - 1) + 1))
    people = pd.DataFrame({"id": [f"p{i:02d}" for i in range(n)]})
    quotas = []
    for f in range(int(rng.integers(2, 4))):
        n_values = int(rng.integers(2, 4))
        values = [f"v{j}" for j in range(n_values)]
        probs = rng.dirichlet(np.ones(n_values) * 2)
        col = rng.choice(values, size=n, p=probs)
        col[:n_values] = values  # every value present
        people[f"f{f}"] = col
        for v in values:
            share = (col == v).mean() * k
            lo = max(0, int(np.floor(share)) - int(rng.integers(0, 2)))
            hi = int(np.ceil(share)) + int(rng.integers(0, 2))
            quotas.append((f"f{f}", v, lo, hi))
    if households:
        hh = [f"h{int(i)}" for i in rng.integers(0, max(2, n - 3), size=n)]
        people["address"] = hh
    return people, pd.DataFrame(quotas, columns=["feature", "value", "min", "max"]), k


def master_states(monkeypatch, attribute: str) -> list:
    """Record ``attribute`` of the LEXIMIN master LP after each of its solves."""
    from minipublic.sortition import _leximin

    seen: list = []
    solve = _leximin._Master.solve

    def spy(self):
        out = solve(self)
        seen.append(getattr(self, attribute))
        return out

    monkeypatch.setattr(_leximin._Master, "solve", spy)
    return seen


def brute_force_case(seed: int, *, households: bool = False, n: int | None = None):
    """``(people, pool, quotas, k, M)`` of :func:`random_case`, with ``M`` every feasible
    panel (one 0/1 row per panel); skips the test when there is none."""
    people, quotas, k = random_case(seed, households=households, n=n)
    M = feasible_panels(people, quotas, k, household="address" if households else None)
    if len(M) == 0:
        pytest.skip("random case has no feasible panel")
    pool = pool_from_frame(people, household_columns="address" if households else None)
    return people, pool, quotas_from_frame(quotas), k, M
