"""Vote matrix building and the CSV readers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minipublic.deliberation.statements import (
    build_vote_matrix,
    read_polis_groups,
    read_statements,
    read_votes,
)
from minipublic.errors import InputError


def test_latest_vote_wins_by_timestamp_not_row_order():
    votes = pd.DataFrame(
        {
            "participant": [1, 1, 1, 2],
            "statement": [5, 5, 6, 5],
            "vote": [1, -1, 0, -1],
            "timestamp": [30, 10, 20, 5],
        }
    )
    m = build_vote_matrix(votes)
    dense = m.to_dense()
    assert m.participants.tolist() == [1, 2]
    assert m.statements.tolist() == [5, 6]
    assert dense[0, 0] == 1  # the vote at t=30 beats the one at t=10
    assert dense[0, 1] == 0  # a pass is a stored vote, not missing
    assert np.isnan(dense[1, 1])
    assert m.n_votes == 3
    assert m.votes_per_participant().tolist() == [2, 1]


def test_latest_vote_wins_by_row_order_without_timestamps():
    votes = pd.DataFrame({"participant": [1, 1], "statement": [5, 5], "vote": [1, -1]})
    assert build_vote_matrix(votes).to_dense()[0, 0] == -1


def test_excluded_statements_are_dropped():
    votes = pd.DataFrame({"participant": [1, 1, 2], "statement": [5, 6, 6], "vote": [1, 1, 1]})
    m = build_vote_matrix(votes, exclude_statements=[6])
    assert m.statements.tolist() == [5]
    assert m.participants.tolist() == [1]


votes_strategy = st.lists(
    st.tuples(
        st.integers(0, 5),  # participant
        st.integers(0, 6),  # statement
        st.sampled_from([-1, 0, 1]),
        st.integers(0, 4),  # timestamp: few values, so ties are common
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(rows=votes_strategy, excluded=st.sets(st.integers(0, 7), max_size=3))
def test_matrix_matches_plain_python_latest_vote(rows, excluded):
    """Reference: walk the votes in time order (file order for ties), keep the last."""
    votes = pd.DataFrame(rows, columns=["participant", "statement", "vote", "timestamp"])
    latest = {}
    for i in sorted(range(len(rows)), key=lambda i: (rows[i][3], i)):
        p, s, v, _ = rows[i]
        if s not in excluded:
            latest[(p, s)] = v
    m = build_vote_matrix(votes, exclude_statements=sorted(excluded))
    assert m.participants.tolist() == sorted({p for p, _ in latest})
    assert m.statements.tolist() == sorted({s for _, s, _, _ in rows} - excluded)
    got = {
        (int(m.participants[r]), int(m.statements[c])): int(v)
        for r, c, v in zip(m.rows, m.indices, m.values, strict=True)
    }
    assert got == latest


def test_bad_vote_names_row_and_column():
    votes = pd.DataFrame({"participant": [1, 2], "statement": [5, 5], "vote": [1, 2]})
    with pytest.raises(InputError) as err:
        build_vote_matrix(votes, file="v.csv")
    assert (err.value.file, err.value.row, err.value.column) == ("v.csv", 3, "vote")


def test_read_own_format_and_errors(tmp_path):
    good = tmp_path / "votes.csv"
    good.write_text("participant,statement,vote\nann,s1,1\nbob,s1,-1\nann,s2,0\n")
    table = read_votes(good)
    m = build_vote_matrix(table)
    assert m.participants.tolist() == ["ann", "bob"]
    assert m.to_dense()[0].tolist() == [1, 0]
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,statement,vote\nann,s1,1\nbob,s1,yes\n")
    with pytest.raises(InputError) as err:
        read_votes(bad)
    assert err.value.row == 3 and err.value.column == "vote" and err.value.file == str(bad)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(InputError) as err:
        read_votes(unknown)
    assert err.value.row == 1


def test_participants_votes_bad_cell(tmp_path):
    path = tmp_path / "participants-votes.csv"
    path.write_text(
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n"
        "0,0,0,2,1,0,1,0\n1,,0,1,0,0,,7\n"
    )
    with pytest.raises(InputError) as err:
        read_votes(path)
    assert (err.value.row, err.value.column) == (3, "1")


def test_polis_formats_agree_with_each_other(polis_dir):
    """votes.csv (with repeats, latest wins) and participants-votes.csv give one matrix."""
    path = polis_dir("brexit-consensus")
    long = build_vote_matrix(read_votes(path / "votes.csv"))
    wide = build_vote_matrix(read_votes(path / "participants-votes.csv"))
    a = long.to_frame().set_index(["participant", "statement"])["vote"]
    b = wide.to_frame().set_index(["participant", "statement"])["vote"]
    common = a.index.intersection(b.index)
    assert len(common) > 0.95 * len(b)
    assert (a.loc[common] == b.loc[common]).mean() > 0.99


def test_read_statements_and_groups(polis_dir):
    path = polis_dir("scoop-hivemind.biodiversity")
    st = read_statements(path / "comments.csv")
    assert set(st["moderated"]) <= {-1, 0, 1}
    assert (st["moderated"] == -1).sum() == 162
    groups = read_polis_groups(path / "participants-votes.csv")
    assert set(groups.unique()) == {0, 1}
    assert len(groups) == 443


def test_far_apart_ids_give_the_same_matrix_as_compact_ones(random_votes):
    """Compact ids go through a lookup table, far-apart ones a binary search."""
    votes, _ = random_votes(0, 30, 12, 300, timestamps=True)
    near = build_vote_matrix(votes)
    far = build_vote_matrix(
        votes.assign(
            participant=votes["participant"] * 10**9 + 7, statement=votes["statement"] * 10**6
        )
    )
    assert far.participants.tolist() == (near.participants * 10**9 + 7).tolist()
    assert far.statements.tolist() == (near.statements * 10**6).tolist()
    for attr in ("indptr", "indices", "values"):
        np.testing.assert_array_equal(getattr(far, attr), getattr(near, attr))
