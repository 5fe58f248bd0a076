"""Quota conversion: hand-computed cases."""

from decimal import Decimal

import pytest

from minipublic.errors import InputError
from minipublic.web.selection.quotas import (
    NOT_ANSWERED,
    QuotaLine,
    bounds_for,
    pool_table,
    quotas_from_lines,
)


@pytest.mark.parametrize(
    ("share", "tol", "k", "direction", "expected"),
    [
        # k (s - t)/100 = 100 * 38/100 = 38 exactly; k (s + t)/100 = 42 exactly.
        (40, 2, 100, "range", (38, 42)),
        # 30 * 33.3/100 = 9.99 -> floor 9, ceil 10.
        ("33.3", 0, 30, "range", (9, 10)),
        # 40 * 12.5/100 = 5 exactly: min = max = 5 (Decimal, no 4.999... rounding).
        ("12.5", 0, 40, "range", (5, 5)),
        # 0.1 * 30 = 3 exactly in Decimal (binary float would give 3.0000000000000004 -> ceil 4).
        ("10", "0", 30, "range", (3, 3)),
        # 24 seats, 51 % +- 3: 24*0.48 = 11.52 -> 11; 24*0.54 = 12.96 -> 13.
        (51, 3, 24, "range", (11, 13)),
        # Clipped at 0 and k.
        (1, 5, 100, "range", (0, 6)),
        (99, 5, 100, "range", (94, 100)),
        # One-sided and unlimited quotas.
        (40, 0, 100, "at_least", (40, 100)),
        (40, 2, 100, "at_least", (38, 100)),
        (20, 1, 50, "at_most", (0, 11)),  # 50 * 21/100 = 10.5 -> 11
        (20, 1, 50, "any", (0, 50)),
    ],
)
def test_bounds_hand_computed(share, tol, k, direction, expected):
    assert bounds_for(share, tol, k, direction=direction) == expected


def test_bounds_exact_products_are_not_rounded_outwards():
    # 0.29 * 100 is 28.999999999999996 in binary floating point; in Decimal it is 29.
    assert bounds_for("29", 0, 100) == (29, 29)
    assert bounds_for(Decimal("7.5"), 0, 40) == (3, 3)


@pytest.mark.parametrize(
    ("share", "tol", "k", "direction", "column"),
    [
        (-1, 0, 10, "range", "share"),
        (101, 0, 10, "range", "share"),
        (10, -1, 10, "range", "tolerance"),
        (10, 0, 0, "range", "size"),
        (10, 0, 10, "sideways", "direction"),
        ("nan", 0, 10, "range", "share"),
    ],
)
def test_bounds_bad_input(share, tol, k, direction, column):
    with pytest.raises(InputError) as err:
        bounds_for(share, tol, k, direction=direction)
    assert err.value.column == column


def test_quotas_from_lines_rows_and_bounds():
    lines = [
        QuotaLine("trust_band", "low", Decimal(40), Decimal(0), "at_least"),
        QuotaLine("trust_band", "medium", Decimal(40), Decimal(5), "range"),
        QuotaLine("trust_band", "high", Decimal(20), Decimal(0), "any"),
    ]
    q = quotas_from_lines(lines, 10)
    assert [(x.feature, x.value, x.min, x.max, x.row) for x in q.quotas] == [
        ("trust_band", "low", 4, 10, 2),
        ("trust_band", "medium", 3, 5, 3),  # 10*0.35 = 3.5 -> 3; 10*0.45 = 4.5 -> 5
        ("trust_band", "high", 0, 10, 4),
    ]
    with pytest.raises(InputError):
        quotas_from_lines([], 10)


def test_pool_table_missing_answers_and_households():
    table = pool_table(
        [("P-1", "1 high st", {"age": "16-29"}), ("P-2", "", {"age": "65+", "x": "y"})],
        ["age", "trust_band"],
    )
    assert list(table.columns) == ["id", "household", "age", "trust_band"]
    assert table["trust_band"].tolist() == [NOT_ANSWERED, NOT_ANSWERED]
    assert table["household"].tolist() == ["1 high st", "solo:P-2"]
