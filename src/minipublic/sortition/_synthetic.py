"""A realistic synthetic pool of registrants, with census-like quotas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.sortition._distribution import seed_to_int
from minipublic.sortition._pool import Pool, Quotas, pool_from_frame, quotas_from_frame

__all__ = ["SyntheticPool", "synthetic_pool"]

# Population shares (census-like) of each feature value.
_POPULATION = {
    "age": {"16-29": 0.22, "30-44": 0.25, "45-64": 0.32, "65+": 0.21},
    "gender": {"woman": 0.51, "man": 0.48, "other": 0.01},
    "area": {"north": 0.25, "south": 0.30, "east": 0.20, "west": 0.25},
    "education": {"no qualifications": 0.18, "school": 0.45, "degree": 0.37},
    "ethnicity": {"white": 0.82, "asian": 0.09, "black": 0.04, "mixed/other": 0.05},
    "trust_in_government": {"low": 0.40, "medium": 0.40, "high": 0.20},
    "no_point": {"yes": 0.25, "no": 0.75},
}
# Relative propensity to register (answer the invitation): low trust, no
# qualifications and the disengaged answer far less often.
_PROPENSITY = {
    "education": {"no qualifications": 0.45, "school": 0.9, "degree": 1.5},
    "trust_in_government": {"low": 0.45, "medium": 1.0, "high": 1.4},
    "no_point": {"yes": 0.5, "no": 1.0},
    "age": {"16-29": 0.7, "30-44": 0.9, "45-64": 1.1, "65+": 1.3},
}


@dataclass(frozen=True, eq=False)
class SyntheticPool:
    """A synthetic pool and matching quotas.

    Attributes
    ----------
    people : pandas.DataFrame
        Columns ``id, first_name, address, age, gender, area, education,
        ethnicity, trust_in_government, no_point`` (all strings); ``address``
        is shared by about 5% of people (same household).
    quotas : pandas.DataFrame
        ``feature, value, min, max`` for a panel of ``panel_size``:
        ``min = floor(share k)``, ``max = ceil(share k)`` from the
        population shares (one extra seat of slack on ``max`` when
        ``slack=True``), over the features in ``quota_features``.
    population : pandas.DataFrame
        ``feature, value, population_share, pool_share``.
    panel_size : int
    seed : int
    quota_features : tuple of str
    """

    people: pd.DataFrame
    quotas: pd.DataFrame
    population: pd.DataFrame
    panel_size: int
    seed: int
    quota_features: tuple[str, ...]

    def pool(self, *, households: bool = False) -> Pool:
        """The people as a :class:`Pool` (household rule on ``address`` if asked)."""
        return pool_from_frame(
            self.people, household_columns="address" if households else None, source="synthetic"
        )

    def quota_set(self) -> Quotas:
        """The quotas as :class:`Quotas`."""
        return quotas_from_frame(self.quotas, source="synthetic")

    def to_dict(self) -> dict:
        """JSON-able summary."""
        return {
            "n_people": len(self.people),
            "panel_size": self.panel_size,
            "seed": self.seed,
            "quota_features": list(self.quota_features),
            "quotas": self.quotas.to_dict("records"),
        }


def _population(rng: np.random.Generator, m: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A correlated population of m and the indices of those who register."""
    out: dict[str, np.ndarray] = {}

    def pick(feature: str, shares: np.ndarray, size: int) -> np.ndarray:
        vals = np.array(list(_POPULATION[feature]))
        cum = np.cumsum(shares, axis=1)
        cum[:, -1] = 1.0
        u = rng.random(size)
        idx = (u[:, None] > cum).sum(axis=1)
        return vals[idx]

    def base(feature: str, size: int) -> np.ndarray:
        return np.tile(np.array(list(_POPULATION[feature].values())), (size, 1))

    out["age"] = pick("age", base("age", m), m)
    out["gender"] = pick("gender", base("gender", m), m)
    out["area"] = pick("area", base("area", m), m)
    s = base("ethnicity", m)
    s[out["area"] == "east"] = [0.62, 0.2, 0.1, 0.08]
    s[out["area"] == "north"] = [0.93, 0.03, 0.01, 0.03]
    out["ethnicity"] = pick("ethnicity", s / s.sum(axis=1, keepdims=True), m)
    s = base("education", m)
    s[out["age"] == "65+"] = [0.35, 0.45, 0.20]
    s[out["age"] == "16-29"] = [0.10, 0.50, 0.40]
    s[out["area"] == "north"] *= [1.4, 1.0, 0.7]
    out["education"] = pick("education", s / s.sum(axis=1, keepdims=True), m)
    s = base("trust_in_government", m)
    s[out["education"] == "no qualifications"] = [0.60, 0.30, 0.10]
    s[out["education"] == "degree"] = [0.28, 0.45, 0.27]
    s[out["area"] == "north"] *= [1.3, 1.0, 0.7]
    out["trust_in_government"] = pick("trust_in_government", s / s.sum(axis=1, keepdims=True), m)
    s = base("no_point", m)
    s[out["trust_in_government"] == "low"] = [0.45, 0.55]
    s[out["education"] == "no qualifications"] *= [1.5, 1.0]
    out["no_point"] = pick("no_point", s / s.sum(axis=1, keepdims=True), m)
    prop = np.ones(m)
    for feature, factors in _PROPENSITY.items():
        prop *= np.vectorize(factors.get)(out[feature])
    prop /= prop.max()
    keep = np.nonzero(rng.random(m) < prop)[0]
    return out, keep


_FIRST = ["Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Li", "Maria", "Owen", "Zara", "Ben", "Ada"]


def synthetic_pool(
    n_people: int,
    *,
    seed: int | str = 0,
    panel_size: int = 40,
    quota_features: tuple[str, ...] = (
        "age",
        "gender",
        "area",
        "education",
        "ethnicity",
        "trust_in_government",
    ),
    slack: bool = True,
) -> SyntheticPool:
    """Make a realistic pool with correlated features, and census-like quotas.

    Parameters
    ----------
    n_people : int
        Registrants in the pool.
    seed : int or str, default 0
    panel_size : int, default 40
        Panel size the quotas are for.
    quota_features : tuple of str
        Features that get quotas (default: six; ``"no_point"`` can be added).
    slack : bool, default True
        Add one seat to every ``max`` (real quota files usually allow it).

    Returns
    -------
    SyntheticPool

    Notes
    -----
    The population is generated with correlations (older people have fewer
    degrees and more low trust in some areas; people with no qualifications
    say "no point" more often; ethnicity varies by area, so some
    combinations are rare). Registration then keeps each person with a
    probability proportional to the product of :data:`_PROPENSITY` factors,
    so low-trust, low-education and disengaged people are under-represented
    in the pool relative to the population, as in real registrations.
    """
    if n_people < 1 or panel_size < 1:
        raise ValueError("n_people and panel_size must be >= 1")
    rng = np.random.default_rng(seed_to_int(seed))
    # Oversample the population, then keep registrants by propensity; grow the
    # population if too few register (each attempt is reproducible from the seed).
    m = int(n_people * 4) + 200
    while True:
        out, keep = _population(rng, m)
        if len(keep) >= n_people:
            break
        m *= 2
    keep = np.sort(rng.choice(keep, n_people, replace=False))
    people = pd.DataFrame({f: out[f][keep] for f in _POPULATION})
    people.insert(0, "id", [f"R{i + 1:06d}" for i in range(n_people)])
    people.insert(1, "first_name", rng.choice(_FIRST, n_people))
    addresses = np.array(
        [
            f"{i + 1} {rng.choice(['High', 'Mill', 'Park', 'Church'])} Street"
            for i in range(n_people)
        ]
    )
    share = rng.random(n_people) < 0.05
    share_idx = np.nonzero(share)[0]
    if len(share_idx):
        addresses[share_idx] = addresses[np.maximum(share_idx - 1, 0)]
    people.insert(2, "address", addresses)
    rows = []
    pop_rows = []
    k = panel_size
    for feature in _POPULATION:
        for value, sh in _POPULATION[feature].items():
            pool_share = float((people[feature] == value).mean())
            pop_rows.append((feature, value, sh, pool_share))
            if feature in quota_features:
                lo = int(np.floor(sh * k))
                hi = int(np.ceil(sh * k)) + (1 if slack else 0)
                rows.append((feature, value, lo, hi))
    quotas = pd.DataFrame(rows, columns=["feature", "value", "min", "max"])
    population = pd.DataFrame(
        pop_rows, columns=["feature", "value", "population_share", "pool_share"]
    )
    return SyntheticPool(
        people.astype(str), quotas, population, panel_size, seed_to_int(seed), tuple(quota_features)
    )
