"""Self-selected pools: who volunteers skews the pool, quotas come from the population.

The benchmark family of issue #21, built the way delivery bodies set quotas:
a population with correlated features, a pool of those who volunteer (more
often with a degree or high trust, less often when young, old or from a
minority), and quotas ``min = max(0, floor(k p) - s)``,
``max = min(k, ceil(k p) + s)`` from the *population* shares ``p``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from minipublic.sortition._distribution import seed_to_int
from minipublic.sortition._synthetic import SyntheticPool

__all__ = ["FAMILIES", "family_pool", "selfselected_pool"]

#: Population share of every value, in the order used by the latent scale.
SHARES: dict[str, dict[str, float]] = {
    "gender": {"woman": 0.505, "man": 0.485, "other": 0.010},
    "age": {"16-24": 0.13, "25-39": 0.25, "40-54": 0.25, "55-69": 0.22, "70+": 0.15},
    "region": {
        "rural north": 0.10,
        "north": 0.16,
        "west": 0.18,
        "south": 0.20,
        "east": 0.18,
        "capital": 0.18,
    },
    "education": {"none": 0.18, "school": 0.37, "vocational": 0.20, "degree": 0.25},
    "ethnicity": {"white": 0.82, "asian": 0.08, "black": 0.045, "mixed": 0.03, "other": 0.025},
    "trust": {"low": 0.35, "medium": 0.45, "high": 0.20},
    # The two extra features of the 8-feature variant.
    "tenure": {"owner": 0.63, "private rent": 0.20, "social rent": 0.17},
    "disability": {"no": 0.78, "yes": 0.22},
}
SIX = ("gender", "age", "region", "education", "ethnicity", "trust")
EIGHT = (*SIX, "tenure", "disability")

#: Correlations of the latent normal scores (Gaussian copula). Each feature's
#: values are cut from its latent score in the order of :data:`SHARES`, so
#: ethnicity is more often a minority value in the capital and east, education
#: falls with age, trust rises with education, renting falls with age and
#: disability rises with it.
CORRELATION = {
    ("region", "ethnicity"): 0.45,
    ("age", "education"): -0.35,
    ("education", "trust"): 0.40,
    ("age", "tenure"): -0.40,
    ("education", "tenure"): -0.20,
    ("age", "disability"): 0.35,
}

#: Log-odds of volunteering, added to a base of -2.5 (about 8 % respond).
LOG_ODDS: dict[str, dict[str, float]] = {
    "education": {"none": -0.9, "school": -0.3, "vocational": 0.0, "degree": 0.8},
    "trust": {"low": -1.0, "medium": 0.0, "high": 0.6},
    "age": {"16-24": -0.8, "25-39": -0.3, "40-54": 0.0, "55-69": 0.1, "70+": -0.6},
    "ethnicity": {"white": 0.0, "asian": -0.6, "black": -0.7, "mixed": -0.5, "other": -0.6},
}
BASE_LOG_ODDS = -2.5
_NORMAL = NormalDist()

#: Benchmark families: (features, slack as a fraction of k, household rule).
#: ``synthetic`` (the older :func:`synthetic_pool`) is handled by
#: :func:`family_pool`.
FAMILIES = {
    "synthetic": None,
    "selfselected": (SIX, 0.025, False),
    "tight": (SIX, 0.0, False),
    "loose": (SIX, 0.05, False),
    "eight": (EIGHT, 0.025, False),
    "households": (SIX, 0.025, True),
}


def _population(rng: np.random.Generator, m: int, features: tuple[str, ...]) -> pd.DataFrame:
    """m people with correlated features (Gaussian copula, exact marginals in expectation)."""
    names = list(features)
    C = np.eye(len(names))
    for (a, b), r in CORRELATION.items():
        if a in names and b in names:
            i, j = names.index(a), names.index(b)
            C[i, j] = C[j, i] = r
    L = np.linalg.cholesky(C)
    z = rng.standard_normal((m, len(names))) @ L.T
    out = {}
    for f, name in enumerate(names):
        values = list(SHARES[name])
        cum = np.cumsum(list(SHARES[name].values()))[:-1]
        cuts = np.array([_NORMAL.inv_cdf(float(c)) for c in cum])
        out[name] = np.array(values, dtype=object)[np.searchsorted(cuts, z[:, f])]
    return pd.DataFrame(out)


def selfselected_pool(
    n_people: int,
    *,
    seed: int | str = 0,
    panel_size: int = 40,
    slack: float = 0.025,
    features: tuple[str, ...] = SIX,
    household_share: float = 0.15,
) -> SyntheticPool:
    """A self-selected pool with quotas from population shares.

    Parameters
    ----------
    n_people : int
        Volunteers in the pool.
    seed : int or str, default 0
    panel_size : int, default 40
        ``k``, the panel size the quotas are for.
    slack : float, default 0.025
        ``s = ceil(slack k)`` seats either side of ``k p`` (0: tight,
        0.05: loose).
    features : tuple of str
        :data:`SIX` (default) or :data:`EIGHT` (adds tenure and disability).
    household_share : float, default 0.15
        Share of volunteers who share an ``address`` with another volunteer
        (pairs mostly in the same region); it matters only with the household rule
        (``SyntheticPool.pool(households=True)``).

    Returns
    -------
    SyntheticPool
        ``people`` has ``id, address`` and the features; ``population`` gives
        each value's population share and pool share; ``quotas`` has
        ``min = max(0, floor(k p) - s)``, ``max = min(k, ceil(k p) + s)``.

    Notes
    -----
    Features are drawn from a Gaussian copula (:data:`CORRELATION`) cut at the
    population shares :data:`SHARES`, so the marginals are exact in
    expectation while ethnicity varies with region, education with age and
    trust with education. Each person then volunteers with probability
    ``logistic(BASE_LOG_ODDS + sum of LOG_ODDS)``: degree holders and
    high-trust people are over-represented, the young, the old, minorities
    and low-trust people under-represented -- the skew sortition must correct
    (Flanigan et al. 2021). People are drawn in batches until ``n_people``
    have volunteered; everything follows from the seed.
    """
    if n_people < 1 or panel_size < 1:
        raise ValueError("n_people and panel_size must be >= 1")
    unknown = [f for f in features if f not in SHARES]
    if unknown:
        raise ValueError(f"unknown features {unknown}; choose from {list(SHARES)}")
    seed_int = seed_to_int(seed)
    rng = np.random.default_rng(seed_int)
    parts = []
    got = 0
    while got < n_people:
        batch = _population(rng, max(20 * n_people, 2000), tuple(features))
        logit = np.full(len(batch), BASE_LOG_ODDS)
        for name, table in LOG_ODDS.items():
            if name in batch:
                logit += batch[name].map(table).to_numpy(dtype=float)
        volunteer = rng.random(len(batch)) < 1.0 / (1.0 + np.exp(-logit))
        parts.append(batch[volunteer])
        got += int(volunteer.sum())
    people = pd.concat(parts, ignore_index=True).iloc[:n_people].reset_index(drop=True)
    # Households: pair volunteers within a region until household_share share an address.
    address = np.array([f"{i + 1} Volunteer Road" for i in range(n_people)], dtype=object)
    n_pairs = int(round(household_share * n_people / 2))
    if n_pairs:
        chosen = rng.choice(n_people, 2 * n_pairs, replace=False)
        chosen = chosen[np.argsort(people["region"].to_numpy()[chosen], kind="stable")]
        address[chosen[1::2]] = address[chosen[0::2]]
    people.insert(0, "address", address)
    people.insert(0, "id", [f"V{i + 1:06d}" for i in range(n_people)])
    k = panel_size
    s = math.ceil(slack * k - 1e-9)
    rows, pop_rows = [], []
    for name in features:
        for value, p in SHARES[name].items():
            pop_rows.append((name, value, p, float((people[name] == value).mean())))
            lo = max(0, math.floor(k * p + 1e-9) - s)
            hi = min(k, math.ceil(k * p - 1e-9) + s)
            rows.append((name, value, lo, hi))
    quotas = pd.DataFrame(rows, columns=["feature", "value", "min", "max"])
    population = pd.DataFrame(
        pop_rows, columns=["feature", "value", "population_share", "pool_share"]
    )
    return SyntheticPool(people.astype(str), quotas, population, k, seed_int, tuple(features))


def family_pool(family: str, n_people: int, panel_size: int, *, seed: int | str = 1):
    """``(SyntheticPool, households)`` for a benchmark family of :data:`FAMILIES`."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose from {', '.join(FAMILIES)}")
    if family == "synthetic":
        from minipublic.sortition._synthetic import synthetic_pool

        return synthetic_pool(n_people, seed=seed, panel_size=panel_size), False
    features, slack, households = FAMILIES[family]
    sp = selfselected_pool(
        n_people, seed=seed, panel_size=panel_size, slack=slack, features=features
    )
    return sp, households
