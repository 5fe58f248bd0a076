"""Replacements and the stage-one invitation lottery."""

import numpy as np
import pandas as pd
import pytest

from minipublic.errors import InputError
from minipublic.sortition import (
    draw,
    find_distribution,
    follow_up,
    invite,
    pool_from_frame,
    quotas_from_frame,
    replace,
    round_lottery,
    synthetic_pool,
)


@pytest.fixture(scope="module")
def selected():
    sp = synthetic_pool(100, seed=7, panel_size=8, quota_features=("age", "gender"))
    pool, quotas = sp.pool(), sp.quota_set()
    d = find_distribution(pool, quotas, 8)
    return sp, pool, quotas, draw(round_lottery(d, m=100), "1 2 3").panel


def test_replacement_keeps_quotas_and_is_reproducible(selected):
    sp, pool, quotas, panel = selected
    dropped = panel[:2]
    a = replace(pool, quotas, panel, dropped, public_seed="9 9", m=100)
    b = replace(pool, quotas, panel, dropped, public_seed="9 9", m=100)
    assert a.replacements == b.replacements and len(a.replacements) == 2
    assert not set(a.replacements) & set(panel)
    assert set(a.kept) == set(panel) - set(dropped)
    sub = sp.people[sp.people["id"].isin(a.panel_after)]
    assert len(sub) == 8
    if not a.quota_changes:
        for q in sp.quotas.itertuples():
            assert q.min <= (sub[q.feature] == q.value).sum() <= q.max
    assert abs(sum(a.probabilities.values()) - 2) < 1e-6
    assert a.to_dict()["draw"]["public_seed"] == "9 9"


def test_replacement_like_for_like_hand_case():
    """Dropped: the only woman; only women may replace her (1 woman exactly)."""
    people = pd.DataFrame({"id": list("abcdefg"), "g": ["f", "m", "m", "f", "f", "m", "m"]})
    quotas = pd.DataFrame(
        {"feature": ["g", "g"], "value": ["f", "m"], "min": [1, 2], "max": [1, 2]}
    )
    pool, q = pool_from_frame(people), quotas_from_frame(quotas)
    r = replace(pool, q, ["a", "b", "c"], ["a"], public_seed="x", m=10)
    assert r.replacements[0] in {"d", "e"}
    assert r.probabilities["d"] == pytest.approx(0.5, abs=1e-9)
    assert r.probabilities["f"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(InputError):
        replace(pool, q, ["a", "b", "c"], ["z"], public_seed="x")


def test_invitation_allocation_hand_worked():
    """Areas of 100/200/100 addresses, weights 2/1/1, n = 50: n_a = 50 * w N / sum(w N)."""
    table = pd.DataFrame(
        {"id": [f"A{i}" for i in range(400)], "area": ["x"] * 100 + ["y"] * 200 + ["z"] * 100}
    )
    inv = invite(table, 50, area_column="area", weights={"x": 2}, seed=1)
    alloc = dict(zip(inv.allocation["area"], inv.allocation["invited"], strict=True))
    # shares 200:200:100 of 500 -> 20, 20, 10
    assert alloc == {"x": 20, "y": 20, "z": 10}
    probs = dict(zip(inv.allocation["area"], inv.allocation["inclusion_probability"], strict=True))
    assert probs == {"x": 0.2, "y": 0.1, "z": 0.1}
    assert len(inv.invited) == 50 and inv.invited["id"].is_unique
    assert (inv.invited.groupby("area").size() == pd.Series(alloc)).all()
    again = invite(table, 50, area_column="area", weights={"x": 2}, seed=1)
    assert inv.invited["id"].tolist() == again.invited["id"].tolist()
    responded = inv.invited["id"].iloc[:3].tolist()
    fu = follow_up(inv, responded)
    assert set(fu["area"]) == {"x"} and not set(fu["id"]) & set(responded)
    assert len(fu) == 20 - sum(inv.invited["area"].iloc[:3] == "x")


def test_invitation_empirical_inclusion_matches():
    table = pd.DataFrame({"id": [f"A{i}" for i in range(30)], "area": ["x"] * 10 + ["y"] * 20})
    hits = np.zeros(30)
    for s in range(400):
        inv = invite(table, 6, area_column="area", weights={"x": 3}, seed=s)
        hits[[int(i[1:]) for i in inv.invited["id"]]] += 1
    # x: 3*10 / (30 + 20) * 6 = 3.6 -> pi 0.36 (after rounding: 4 or 3 -> 0.4), y: 2/20 = 0.1
    p = inv.allocation.set_index("area")["inclusion_probability"]
    assert abs(hits[:10].mean() / 400 - p["x"]) < 0.03
    assert abs(hits[10:].mean() / 400 - p["y"]) < 0.03


def test_invitation_capped_area_and_errors():
    table = pd.DataFrame({"id": [f"A{i}" for i in range(30)], "area": ["x"] * 5 + ["y"] * 25})
    inv = invite(table, 20, area_column="area", weights={"x": 10}, seed=0)
    alloc = dict(zip(inv.allocation["area"], inv.allocation["invited"], strict=True))
    assert alloc == {"x": 5, "y": 15}
    with pytest.raises(InputError):
        invite(table, 31, area_column="area")
    with pytest.raises(InputError):
        invite(table, 5, area_column="ward")
    with pytest.raises(InputError):
        invite(table, 5, area_column="area", weights={"q": 2})
