"""Oracle tests of the stage-one invitation lottery, :func:`minipublic.sortition.invite`.

Moved here from the site's recruitment app when it switched to the core
function: hand-worked allocations, an exact brute-force enumeration of the
stratified design, an independent water-filling reference for the
allocation (hypothesis), and the seed semantics.
"""

import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minipublic.errors import InputError
from minipublic.sortition import invite


def _table(counts: dict[str, int]) -> pd.DataFrame:
    """One row per address, ids ``a0, a1, ...`` in area order as given."""
    areas = [a for a, k in counts.items() for _ in range(k)]
    return pd.DataFrame({"id": [f"a{i}" for i in range(len(areas))], "area": areas})


def _alloc(inv) -> dict[str, int]:
    return {
        a: int(k) for a, k in zip(inv.allocation["area"], inv.allocation["invited"], strict=True)
    }


def test_allocation_hand_worked():
    # Mass: a = 100 * 1 = 100, b = 100 * 3 = 300; 40 letters -> 10 and 30.
    inv = invite(_table({"a": 100, "b": 100}), 40, area_column="area", weights={"b": 3.0})
    assert _alloc(inv) == {"a": 10, "b": 30}


def test_allocation_largest_remainder_ties_by_area_name():
    # Targets 10 * (1/3, 1/3, 1/3) = 3.33 each; the spare letter goes to the first name.
    inv = invite(_table({"y": 5, "x": 5, "z": 5}), 10, area_column="area")
    assert _alloc(inv) == {"x": 4, "y": 3, "z": 3}


def test_allocation_caps_at_area_size_and_redistributes():
    # b's target 12 * 200/220 ~ 10.9 exceeds its 4 addresses: b gets 4, a gets the other 8.
    inv = invite(_table({"a": 20, "b": 4}), 12, area_column="area", weights={"b": 50.0})
    assert _alloc(inv) == {"a": 8, "b": 4}
    probs = inv.allocation.set_index("area")["inclusion_probability"]
    assert probs.to_dict() == pytest.approx({"a": 8 / 20, "b": 1.0})


def test_every_address_invited():
    inv = invite(_table({"a": 3, "b": 7}), 10, area_column="area", weights={"a": 9.0})
    assert _alloc(inv) == {"a": 3, "b": 7}
    assert len(inv.invited) == 10 and (inv.invited["inclusion_probability"] == 1.0).all()


def test_inclusion_probabilities_are_k_over_n_on_every_invited_row():
    table = _table({"north": 30, "east": 10})
    inv = invite(table, 20, area_column="area", weights={"east": 3.0}, seed=1)
    # Mass 30 and 30: 10 letters each. North 10/30, east 10/10.
    assert _alloc(inv) == {"east": 10, "north": 10}
    expected = inv.invited["area"].map({"north": 1 / 3, "east": 1.0})
    assert np.allclose(inv.invited["inclusion_probability"], expected)
    assert inv.invited.groupby("area").size().to_dict() == {"east": 10, "north": 10}


def test_brute_force_oracle_small_case():
    """Every address's empirical inclusion frequency matches the exact probability.

    The exact probabilities come from enumerating all equally likely samples
    of a stratified simple random sample without replacement with the
    allocation ``k = (1, 2)`` worked by hand (mass 3 and 4, 3 letters:
    targets 1.29 and 1.71), independent of the code.
    """
    table = _table({"a": 3, "b": 2})
    weights, n = {"b": 2.0}, 3
    exact = np.zeros(len(table))
    samples = list(
        itertools.product(itertools.combinations([0, 1, 2], 1), itertools.combinations([3, 4], 2))
    )
    for sa, sb in samples:
        for i in (*sa, *sb):
            exact[i] += 1 / len(samples)
    inv = invite(table, n, area_column="area", weights=weights, seed=0)
    assert _alloc(inv) == {"a": 1, "b": 2}
    pi = table["area"].map(inv.allocation.set_index("area")["inclusion_probability"])
    assert np.allclose(pi, exact)
    runs = 2000
    hits = np.zeros(len(table))
    for seed in range(runs):
        drawn = invite(table, n, area_column="area", weights=weights, seed=seed).invited["id"]
        hits[[int(i[1:]) for i in drawn]] += 1
    # 2000 runs: standard error <= 0.0112; allow 4 of them.
    assert np.all(np.abs(hits / runs - exact) < 0.045)


def test_seed_semantics():
    """Same seed, same draw; a text seed is SHA-256 of its stripped UTF-8, first 8 bytes."""
    table = _table({"a": 50, "b": 50})
    one = invite(table, 30, area_column="area", seed="public words")
    two = invite(table, 30, area_column="area", seed=" public words ")
    three = invite(table, 30, area_column="area", seed="other words")
    assert one.invited["id"].tolist() == two.invited["id"].tolist()
    assert one.invited["id"].tolist() != three.invited["id"].tolist()
    as_int = int.from_bytes(hashlib.sha256(b"public words").digest()[:8], "big")
    assert one.seed == as_int
    again = invite(table, 30, area_column="area", seed=as_int)
    assert again.invited["id"].tolist() == one.invited["id"].tolist()
    assert one.method.startswith("stratified simple random sampling without replacement")


@pytest.mark.parametrize(
    ("n", "weights"),
    [(0, None), (11, None), (2, {"a": 0}), (2, {"a": float("nan")}), (2, {"nowhere": 2.0})],
)
def test_rejects_bad_input(n, weights):
    with pytest.raises(InputError):
        invite(_table({"a": 10}), n, area_column="area", weights=weights)


@settings(max_examples=120, deadline=None)
@given(
    counts=st.dictionaries(
        st.sampled_from("abcdef"), st.integers(min_value=1, max_value=40), min_size=1
    ),
    raw_weights=st.dictionaries(st.sampled_from("abcdef"), st.floats(min_value=0.1, max_value=10)),
    share=st.floats(min_value=0.0, max_value=1.0),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_allocation_properties(counts, raw_weights, share, seed):
    """Sum is n, caps hold, and uncapped areas are within one letter of their share.

    The reference shares are recomputed independently by water-filling: an
    area whose share ``remaining * N_a w_a / sum(N_b w_b)`` reaches ``N_a``
    gets every address, and the rest is shared again among the others.
    """
    total = sum(counts.values())
    n = max(1, int(round(share * total)))
    weights = {a: w for a, w in raw_weights.items() if a in counts}
    inv = invite(_table(counts), n, area_column="area", weights=weights, seed=seed)
    alloc = _alloc(inv)
    assert sum(alloc.values()) == n == len(inv.invited)
    assert all(0 <= alloc[a] <= counts[a] for a in counts)
    assert inv.invited.groupby("area").size().reindex(list(alloc), fill_value=0).to_dict() == alloc
    assert inv.invited["id"].is_unique
    open_ = set(counts)
    remaining = n
    reference = {}
    while open_:
        mass = {a: counts[a] * weights.get(a, 1.0) for a in open_}
        q = {a: remaining * mass[a] / sum(mass.values()) for a in open_}
        full = {a for a in open_ if q[a] >= counts[a]}
        if not full:
            reference.update(q)
            break
        for a in full:
            reference[a] = counts[a]
            remaining -= counts[a]
        open_ -= full
    for a, q in reference.items():
        assert abs(alloc[a] - q) < 1 + 1e-9
