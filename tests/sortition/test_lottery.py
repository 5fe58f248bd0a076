"""Uniform lottery: rounding bound, exact SHA-256 draw rule, verification."""

import hashlib

import numpy as np
import pytest
from sortition_cases import random_case

from minipublic.sortition import (
    draw,
    find_distribution,
    lottery_index,
    pool_from_frame,
    quotas_from_frame,
    round_lottery,
    synthetic_pool,
    verify,
)


@pytest.fixture(scope="module")
def dist():
    sp = synthetic_pool(120, seed=4, panel_size=10, quota_features=("age", "gender", "education"))
    return sp, find_distribution(sp.pool(), sp.quota_set(), 10)


def test_index_is_sha256_mod_m():
    seed = "  12 31 7 44 9 "
    expected = int(hashlib.sha256(b"12 31 7 44 9").hexdigest(), 16) % 1000
    assert lottery_index(seed, 1000)[0] == expected


@pytest.mark.parametrize("m", [50, 300])
def test_rounding_within_bound_and_quotas_hold(dist, m):
    sp, d = dist
    lottery = round_lottery(d, m=m, seed=3)
    assert lottery.m == m
    assert lottery.max_deviation <= lottery.bound
    counts = {}
    people = sp.people.set_index("id")
    for panel in set(lottery.panels):
        sub = people.loc[list(panel)]
        assert len(sub) == 10
        for q in sp.quotas.itertuples():
            assert q.min <= (sub[q.feature] == q.value).sum() <= q.max
    for panel in lottery.panels:
        for i in panel:
            counts[i] = counts.get(i, 0) + 1
    realised = np.array([counts.get(i, 0) / m for i in d.ids])
    np.testing.assert_allclose(realised, lottery.realised)
    assert abs(realised.sum() - 10) < 1e-9


def test_lottery_is_deterministic_given_seed(dist):
    _, d = dist
    assert round_lottery(d, m=200, seed=5).sha256 == round_lottery(d, m=200, seed=5).sha256


def test_draw_and_verify(dist):
    _, d = dist
    lottery = round_lottery(d, m=100)
    result = draw(lottery, "7 14 21")
    assert result.panel == lottery.panels[lottery_index("7 14 21", 100)[0]]
    assert verify(lottery, result.panel, "7 14 21").matches
    assert not verify(lottery, result.panel[:-1] + ("someone",), "7 14 21").matches
    other = next(p for p in lottery.panels if p != result.panel)
    assert not verify(lottery, other, "7 14 21").matches


def test_single_panel_distribution_rounds_exactly():
    people, quotas, k = random_case(2)
    d = find_distribution(pool_from_frame(people), quotas_from_frame(quotas), k)
    lottery = round_lottery(d, m=1000)
    assert lottery.max_deviation <= lottery.bound
    assert lottery.to_csv().startswith("panel,probability,ids\n0,0.001,")
