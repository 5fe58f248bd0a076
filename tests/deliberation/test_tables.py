"""Table allocation: brute force on small cases, hand-worked scores, constraints, determinism."""

from itertools import combinations, combinations_with_replacement, product
from math import comb

import numpy as np
import pandas as pd
import pytest

from minipublic.deliberation.tables import (
    Mix,
    assign_tables,
    cluster_score,
    diversity_score,
    repeat_lower_bound,
    reseat,
)
from minipublic.errors import InfeasibleError, InputError


def people(n, **columns):
    frame = pd.DataFrame({"id": [f"p{i:02d}" for i in range(n)]})
    for name, values in columns.items():
        frame[name] = values
    return frame


def partitions(items, tables):
    """Every split of ``items`` into ``tables`` unlabelled tables of q or q+1 (q = n // tables)."""
    n = len(items)
    q, extra = divmod(n, tables)

    def rec(rest, big_left, small_left):
        if not rest:
            yield []
            return
        first, others = rest[0], rest[1:]
        for size, ok in ((q + 1, big_left > 0), (q, small_left > 0)):
            if not ok or size == 0:
                continue
            for mates in combinations(others, size - 1):
                block = (first, *mates)
                remaining = [x for x in others if x not in mates]
                for tail in rec(remaining, big_left - (size == q + 1), small_left - (size == q)):
                    yield [block, *tail]

    yield from rec(list(items), extra, tables - extra)


def repeats_of(rounds_blocks, n):
    met = np.zeros((n, n), dtype=int)
    for blocks in rounds_blocks:
        for block in blocks:
            for a, b in combinations(block, 2):
                met[a, b] += 1
    return int(np.maximum(met - 1, 0).sum())


def brute_force_repeats(n, tables, rounds):
    """Fewest repeat meetings over all plans (round 1 fixed: relabelling members is free)."""
    pairs = {p: k for k, p in enumerate(combinations(range(n), 2))}
    parts = list(partitions(range(n), tables))
    inc = np.zeros((len(parts), len(pairs)), dtype=np.int8)
    for row, blocks in enumerate(parts):
        for block in blocks:
            for p in combinations(block, 2):
                inc[row, pairs[p]] = 1
    best = None
    # Rounds 2..R as a multiset of partitions (their order does not matter).
    for rest in combinations_with_replacement(range(len(parts)), rounds - 2):
        base = inc[0] + inc[list(rest)].sum(axis=0) if rest else inc[0].astype(int)
        total = np.maximum(base[None, :] + inc - 1, 0).sum(axis=1).min()
        best = int(total) if best is None else min(best, int(total))
    return best


@pytest.mark.parametrize(
    ("n", "tables", "rounds"),
    [(8, 2, 3), (9, 3, 3), (7, 2, 3), (10, 3, 2), (12, 3, 2), (6, 2, 4), (8, 2, 4), (12, 4, 2)],
)
def test_fewest_repeats_match_brute_force(n, tables, rounds):
    best = brute_force_repeats(n, tables, rounds)
    plan = assign_tables(people(n), tables=tables, rounds=rounds, seed=3, time_limit=10)
    assert plan.repeat_meetings == best
    assert plan.repeat_lower_bound <= best
    assert plan.pairs_possible == comb(n, 2)


def test_lower_bound_hand_worked():
    # 9 people in threes: each meets 2 a round, 8 others exist; 5 rounds = 10 meetings each.
    assert repeat_lower_bound(9, 3, 5) == 9
    # 150 in 15 tens for 8 rounds: 72 meetings each, 149 others: no forced repeat.
    assert repeat_lower_bound(150, 15, 8) == 0
    # A together group of 4 meets 3 times in 3 rounds: C(4,2) * 2 forced repeats.
    assert repeat_lower_bound(40, 8, 3, group_sizes=[4]) == 12
    # 40 in 5 tables of 8: a later table of 8 from 5 first tables holds >= 3 old pairs.
    assert repeat_lower_bound(40, 5, 3) == 30
    # 4 people, 2 tables of 2, 4 rounds: 8 meetings, 6 pairs.
    assert repeat_lower_bound(4, 2, 4) == 2
    assert repeat_lower_bound(8, 2, 2) == 4


def test_scores_hand_worked():
    assert diversity_score(np.array([2, 2]), np.array([10, 10])) == 1.0
    assert diversity_score(np.array([4, 0]), np.array([10, 10])) == 0.0
    # 3 of 1 value when 2 are expected: deviation 2 of a possible 4 (min 0).
    assert diversity_score(np.array([3, 1]), np.array([10, 10])) == pytest.approx(0.5)
    # One in three of a table of 4 cannot be met exactly: rounding 1 or 2 scores 1.
    assert diversity_score(np.array([1, 3]), np.array([4, 8])) == 1.0
    assert cluster_score(np.array([3, 0]), np.array([3, 9]), 4) == 1.0
    assert cluster_score(np.array([1, 0]), np.array([3, 9]), 4) == 0.0
    assert cluster_score(np.array([0, 0]), np.array([3, 9]), 4) == 1.0


def test_diversify_mixes_evenly():
    frame = people(12, gender=["f", "m"] * 6, area=list("aaabbbcccddd"))
    plan = assign_tables(
        frame, tables=3, rounds=2, mix={"gender": "diversify", "area": "diversify"}, seed=1
    )
    g = plan.mixing[plan.mixing["feature"] == "gender"]
    assert (g["score"] == 1.0).all()
    assert all(c == {"f": 2, "m": 2} for c in g["counts"])


def test_cluster_keeps_values_together():
    frame = people(12, bsl=["yes"] * 3 + [""] * 9)
    plan = assign_tables(frame, tables=3, rounds=3, mix={"bsl": Mix("cluster", 5.0)}, seed=2)
    for r in (1, 2, 3):
        tables = {plan.table_of(r, f"p{i:02d}") for i in range(3)}
        assert len(tables) == 1
    assert (plan.mixing["score"] == 1.0).all()


def test_numeric_feature_is_banded():
    frame = people(16, age=[str(18 + 4 * i) for i in range(16)])
    plan = assign_tables(frame, tables=4, rounds=1, mix={"age": "diversify"}, seed=0)
    assert (plan.mixing["score"] == 1.0).all()
    assert all(len(c) == 4 for c in plan.mixing["counts"])


@pytest.mark.parametrize(("n", "tables"), [(30, 5), (36, 6)])
def test_same_seed_same_plan(n, tables):
    """Greedy start (30 at 5 tables of 6) and difference-matrix start (36 at 6 of 6)."""
    frame = people(n, area=list("abc") * (n // 3), trust=["low", "high"] * (n // 2))
    kw = {"tables": tables, "rounds": 3, "mix": {"area": "diversify", "trust": "diversify"}}
    a = assign_tables(frame, seed=7, time_limit=120, **kw)
    b = assign_tables(frame, seed=7, time_limit=120, **kw)
    assert not a.stopped_by_time
    pd.testing.assert_frame_equal(a.assignment, b.assignment)
    assert a.repeat_meetings == b.repeat_meetings and a.method == b.method
    pd.testing.assert_frame_equal(a.mixing, b.mixing)
    c = assign_tables(frame, seed=8, time_limit=120, **kw)
    assert not c.assignment.equals(a.assignment)


def test_hard_constraints_hold():
    frame = people(
        20,
        lang=["cy"] * 3 + [""] * 17,
        access=["yes", ""] * 2 + [""] * 16,
    )
    plan = assign_tables(
        frame,
        tables=4,
        rounds=3,
        seed=5,
        together="lang",
        needs_access="access",
        accessible_tables=[2, 3],
        apart=[("p05", "p06"), ("p07", "fac1")],
        pinned={(2, "p09"): 4},
        facilitators={"fac1": 1, "fac2": 2},
    )
    a = plan.assignment
    for r in (1, 2, 3):
        seating = plan.seating(r)
        assert sorted(len(v) for v in seating.values()) == [5, 5, 5, 5]
        assert len({plan.table_of(r, p) for p in ("p00", "p01", "p02")}) == 1
        assert plan.table_of(r, "p00") in (2, 3) and plan.table_of(r, "p02") in (2, 3)
        assert plan.table_of(r, "p05") != plan.table_of(r, "p06")
        assert plan.table_of(r, "p07") != 1
    assert plan.table_of(2, "p09") == 4
    assert plan.facilitators == {"fac1": 1, "fac2": 2}
    assert set(a.columns) == {"round", "table", "id"}
    assert "Repeat meetings" in plan.summary()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tables": 0}, "at least 1"),
        ({"tables": 30}, "some tables would be empty"),
        ({"mix": {"nope": "diversify"}}, "no column 'nope'"),
        ({"mix": {"area": "spread"}}, "not one of diversify"),
        ({"together": "nope"}, "no column 'nope'"),
        ({"apart": [("p01", "zz")]}, "unknown id 'zz'"),
        ({"pinned": {(9, "p01"): 1}}, "round 9"),
        ({"pinned": {(1, "p01"): 9}}, "table 9"),
        ({"accessible_tables": [7]}, "accessible table 7"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    frame = people(12, area=list("ab") * 6)
    kw = {"tables": 3, "rounds": 2, "seed": 0} | kwargs
    with pytest.raises(InputError, match=message):
        assign_tables(frame, **kw)


def test_bad_member_file_cells():
    frame = people(6, access=["yes", "maybe", "", "", "", ""])
    frame.attrs["source"] = "members.csv"
    with pytest.raises(InputError, match=r"members.csv, row 3, column access: 'maybe'"):
        assign_tables(frame, tables=2, seed=0, needs_access="access")
    dup = people(4)
    dup.loc[3, "id"] = "p00"
    with pytest.raises(InputError, match="row 5, column id: duplicate id 'p00'"):
        assign_tables(dup, tables=2, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"together": "lang"}, "group has 5 members but tables seat at most 3"),
        (
            {"needs_access": "access", "accessible_tables": [1]},
            "need an accessible table but the 1 accessible table",
        ),
        (
            {"pinned": {(1, "p00"): 1, (1, "p01"): 1}, "apart": [("p00", "p01")]},
            "pinned to table 1",
        ),
        ({"together": "pair", "apart": [("p06", "p07")]}, "same 'x' group"),
    ],
)
def test_infeasible_constraints_say_which(kwargs, message):
    frame = people(
        9,
        lang=["cy"] * 5 + [""] * 4,
        access=["yes"] * 4 + [""] * 5,
        pair=[""] * 6 + ["x", "x", ""],
    )
    with pytest.raises(InfeasibleError, match=message):
        assign_tables(frame, tables=3, rounds=2, seed=0, **kwargs)


def brute_force_fewest_moves(old, present, tables, allowed, apart, groups):
    """Fewest present members whose table changes, over every valid seating (tables labelled)."""
    here = [i for i in range(len(old)) if present[i]]
    q, extra = divmod(len(here), tables)
    best = None
    for seats in product(range(tables), repeat=len(here)):
        sizes = np.bincount(seats, minlength=tables)
        if sizes.min() < q or sizes.max() > q + (1 if extra else 0):
            continue
        at = dict(zip(here, seats, strict=True))
        if any(not allowed[i][t] for i, t in at.items()):
            continue
        if any(a in at and b in at and at[a] == at[b] for a, b in apart):
            continue
        if any(len({at[i] for i in g if i in at}) > 1 for g in groups):
            continue
        moved = sum(at[i] != old[i] for i in here)
        best = moved if best is None else min(best, moved)
    return best


@pytest.mark.parametrize(
    "absent", [("p00",), ("p00", "p01"), ("p03", "p04", "p05"), ("p02", "p07")]
)
def test_reseat_moves_fewest(absent):
    frame = people(9, lang=["", "", "", "", "", "", "", "cy", "cy"], access=[""] * 8 + ["yes"])
    kw = {
        "together": "lang",
        "needs_access": "access",
        "accessible_tables": [3],
        "apart": [("p01", "p04")],
    }
    plan = assign_tables(frame, tables=3, rounds=2, seed=1, **kw)
    new = reseat(plan, frame, round=2, absent=absent, seed=0)
    ids = frame["id"].tolist()
    old = [plan.table_of(2, x) - 1 for x in ids]
    present = [x not in absent for x in ids]
    allowed = [[True, True, True] for _ in ids]
    allowed[8] = [False, False, True]
    expect = brute_force_fewest_moves(old, present, 3, allowed, [(1, 4)], [[7, 8]])
    assert new.moved == expect
    assert set(new.assignment.loc[new.assignment["round"] == 2, "id"]) == set(ids) - set(absent)
    pd.testing.assert_frame_equal(
        new.assignment[new.assignment["round"] == 1].reset_index(drop=True),
        plan.assignment[plan.assignment["round"] == 1].reset_index(drop=True),
    )
    sizes = [len(seated) for seated in new.seating(2).values()]
    assert max(sizes) - min(sizes) <= 1
    assert new.table_of(2, "p08") in (None, 3)
    if "p07" not in absent and "p08" not in absent:
        assert new.table_of(2, "p07") == new.table_of(2, "p08")


def test_reseat_errors():
    frame = people(6)
    plan = assign_tables(frame, tables=2, rounds=1, seed=0)
    with pytest.raises(InputError, match="'zz' is not a member"):
        reseat(plan, frame, round=1, absent=["zz"], seed=0)
    with pytest.raises(InputError, match="round 3"):
        reseat(plan, frame, round=3, absent=[], seed=0)
    with pytest.raises(InfeasibleError, match="cannot fill 2 tables"):
        reseat(plan, frame, round=1, absent=["p00", "p01", "p02", "p03", "p04"], seed=0)


@pytest.mark.parametrize(("T", "s"), [(5, 5), (7, 4), (9, 6), (12, 5), (15, 10)])
def test_difference_rows_have_injective_differences(T, s):
    from minipublic.deliberation.tables._template import difference_rows

    rows = difference_rows(T, s, 6, np.random.default_rng(0))
    assert len(rows) >= 2 and (rows[:, 0] == 0).all()
    for k in range(len(rows)):
        for j in range(k):
            assert len(set(((rows[k] - rows[j]) % T).tolist())) == s


@pytest.mark.parametrize(("T", "s", "R"), [(15, 10, 8), (10, 10, 5), (6, 4, 6)])
def test_collisions_count_repeat_meetings(T, s, R):
    """Each collision of two columns makes exactly T pairs of seats meet twice."""
    from minipublic.deliberation.tables._scores import repeat_counts
    from minipublic.deliberation.tables._search import meeting_matrix
    from minipublic.deliberation.tables._template import difference_rows, near_rows, seat_tables

    rng = np.random.default_rng(1)
    rows, collisions = near_rows(difference_rows(T, s, R, rng), T, s, R, rng)
    assert len(rows) == R
    repeats, _ = repeat_counts(meeting_matrix(seat_tables(rows, T), T))
    assert repeats == collisions * T


def test_repeat_free_plan_when_one_exists():
    # 25 members at 5 tables of 5 for 5 rounds: an affine plane, so 0 repeats.
    frame = people(25, area=list("abcde") * 5)
    plan = assign_tables(frame, tables=5, rounds=5, mix={"area": "diversify"}, seed=0)
    assert plan.repeat_meetings == plan.repeat_lower_bound == 0
    assert plan.pairs_met == 5 * 5 * 10
    assert (plan.mixing["score"] == 1.0).all()


def _meetings_by_hand(tau):
    """Pairs of seats and how many rounds they shared a table, counted table by table."""
    met = {}
    for r in range(len(tau)):
        tables = {}
        for seat, t in enumerate(tau[r].tolist()):
            tables.setdefault(t, []).append(seat)
        for seats in tables.values():
            for pair in combinations(seats, 2):
                met[pair] = met.get(pair, 0) + 1
    return met


@pytest.mark.parametrize(("T", "s", "R"), [(6, 4, 5), (9, 6, 7), (10, 4, 9), (12, 8, 7)])
def test_coset_round_adds_a_repeat_free_round(T, s, R):
    """Difference rows with partner columns + the coset round: nobody meets twice."""
    from minipublic.deliberation.tables._template import (
        coset_rows,
        coset_rows_valid,
        coset_tables,
        seat_tables,
    )

    rows = coset_rows(T, s, R, np.random.default_rng(0), attempts=200)
    assert rows is not None and rows.shape == (R - 1, s)
    assert coset_rows_valid(rows, T)
    tau = np.vstack([seat_tables(rows, T), coset_tables(T, s)[None, :]])
    for r in range(R):
        assert (np.bincount(tau[r], minlength=T) == s).all()
    met = _meetings_by_hand(tau)
    assert max(met.values()) == 1
    assert len(met) == R * T * comb(s, 2)


def test_coset_round_needs_the_partner_condition():
    """Rows without it collide with the coset round: the check is not vacuous."""
    from minipublic.deliberation.tables._template import (
        coset_rows_valid,
        coset_tables,
        difference_rows,
        seat_tables,
    )

    rows = difference_rows(7, 4, 3, np.random.default_rng(0))  # prime T: k x
    rows6 = np.array([[0, 0, 0, 0], [0, 1, 2, 3]])  # f(1) - f(0) = 1 (mod 3)
    assert not coset_rows_valid(rows6, 6)
    tau = np.vstack([seat_tables(rows6, 6), coset_tables(6, 4)[None, :]])
    assert max(_meetings_by_hand(tau).values()) == 2
    assert not coset_rows_valid(rows, 7)  # 4 seats at 7 tables: no coset round


def test_stored_coset_rows_come_from_the_search_and_seat_150_without_repeats():
    """The stored matrix for 15 tables of 10 is what its recorded search finds, and works."""
    from minipublic.deliberation.tables._template import (
        KNOWN_COSET_ROWS,
        KNOWN_SEEDS,
        coset_rows,
        coset_tables,
        known_coset_rows,
        seat_tables,
    )

    for (T, s), stored in KNOWN_COSET_ROWS.items():
        seed, attempts = KNOWN_SEEDS[(T, s)]
        R = len(stored) + 1
        found = coset_rows(T, s, R, np.random.default_rng(seed), attempts=attempts)
        assert found is not None and found.tolist() == stored
        rows = known_coset_rows(T, s, R)
        tau = np.vstack([seat_tables(rows, T), coset_tables(T, s)[None, :]])
        met = _meetings_by_hand(tau)
        assert max(met.values()) == 1 and len(met) == R * T * comb(s, 2)
    assert len(known_coset_rows(15, 10, 12)) == 7  # only 7 rows stored


def test_spare_seats_never_share_a_table():
    from minipublic.deliberation.tables._template import (
        coset_tables,
        known_coset_rows,
        seat_tables,
        spare_seats,
    )

    rows = known_coset_rows(15, 10, 8)
    tau = np.vstack([seat_tables(rows, 15), coset_tables(15, 10)[None, :]])
    for count in (1, 3, 5, 8):
        spare = spare_seats(tau, count)
        assert spare is not None and len(set(spare.tolist())) == count
        for r in range(len(tau)):
            assert len(set(tau[r, spare].tolist())) == count
    # Difference rows alone: the last seats of the last column never meet.
    plain = seat_tables(rows, 15)
    assert spare_seats(plain, 4).tolist() == [146, 147, 148, 149]
    assert spare_seats(tau[:, [0, 15, 30]], 2) is None  # (x, 0) all at table 0 in round 1


@pytest.mark.parametrize("n", [150, 142])
def test_plan_of_150_at_15_tables_for_8_rounds_has_no_repeats(n):
    rng = np.random.default_rng(3)
    frame = people(
        n,
        age=rng.integers(16, 90, n).astype(str),
        area=rng.choice(list("abcde"), n),
        trust=rng.choice(["low", "mid", "high"], n),
    )
    # Light weights: the final swaps then never trade a repeat for the mix,
    # so the plan shows the repeat-free start itself.
    mix = {c: Mix("diversify", 0.25) for c in ("age", "area", "trust")}
    plan = assign_tables(frame, tables=15, rounds=8, mix=mix, seed=1, time_limit=30)
    assert plan.repeat_lower_bound == 0
    assert plan.repeat_meetings == 0
    sizes = plan.assignment.groupby(["round", "table"]).size()
    assert sizes.max() - sizes.min() <= 1 and len(sizes) == 8 * 15
    assert "coset round" in plan.method
    # Counted again by hand from the written plan.
    tau = plan.assignment.pivot(index="round", columns="id", values="table").to_numpy()
    assert max(_meetings_by_hand(tau).values()) == 1
