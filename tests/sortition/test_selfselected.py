"""The self-selected pool family (issue #21): feasible quotas, shares, correlations, skew."""

import math

import numpy as np
import pytest

from minipublic.sortition import check_feasibility
from minipublic.sortition._selfselected import (
    EIGHT,
    SHARES,
    SIX,
    _population,
    family_pool,
    selfselected_pool,
)


@pytest.mark.parametrize("family", ["selfselected", "tight", "loose", "eight", "households"])
@pytest.mark.parametrize(("n", "k"), [(500, 40), (2000, 100)])
def test_every_family_is_feasible(family, n, k):
    sp, households = family_pool(family, n, k)
    assert len(sp.people) == n and sp.people["id"].is_unique
    assert check_feasibility(sp.pool(households=households), sp.quota_set(), k).feasible


@pytest.mark.parametrize(("slack", "s"), [(0.0, 0), (0.025, 3), (0.05, 5)])
def test_quotas_follow_population_shares(slack, s):
    k = 100
    sp = selfselected_pool(300, seed=4, panel_size=k, slack=slack)
    for row in sp.quotas.itertuples():
        p = SHARES[row.feature][row.value]
        assert row.min == max(0, math.floor(k * p + 1e-9) - s)
        assert row.max == min(k, math.ceil(k * p - 1e-9) + s)
    assert set(sp.quotas["feature"]) == set(SIX)
    # k = 40: one seat of slack by default.
    q = selfselected_pool(300, seed=4, panel_size=40).quotas.set_index(["feature", "value"])
    assert (q.loc[("trust", "low"), "min"], q.loc[("trust", "low"), "max"]) == (13, 15)


def test_population_marginals_and_correlations():
    people = _population(np.random.default_rng(0), 200_000, EIGHT)
    for feature, shares in SHARES.items():
        observed = people[feature].value_counts(normalize=True)
        for value, p in shares.items():
            assert abs(observed.get(value, 0.0) - p) < 0.006, (feature, value)

    def share(mask, feature, values):
        return people.loc[mask, feature].isin(values).mean()

    minority = ["asian", "black", "mixed", "other"]
    assert share(people.region == "capital", "ethnicity", minority) > 2 * share(
        people.region == "rural north", "ethnicity", minority
    )
    young = people.age.isin(["16-24", "25-39"])
    assert share(young, "education", ["degree"]) > 1.5 * share(
        people.age == "70+", "education", ["degree"]
    )
    assert share(people.education == "degree", "trust", ["high"]) > 2 * share(
        people.education == "none", "trust", ["high"]
    )


def test_self_selection_skews_the_pool():
    sp = selfselected_pool(3000, seed=2, panel_size=100)
    pop = sp.population.set_index(["feature", "value"])
    over = [("education", "degree"), ("trust", "high")]
    under = [
        ("trust", "low"),
        ("education", "none"),
        ("age", "16-24"),
        ("age", "70+"),
        ("ethnicity", "black"),
    ]
    for key in over:
        assert pop.loc[key, "pool_share"] > 1.3 * pop.loc[key, "population_share"], key
    for key in under:
        assert pop.loc[key, "pool_share"] < 0.8 * pop.loc[key, "population_share"], key


def test_households_and_determinism():
    sp = selfselected_pool(2000, seed=5, panel_size=100)
    shared = sp.people["address"].duplicated(keep=False).mean()
    assert 0.14 <= shared <= 0.16
    same = sp.people.groupby("address")["region"].nunique()
    assert (same == 1).mean() > 0.97  # pairs straddle a region only at the boundaries
    assert sp.people.equals(selfselected_pool(2000, seed=5, panel_size=100).people)
    assert not sp.people.equals(selfselected_pool(2000, seed=6, panel_size=100).people)
    eight = selfselected_pool(500, seed=5, features=EIGHT)
    assert {"tenure", "disability"} <= set(eight.people.columns)
    with pytest.raises(ValueError, match="unknown family"):
        family_pool("nope", 10, 2)
