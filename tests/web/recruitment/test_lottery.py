"""Stage-one lottery and the file readers: hand-worked cases and a brute-force oracle."""

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minipublic.errors import InputError
from minipublic.web.recruitment.lottery import (
    allocate_letters,
    read_address_table,
    read_area_weights,
    stage_one_lottery,
)


def test_allocate_hand_worked():
    # Mass: a = 100 * 1 = 100, b = 100 * 3 = 300; 40 letters -> 10 and 30.
    assert allocate_letters({"a": 100, "b": 100}, {"b": 3.0}, 40) == {"a": 10, "b": 30}


def test_allocate_largest_remainder():
    # Targets 10 * (1/3, 1/3, 1/3) = 3.33 each; one spare letter goes to the first name.
    assert allocate_letters({"x": 5, "y": 5, "z": 5}, {}, 10) == {"x": 4, "y": 3, "z": 3}


def test_allocate_caps_at_area_size_and_redistributes():
    # b's target 12 * 10/11 ~ 10.9 exceeds its 4 addresses: b gets 4, a gets the other 8.
    assert allocate_letters({"a": 20, "b": 4}, {"b": 50.0}, 12) == {"a": 8, "b": 4}


def test_allocate_all_letters():
    counts = {"a": 3, "b": 7}
    assert allocate_letters(counts, {"a": 9.0}, 10) == counts


def test_inclusion_probabilities_are_k_over_n():
    areas = ["north"] * 30 + ["east"] * 10
    result = stage_one_lottery(areas, n_letters=20, weights={"east": 3.0}, seed=1)
    # Mass 30 and 30: 10 letters each. North 10/30, east 10/10.
    assert result.allocation == {"north": 10, "east": 10}
    assert np.allclose(result.inclusion_probability[:30], 1 / 3)
    assert np.allclose(result.inclusion_probability[30:], 1.0)
    assert len(result.invited) == 20
    assert Counter(areas[i] for i in result.invited) == {"north": 10, "east": 10}


def test_brute_force_oracle_small_case():
    """Every address's empirical inclusion frequency matches the exact k_a / N_a.

    The exact probabilities come from enumerating all equally likely samples
    of a stratified SRSWOR design (brute force), independent of the code.
    """
    areas = ["a", "a", "a", "b", "b"]
    weights = {"b": 2.0}
    n = 3
    alloc = allocate_letters({"a": 3, "b": 2}, weights, n)
    # Brute force: all subsets of each stratum of the allocated size are equally likely.
    exact = np.zeros(len(areas))
    samples = list(
        itertools.product(
            itertools.combinations([0, 1, 2], alloc["a"]),
            itertools.combinations([3, 4], alloc["b"]),
        )
    )
    for sa, sb in samples:
        for i in (*sa, *sb):
            exact[i] += 1 / len(samples)
    hits = np.zeros(len(areas))
    runs = 3000
    for seed in range(runs):
        hits[stage_one_lottery(areas, n_letters=n, weights=weights, seed=seed).invited] += 1
    result = stage_one_lottery(areas, n_letters=n, weights=weights, seed=0)
    assert np.allclose(result.inclusion_probability, exact)
    # 3000 runs: standard error <= 0.0092; allow 4 of them.
    assert np.all(np.abs(hits / runs - exact) < 0.037)


def test_same_seed_same_draw_other_seed_other_draw():
    areas = ["a"] * 50 + ["b"] * 50
    one = stage_one_lottery(areas, n_letters=30, seed="public words")
    two = stage_one_lottery(areas, n_letters=30, seed="public words")
    three = stage_one_lottery(areas, n_letters=30, seed="other words")
    assert one.invited.tolist() == two.invited.tolist()
    assert one.invited.tolist() != three.invited.tolist()
    assert one.seed == "public words" and one.method == "stratified-srswor"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_letters": 0}, "between 1"),
        ({"n_letters": 11}, "between 1"),
        ({"n_letters": 2, "weights": {"a": 0}}, "positive"),
        ({"n_letters": 2, "weights": {"a": float("nan")}}, "positive"),
    ],
)
def test_lottery_rejects_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        stage_one_lottery(["a"] * 10, **kwargs)


GOOD = b"address,street,postcode,area\n1 High St,High St,AB1 1AA,north\n2 High St,,AB1 1AB,north\n5 Mill Lane,,,east\n"


def test_read_address_table():
    table = read_address_table(GOOD, "addresses.csv")
    assert list(table["area"]) == ["north", "north", "east"]
    assert list(table["row"]) == [2, 3, 4]
    # The street is guessed from the address when the column is empty.
    assert list(table["street"]) == ["High St", "High St", "Mill Lane"]
    assert table["household_key"].iloc[0] == "1 high st ab1 1aa"


@pytest.mark.parametrize(
    ("data", "row", "column", "match"),
    [
        (b"addr,area\n1 High St,north\n", None, "address", "no 'address' column"),
        (b"address,ward\n1 High St,north\n", None, "area", "no 'area' column"),
        (b"address,area\n1 High St,north\n2 High St,\n", 3, "area", "area is empty"),
        (b"address,area\n1 High St,north\n,north\n", 3, "address", "address is empty"),
        (b"address,area\n1 High St,north\n1  high st.,north\n", 3, "address", "listed twice"),
        (b"address,area\n", None, None, "no rows"),
        (b"\xff\xfe\x00bad", None, None, "UTF-8"),
    ],
)
def test_read_address_table_errors_name_row_and_column(data, row, column, match):
    with pytest.raises(InputError, match=match) as info:
        read_address_table(data, "addresses.csv")
    assert info.value.file == "addresses.csv"
    assert info.value.row == row
    if column:
        assert info.value.column == column


def test_read_address_table_custom_area_column_and_xlsx():
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"Address": ["1 A Rd", "2 A Rd"], "Ward": ["w1", "w2"]}).to_excel(buf, index=False)
    table = read_address_table(buf.getvalue(), "a.xlsx", area_column="ward")
    assert list(table["area"]) == ["w1", "w2"]


def test_read_area_weights():
    assert read_area_weights(b"area,weight\nnorth,1.5\neast,2\n", "w.csv") == {
        "north": 1.5,
        "east": 2.0,
    }
    for data, row in [
        (b"area,weight\nnorth,x\n", 2),
        (b"area,weight\nnorth,1\neast,-1\n", 3),
        (b"area,weight\nnorth,1\nnorth,2\n", 3),
    ]:
        with pytest.raises(InputError) as info:
            read_area_weights(data, "w.csv")
        assert info.value.row == row


@settings(max_examples=150, deadline=None)
@given(
    counts=st.dictionaries(
        st.sampled_from("abcdef"), st.integers(min_value=0, max_value=40), min_size=1
    ),
    raw_weights=st.dictionaries(
        st.sampled_from("abcdef"), st.floats(min_value=0.1, max_value=10.0)
    ),
    share=st.floats(min_value=0.0, max_value=1.0),
)
def test_allocation_properties(counts, raw_weights, share):
    """Sum is n, caps hold, and uncapped areas are within one letter of their share.

    The reference shares are recomputed independently by water-filling: an
    area whose share ``remaining * N_a w_a / sum(N_b w_b)`` reaches ``N_a``
    gets every address, and the rest is shared again among the others.
    """
    total = sum(counts.values())
    n = int(round(share * total))
    alloc = allocate_letters(counts, raw_weights, n)
    assert sum(alloc.values()) == n
    assert all(0 <= alloc[a] <= counts[a] for a in counts)
    open_ = {a for a in counts if counts[a] > 0}
    remaining = n
    reference = {}
    while open_:
        mass = {a: counts[a] * raw_weights.get(a, 1.0) for a in open_}
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
