"""Repness, consensus and routing priority: hand-worked cases and red-dwarf as peer oracle."""

import numpy as np
import pandas as pd
import pytest

from minipublic.deliberation.statements import (
    group_informed_consensus,
    group_votes,
    priority,
    select_consensus,
    select_representative,
    statement_map,
)
from minipublic.deliberation.statements._repness import prop_test, two_prop_test


def test_hand_computed_repness():
    # Group 0: 8 agree, 1 disagree, 10 seen. Group 1: 2 agree, 6 disagree, 10 seen.
    gv = group_votes(np.array([[8], [2]]), np.array([[1], [6]]), np.array([[10], [10]]))
    assert np.isclose(gv.p_agree[0, 0], 9 / 12)
    assert np.isclose(gv.p_disagree[1, 0], 7 / 12)
    # pat = 2 sqrt(11) (9/11 - 1/2)
    assert np.isclose(gv.p_agree_test[0, 0], 2 * np.sqrt(11) * (9 / 11 - 0.5))
    # ra = (9/12) / ((2+1)/(10+2))
    assert np.isclose(gv.r_agree[0, 0], (9 / 12) / (3 / 12))
    # rat: p1 = 9/11, p2 = 3/11, pooled 12/22
    pooled = 12 / 22
    z = (9 / 11 - 3 / 11) / np.sqrt(pooled * (1 - pooled) * (2 / 11))
    assert np.isclose(gv.r_agree_test[0, 0], z)


def test_tests_edge_cases():
    assert prop_test(0, 0) == 1.0  # 2 * sqrt(1) * ((0+1)/(0+1) - 1/2)
    assert two_prop_test(5, 5, 5, 5) == 0.0  # pooled = 1: defined as 0


def test_group_informed_consensus_hand_case():
    na = np.array([[9, 0], [9, 10]])
    ns = np.array([[10, 10], [10, 10]])
    c = group_informed_consensus(na, ns)
    assert np.allclose(c, [(10 / 12) ** 2, (1 / 12) * (11 / 12)])


def test_priority_hand_case_and_meta():
    # A=18, D=3, S=20, E=1: a = 19/22, p = (-1+1)/22 = 0 -> importance = 19/22 * 1 * 2
    value = priority([18], [3], [20], [1.0])[0]
    expected = (19 / 22 * 1 * 2 * (1 + 8 * 2 ** (-4))) ** 2
    assert np.isclose(value, expected)
    assert priority([1], [0], [1], [0.0], is_meta=[True])[0] == 49.0


def test_priority_matches_red_dwarf():
    from reddwarf.utils.stats import priority_metric

    rng = np.random.default_rng(0)
    S = rng.integers(0, 50, 30)
    A = (S * rng.random(30)).astype(int)
    D = ((S - A) * rng.random(30)).astype(int)
    E = rng.random(30) * 3
    meta = rng.random(30) < 0.1
    ours = priority(A, D, S, E, is_meta=meta)
    theirs = priority_metric(meta, A, D, S, E)
    np.testing.assert_allclose(ours, theirs)


@pytest.fixture(scope="module")
def brexit_map(polis_conversation):
    votes, _, mod = polis_conversation("brexit-consensus")
    return statement_map(votes, moderated_out=mod, seed=0, bridging=False)


def _dense_frame(opinion_map, rows):
    matrix = opinion_map.votes.to_dense()[rows]
    cols = np.isin(opinion_map.votes.statements, opinion_map.statements)
    return pd.DataFrame(
        matrix[:, cols],
        index=pd.Index(opinion_map.participants[rows], name="participant_id"),
        columns=pd.Index(opinion_map.statements, name="statement_id"),
    )


def test_repness_statistics_match_red_dwarf(brexit_map):
    from reddwarf.utils.stats import calculate_comment_statistics

    m = brexit_map
    frame = _dense_frame(m, m.clustered)
    ns, nv, pv, rv, pt, rt, cons = calculate_comment_statistics(frame, m.groups[m.clustered])
    gv = m.group_votes
    np.testing.assert_array_equal(gv.n_seen, ns)
    np.testing.assert_array_equal(gv.n_agree, nv[0])
    np.testing.assert_array_equal(gv.n_disagree, nv[1])
    np.testing.assert_allclose(gv.p_agree, pv[0])
    np.testing.assert_allclose(gv.r_disagree, rv[1])
    np.testing.assert_allclose(gv.p_disagree_test, pt[1])
    np.testing.assert_allclose(gv.r_agree_test, rt[0])
    np.testing.assert_allclose(m.group_consensus, cons[0])


def test_representative_statements_match_red_dwarf(brexit_map):
    from reddwarf.utils.stats import (
        calculate_comment_statistics_dataframes,
        select_representative_statements,
    )

    m = brexit_map
    frame = _dense_frame(m, m.clustered)
    grouped, _ = calculate_comment_statistics_dataframes(frame, m.groups[m.clustered])
    theirs = select_representative_statements(grouped, pick_max=5)
    for g in range(m.n_groups):
        ours = [(r.statement, r.direction) for r in m.representative[g]]
        assert ours == [(r["tid"], r["repful-for"]) for r in theirs[g]]
        assert 1 <= len(ours) <= 5


def test_representative_fallback_when_nothing_is_significant():
    # Tiny counts: no statement passes the tests, so each group gets its best one.
    gv = group_votes(np.array([[1, 0], [0, 1]]), np.array([[0, 1], [1, 0]]), np.ones((2, 2)))
    reps = select_representative(gv, np.array([10, 11]))
    assert [len(reps[g]) for g in (0, 1)] == [1, 1]
    assert reps[0][0].statement == 10 and reps[1][0].statement == 11


def test_consensus_statements_match_red_dwarf(brexit_map):
    from reddwarf.utils.consensus import select_consensus_statements

    m = brexit_map
    frame = _dense_frame(m, np.ones(len(m.participants), dtype=bool))
    theirs = select_consensus_statements(frame, pick_max=5)
    for direction in ("agree", "disagree"):
        assert [c.statement for c in m.consensus[direction]] == [
            c["tid"] for c in theirs[direction]
        ]


def test_consensus_selection_hand_case():
    # Statement 0: 18/20 agree; statement 1: 10/20; statement 2: 2/20 agree, 17 disagree.
    out = select_consensus(
        np.array([18, 10, 2]), np.array([1, 9, 17]), np.array([20, 20, 20]), np.array([0, 1, 2])
    )
    assert [c.statement for c in out["agree"]] == [0]
    assert [c.statement for c in out["disagree"]] == [2]
    assert np.isclose(out["agree"][0].p_success, 19 / 22)


def test_group_counts_in_one_pass_equal_indicator_products(random_votes):
    import scipy.sparse as sp

    from minipublic.deliberation.statements import build_vote_matrix
    from minipublic.deliberation.statements._repness import count_by_group

    votes, rng = random_votes(0, 40, 15, 400)
    matrix = build_vote_matrix(votes)
    groups = rng.integers(-1, 3, matrix.shape[0])  # -1: not clustered
    sub = np.flatnonzero(groups >= 0)
    # Reference: sum the 0/1 indicator rows of the grouped participants by group.
    G = sp.csr_array((np.ones(len(sub)), (groups[sub], np.arange(len(sub)))), shape=(3, len(sub)))
    want = [np.asarray((G @ matrix.indicator(v)[sub]).todense()) for v in (1, -1, None)]
    for got, expected in zip(count_by_group(matrix, groups, 3), want, strict=True):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
