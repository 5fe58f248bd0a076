"""Deliberative Reason Index: a hand-worked example, the formula's properties,
a cross-check against scipy.stats.spearmanr, dropped pairs, and the
permutation p-values against exhaustive enumeration."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from minipublic.deliberation.dri import (
    LAMBDA,
    deliberative_reason_index,
    dri_from_correlations,
)
from minipublic.errors import InputError

CONS = ["participant", "stage", "consideration", "rating"]
PREFS = ["participant", "stage", "option", "rank"]


def frames(ratings: dict, ranks: dict, stage="pre"):
    """Long tables from {member: [ratings]} and {member: [ranks]}."""
    cons = pd.DataFrame(
        [(p, stage, f"c{i}", v) for p, row in ratings.items() for i, v in enumerate(row)],
        columns=CONS,
    )
    prefs = pd.DataFrame(
        [(p, stage, f"o{i}", v) for p, row in ranks.items() for i, v in enumerate(row)],
        columns=PREFS,
    )
    return cons, prefs


def random_frames(rng, n=12, m=8, k=4, stages=("pre",), scale=5):
    cons, prefs = [], []
    for stage in stages:
        for p in range(n):
            ratings = rng.integers(1, scale + 1, size=m)
            ranks = rng.permutation(k) + 1
            cons += [(f"p{p}", stage, f"c{c}", ratings[c]) for c in range(m)]
            prefs += [(f"p{p}", stage, f"o{o}", ranks[o]) for o in range(k)]
    return pd.DataFrame(cons, columns=CONS), pd.DataFrame(prefs, columns=PREFS)


def structured_frames(rng, n=20, m=12, k=4, stage="post", noise=0.3):
    """Ratings and rankings driven by one latent position: DRI well above chance."""
    cons, prefs = [], []
    loadings = np.linspace(-1, 1, m)
    options = np.linspace(-1, 1, k)
    for p in range(n):
        x = rng.uniform(-1, 1)
        ratings = np.round(5 + 4 * x * loadings + rng.normal(0, noise, m))
        ranks = np.argsort(np.argsort(-(x * options + rng.normal(0, noise, k)))) + 1
        cons += [(f"p{p}", stage, f"c{c}", ratings[c]) for c in range(m)]
        prefs += [(f"p{p}", stage, f"o{o}", ranks[o]) for o in range(k)]
    return pd.DataFrame(cons, columns=CONS), pd.DataFrame(prefs, columns=PREFS)


# ---------------------------------------------------------------------------
# hand-worked example


def test_hand_worked_example():
    # Three members rate 4 considerations (w, x, y, z) and rank 3 options.
    #            w  x  y  z        options A  B  C
    #   ann      1  2  3  4                1  2  3
    #   bob      1  2  4  3                1  3  2
    #   cai      4  3  2  1                3  2  1
    # No ties, so Spearman = 1 - 6 sum(D^2) / (n (n^2 - 1)), D = rank differences.
    # Considerations (n = 4, n(n^2-1) = 60):
    #   ann-bob  D = 0,0,1,1  sum 2   q = 1 - 12/60  =  0.8
    #   ann-cai  D = 3,1,1,3  sum 20  q = 1 - 120/60 = -1.0
    #   bob-cai  D = 3,1,2,2  sum 18  q = 1 - 108/60 = -0.8
    # Options (n = 3, n(n^2-1) = 24):
    #   ann-bob  D = 0,1,1    sum 2   r = 1 - 12/24  =  0.5
    #   ann-cai  D = 2,0,2    sum 8   r = 1 - 48/24  = -1.0
    #   bob-cai  D = 2,1,1    sum 6   r = 1 - 36/24  = -0.5
    # d = |r - q| / sqrt 2:  0.3/sqrt2, 0, 0.3/sqrt2;  mean d = 0.2/sqrt2 = 0.141421
    # lambda = 1 - sqrt2/2 = 0.292893, 1 - lambda = sqrt2/2 = 0.707107
    # DRI = 2 ((1 - 0.141421) - 0.292893) / 0.707107 - 1 = 2 (0.565685 / 0.707107) - 1
    #     = 2 * 0.8 - 1 = 0.6
    # Members (same formula on their own pairs; it equals 1 - 2 mean|r - q|):
    #   ann: |r-q| = 0.3, 0    -> 1 - 2 * 0.15 = 0.7
    #   bob: |r-q| = 0.3, 0.3  -> 1 - 2 * 0.30 = 0.4
    #   cai: |r-q| = 0,   0.3  -> 1 - 2 * 0.15 = 0.7
    cons, prefs = frames(
        {"ann": [1, 2, 3, 4], "bob": [1, 2, 4, 3], "cai": [4, 3, 2, 1]},
        {"ann": [1, 2, 3], "bob": [1, 3, 2], "cai": [3, 2, 1]},
    )
    result = deliberative_reason_index(cons, prefs, permutations=0)
    pairs = result.pairs.set_index(["a", "b"])
    assert pairs.loc[("ann", "bob"), "q"] == pytest.approx(0.8)
    assert pairs.loc[("ann", "cai"), "q"] == pytest.approx(-1.0)
    assert pairs.loc[("bob", "cai"), "q"] == pytest.approx(-0.8)
    assert pairs.loc[("ann", "bob"), "r"] == pytest.approx(0.5)
    assert pairs.loc[("ann", "cai"), "r"] == pytest.approx(-1.0)
    assert pairs.loc[("bob", "cai"), "r"] == pytest.approx(-0.5)
    assert pairs["d"].tolist() == pytest.approx([0.3 / math.sqrt(2), 0.0, 0.3 / math.sqrt(2)])
    assert math.isclose(LAMBDA, 1 - math.sqrt(2) / 2) and round(LAMBDA, 6) == 0.292893
    row = result.stages.iloc[0]
    assert row["dri"] == pytest.approx(0.6)
    assert (row["n_participants"], row["n_pairs"], row["n_pairs_dropped"]) == (3, 3, 0)
    assert np.isnan(row["p_value"])
    individual = result.individual.set_index("participant")["dri"]
    assert individual.to_dict() == pytest.approx({"ann": 0.7, "bob": 0.4, "cai": 0.7})
    assert result.change_p_value is None and result.change is None


def test_ties_get_average_ranks():
    # a = 1,1,2,3 -> ranks 1.5,1.5,3,4 ; b = 1,2,3,4 -> ranks 1,2,3,4.
    # Centred: a = -1,-1,.5,1.5 ; b = -1.5,-.5,.5,1.5. a.b = 1.5+.5+.25+2.25 = 4.5,
    # |a|^2 = 4.5, |b|^2 = 5, q = 4.5 / sqrt(22.5) = 0.948683.
    # Options a = 1,1,2 -> 1.5,1.5,3 ; b = 1,2,3: centred -.5,-.5,1 and -1,0,1:
    # r = 1.5 / sqrt(1.5 * 2) = 0.866025.
    cons, prefs = frames({"a": [1, 1, 2, 3], "b": [1, 2, 3, 4]}, {"a": [1, 1, 2], "b": [1, 2, 3]})
    pair = deliberative_reason_index(cons, prefs, permutations=0).pairs.iloc[0]
    assert pair["q"] == pytest.approx(4.5 / math.sqrt(22.5))
    assert pair["r"] == pytest.approx(1.5 / math.sqrt(3.0))


# ---------------------------------------------------------------------------
# the formula


def test_every_pair_on_the_diagonal_gives_one():
    rng = np.random.default_rng(4)
    ratings = {f"p{i}": list(rng.permutation(5) + 1) for i in range(10)}
    # Each member ranks 5 options exactly as they rate 5 considerations: q = r.
    cons, prefs = frames(ratings, ratings)
    result = deliberative_reason_index(cons, prefs, permutations=0)
    assert np.allclose(result.pairs["q"], result.pairs["r"])
    assert result.stages.loc[0, "dri"] == pytest.approx(1.0)
    assert np.allclose(result.individual["dri"], 1.0)
    assert dri_from_correlations([0.3, -0.7, 1.0], [0.3, -0.7, 1.0]) == pytest.approx(1.0)


def test_value_falls_as_pairs_move_off_the_diagonal():
    q = np.array([-0.5, 0.0, 0.4])
    values = [
        dri_from_correlations(q, np.clip(q + shift, -1, 1)) for shift in np.linspace(0, 1, 11)
    ]
    assert all(b < a for a, b in zip(values, values[1:], strict=False))
    # Formula identity: DRI = 1 - 2 mean|r - q|; far corners give -3, d = 1 - lambda gives -1.
    rng = np.random.default_rng(0)
    q, r = rng.uniform(-1, 1, 50), rng.uniform(-1, 1, 50)
    assert dri_from_correlations(q, r) == pytest.approx(1 - 2 * np.mean(np.abs(r - q)))
    assert dri_from_correlations([1.0, -1.0], [-1.0, 1.0]) == pytest.approx(-3.0)
    assert dri_from_correlations([0.0], [1.0]) == pytest.approx(-1.0)
    assert np.isnan(dri_from_correlations([], []))


# ---------------------------------------------------------------------------
# independent reference


def test_matches_scipy_spearmanr_pairwise_loops():
    rng = np.random.default_rng(11)
    cons, prefs = random_frames(rng, n=15, m=9, k=5, stages=("pre", "post"))
    # Ties in the rankings too.
    prefs.loc[prefs.index % 7 == 0, "rank"] = 2
    result = deliberative_reason_index(cons, prefs, permutations=0)
    for stage in ("pre", "post"):
        c = cons[cons["stage"] == stage].pivot(
            index="participant", columns="consideration", values="rating"
        )
        o = prefs[prefs["stage"] == stage].pivot(
            index="participant", columns="option", values="rank"
        )
        members = list(dict.fromkeys(cons.loc[cons["stage"] == stage, "participant"]))
        expected, per_member = [], {m: [] for m in members}
        for a, b in itertools.combinations(members, 2):
            q = spearmanr(c.loc[a], c.loc[b]).statistic
            r = spearmanr(o.loc[a], o.loc[b]).statistic
            if np.isnan(q) or np.isnan(r):
                continue
            d = abs(r - q) / math.sqrt(2)
            expected.append((a, b, q, r, d))
            per_member[a].append(d)
            per_member[b].append(d)
        got = result.pairs[result.pairs["stage"] == stage]
        assert list(zip(got["a"], got["b"], strict=True)) == [(a, b) for a, b, *_ in expected]
        assert np.allclose(got[["q", "r", "d"]].to_numpy(), [e[2:] for e in expected])
        mean_d = np.mean([e[4] for e in expected])
        dri = 2 * ((1 - mean_d) - LAMBDA) / (1 - LAMBDA) - 1
        assert result.stages.set_index("stage").loc[stage, "dri"] == pytest.approx(dri)
        mine = result.individual[result.individual["stage"] == stage].set_index("participant")
        for m, ds in per_member.items():
            assert mine.loc[m, "dri"] == pytest.approx(
                2 * ((1 - np.mean(ds)) - LAMBDA) / (1 - LAMBDA) - 1
            )


def test_undefined_pairs_are_left_out_and_counted():
    rng = np.random.default_rng(2)
    ratings = {f"p{i}": list(rng.integers(1, 6, 6)) for i in range(6)}
    ranks = {f"p{i}": list(rng.permutation(3) + 1) for i in range(6)}
    ratings["p0"] = [3] * 6  # same rating for every consideration: q undefined
    ranks["p1"] = [1, 1, 1]  # every option tied: r undefined
    cons, prefs = frames(ratings, ranks)
    result = deliberative_reason_index(cons, prefs, permutations=50)
    row = result.stages.iloc[0]
    # 15 pairs; p0's 5 and p1's 5, sharing the pair p0-p1: 9 dropped, 6 used.
    assert (row["n_pairs"], row["n_pairs_dropped"]) == (6, 9)
    assert len(result.pairs) == 6
    assert not set(result.pairs["a"]) & {"p0", "p1"} and not set(result.pairs["b"]) & {"p0", "p1"}
    individual = result.individual.set_index("participant")["dri"]
    assert np.isnan(individual["p0"]) and np.isnan(individual["p1"])
    assert individual.drop(["p0", "p1"]).notna().all()
    assert np.isfinite(row["p_value"])


def test_stage_with_no_usable_pair():
    cons, prefs = frames({"a": [1, 1, 1], "b": [1, 2, 3]}, {"a": [1, 2, 3], "b": [2, 1, 3]})
    result = deliberative_reason_index(cons, prefs, permutations=20)
    row = result.stages.iloc[0]
    assert (row["n_pairs"], row["n_pairs_dropped"]) == (0, 1)
    assert np.isnan(row["dri"]) and np.isnan(row["p_value"])


# ---------------------------------------------------------------------------
# permutation p-values


def test_same_seed_same_result_and_p_value_bounds():
    rng = np.random.default_rng(5)
    cons, prefs = random_frames(rng, n=10, stages=("pre", "post"))
    a = deliberative_reason_index(cons, prefs, permutations=200, seed=7)
    b = deliberative_reason_index(cons, prefs, permutations=200, seed=7)
    c = deliberative_reason_index(cons, prefs, permutations=200, seed=8)
    pd.testing.assert_frame_equal(a.stages, b.stages)
    assert a.change_p_value == b.change_p_value
    assert not a.stages["p_value"].equals(c.stages["p_value"])
    assert (a.seed, a.permutations) == (7, 200)
    assert ((a.stages["p_value"] >= 1 / 201) & (a.stages["p_value"] <= 1)).all()
    # DataFrames are not changed by the call.
    assert list(cons.columns) == CONS and cons["rating"].dtype.kind == "i"


def test_structured_answers_are_above_chance_random_are_not():
    rng = np.random.default_rng(3)
    cons, prefs = structured_frames(rng, stage="post")
    result = deliberative_reason_index(cons, prefs, permutations=500, seed=1)
    assert result.stages.loc[0, "dri"] > 0.3
    assert result.stages.loc[0, "p_value"] == pytest.approx(1 / 501)
    ps = []
    for s in range(20):
        cons, prefs = random_frames(np.random.default_rng(100 + s), n=10, m=8, k=4)
        ps.append(
            deliberative_reason_index(cons, prefs, permutations=99, seed=s).stages.loc[0, "p_value"]
        )
    # Under the null the p-values are roughly uniform: not all small.
    assert np.median(ps) > 0.2 and min(ps) < 0.9


def _exhaustive_stage_p(cons, prefs):
    """Exact permutation p-value: every way of shuffling every member's ratings."""
    members = list(dict.fromkeys(cons["participant"]))
    m = cons["consideration"].nunique()
    observed = deliberative_reason_index(cons, prefs, permutations=0).stages.loc[0, "dri"]
    values = []
    orders = list(itertools.permutations(range(m)))
    for choice in itertools.product(orders, repeat=len(members)):
        shuffled = cons.copy()
        for member, order in zip(members, choice, strict=True):
            rows = shuffled.index[shuffled["participant"] == member]
            shuffled.loc[rows, "rating"] = shuffled.loc[rows, "rating"].to_numpy()[list(order)]
        values.append(
            deliberative_reason_index(shuffled, prefs, permutations=0).stages.loc[0, "dri"]
        )
    return np.mean(np.asarray(values) >= observed - 1e-12)


def test_stage_p_value_agrees_with_exhaustive_enumeration():
    cons, prefs = frames(
        {"a": [1, 2, 3], "b": [1, 3, 2], "c": [3, 2, 1]},
        {"a": [1, 2, 3], "b": [1, 3, 2], "c": [3, 1, 2]},
    )
    exact = _exhaustive_stage_p(cons, prefs)  # 6^3 = 216 shufflings
    result = deliberative_reason_index(cons, prefs, permutations=4000, seed=0)
    # Monte Carlo standard error at 4000 draws is below 0.008.
    assert result.stages.loc[0, "p_value"] == pytest.approx(exact, abs=0.03)


def test_change_p_value_agrees_with_exhaustive_swaps():
    rng = np.random.default_rng(9)
    pre_c, pre_p = random_frames(rng, n=5, m=6, k=4, stages=("pre",))
    post_c, post_p = structured_frames(rng, n=5, m=6, k=4, stage="post", noise=0.2)
    # Stages given post first: "pre" is still taken as before.
    cons = pd.concat([post_c, pre_c], ignore_index=True)
    prefs = pd.concat([post_p, pre_p], ignore_index=True)
    result = deliberative_reason_index(cons, prefs, permutations=4000, seed=2)
    assert list(result.stages["stage"]) == ["pre", "post"]
    assert result.change_stages == ("pre", "post")
    dri = result.stages.set_index("stage")["dri"]
    assert result.change == pytest.approx(dri["post"] - dri["pre"])
    # Exact: all 2^5 ways of swapping members' pre and post answers.
    members = [f"p{i}" for i in range(5)]
    values = []
    for swap in itertools.product([False, True], repeat=5):
        flipped = {m for m, s in zip(members, swap, strict=True) if s}
        c2, p2 = cons.copy(), prefs.copy()
        for frame in (c2, p2):
            rows = frame["participant"].isin(flipped)
            frame.loc[rows, "stage"] = frame.loc[rows, "stage"].map({"pre": "post", "post": "pre"})
        values.append(
            deliberative_reason_index(c2, p2, permutations=0).stages.set_index("stage")["dri"]
        )
    diffs = np.array([v["post"] - v["pre"] for v in values])
    exact = np.mean(diffs >= result.change - 1e-12)
    assert result.change_p_value == pytest.approx(exact, abs=0.03)


def test_change_detected_when_deliberation_adds_structure():
    rng = np.random.default_rng(21)
    pre_c, pre_p = random_frames(rng, n=20, m=12, k=4, stages=("pre",), scale=9)
    post_c, post_p = structured_frames(rng, n=20, m=12, k=4, stage="post")
    cons = pd.concat([pre_c, post_c], ignore_index=True)
    prefs = pd.concat([pre_p, post_p], ignore_index=True)
    result = deliberative_reason_index(cons, prefs, permutations=300, seed=0)
    assert result.change > 0.3 and result.change_p_value < 0.01
    assert "swapping" in result.method


def test_no_change_p_value_without_two_comparable_stages():
    rng = np.random.default_rng(1)
    cons, prefs = random_frames(rng, n=6, stages=("t1", "t2", "t3"))
    result = deliberative_reason_index(cons, prefs, permutations=20)
    assert list(result.stages["stage"]) == ["t1", "t2", "t3"]
    assert result.change_p_value is None and result.change is None
    assert "exactly 2" in result.method
    cons, prefs = random_frames(rng, n=6, stages=("before", "after"))
    cons.loc[cons["stage"] == "after", "consideration"] += "x"
    result = deliberative_reason_index(cons, prefs, permutations=20)
    assert result.change_stages == ("before", "after")
    assert result.change is not None and result.change_p_value is None
    assert "same considerations" in result.method


def test_fifty_by_fifty_thousand_permutations_is_quick():
    import time

    rng = np.random.default_rng(0)
    cons, prefs = random_frames(rng, n=50, m=50, k=5, stages=("pre", "post"), scale=11)
    start = time.perf_counter()
    result = deliberative_reason_index(cons, prefs, permutations=1000, seed=0)
    elapsed = time.perf_counter() - start
    assert result.change_p_value is not None
    # Two stages and the change test (3 x 1000 permutations): about 1 s on a
    # shared 2-core machine; a loose bound so a busy machine does not fail it.
    assert elapsed < 15


# ---------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c, p: (c.drop(columns="rating"), p),
            "considerations, row 1, column rating: missing column",
        ),
        (
            lambda c, p: (
                c.assign(rating=c["rating"].astype(object).where(c.index != 4, "high")),
                p,
            ),
            "considerations, row 6, column rating: rating 'high' is not a number",
        ),
        (
            lambda c, p: (c, p.assign(rank=p["rank"].astype(float).where(p.index != 0, np.nan))),
            "preferences, row 2, column rank",
        ),
        (
            lambda c, p: (c.assign(participant=c["participant"].where(c.index != 2, " ")), p),
            "considerations, row 4, column participant: empty value",
        ),
        (
            lambda c, p: (pd.concat([c, c.iloc[[1]]], ignore_index=True), p),
            "considerations, row 14, column consideration: participant 'ann' has two rows for consideration 'c1' in stage 'pre' (the other is row 3)",
        ),
        (
            lambda c, p: (c.drop(index=5), p),
            "participant 'bob' has no rating for consideration 'c1'",
        ),
        (
            lambda c, p: (c, p[p["participant"] != "cai"]),
            "participant 'cai' has no option rankings in stage 'pre'",
        ),
        (
            lambda c, p: (c, p[p["option"] != "o2"]),
            "stage 'pre' has 2 options; the DRI needs at least 3",
        ),
        (
            lambda c, p: (c, p.assign(stage="post")),
            "preferences, row 2, column stage: stage 'post' has option rankings but no consideration",
        ),
    ],
)
def test_bad_input_names_the_place(change, message):
    cons, prefs = frames(
        {"ann": [1, 2, 3, 4], "bob": [1, 2, 4, 3], "cai": [4, 3, 2, 1]},
        {"ann": [1, 2, 3], "bob": [1, 3, 2], "cai": [3, 2, 1]},
    )
    with pytest.raises(InputError) as info:
        deliberative_reason_index(*change(cons, prefs), permutations=0)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"permutations": -1}, "0 or more"), ({"seed": 1.5}, "whole number")]
)
def test_bad_options(kwargs, message):
    cons, prefs = frames({"a": [1, 2, 3], "b": [3, 2, 1]}, {"a": [1, 2, 3], "b": [3, 2, 1]})
    with pytest.raises(InputError, match=message):
        deliberative_reason_index(cons, prefs, **kwargs)


def test_integer_ids_are_kept():
    cons, prefs = frames(
        {1: [1, 2, 3], 2: [3, 2, 1], 3: [1, 3, 2]}, {1: [1, 2, 3], 2: [3, 1, 2], 3: [2, 1, 3]}
    )
    result = deliberative_reason_index(cons, prefs, permutations=10)
    assert result.individual["participant"].tolist() == [1, 2, 3]
    assert result.pairs[["a", "b"]].to_numpy().tolist() == [[1, 2], [1, 3], [2, 3]]
