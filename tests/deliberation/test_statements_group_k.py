"""The number of groups as Polis chooses it: best silhouette, smoothed over updates.

polismath ``math/src/polismath/math/conversation.clj`` (``:group-k-smoother``,
``:group-k-buffer`` 4, ``max-k-fn``).
"""

import numpy as np
import pandas as pd
import pytest

from minipublic.deliberation.statements import (
    read_polis_groups,
    statement_map,
    update_map,
)
from minipublic.deliberation.statements._clusters import (
    GroupKSmoother,
    cluster_participants,
    smooth_group_k,
)

CONVERSATIONS = [
    "15-per-hour-seattle",
    "brexit-consensus",
    "scoop-hivemind.biodiversity",
    "vtaiwan.uberx",
]


def test_smoother_follows_polis_rule():
    # First update: the best k at once.
    s = smooth_group_k(None, 3)
    assert s == GroupKSmoother(last_k=3, last_k_count=1, smoothed_k=3)
    # A new best k is adopted at its 4th update in a row, not before.
    seen = []
    for _ in range(4):
        s = smooth_group_k(s, 2)
        seen.append(s.smoothed_k)
    assert seen == [3, 3, 3, 2]
    # A flicker restarts the count.
    for k in (4, 4, 4, 2, 4, 4, 4):
        s = smooth_group_k(s, k)
        assert s.smoothed_k == 2
    assert smooth_group_k(s, 4).smoothed_k == 4


def blobs(centres, n=60, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 0.15, size=(n, 2)) for c in centres])


def test_clustering_keeps_the_smoothed_count():
    X = blobs([(-2, 0), (2, 0)])
    first = cluster_participants(X, seed=0)
    assert (first.k, first.best_k) == (2, 2)
    assert first.k_smoother == GroupKSmoother(2, 1, 2)
    # The previous updates held 3 groups: 2 is adopted only at the 4th update in a row.
    state = GroupKSmoother(last_k=3, last_k_count=5, smoothed_k=3)
    ks = []
    for _ in range(4):
        c = cluster_participants(X, seed=0, k_smoother=state)
        state = c.k_smoother
        ks.append((c.k, c.best_k, len(np.unique(c.labels))))
    assert ks == [(3, 2, 3), (3, 2, 3), (3, 2, 3), (2, 2, 2)]


def test_live_updates_carry_the_smoother():
    rng = np.random.default_rng(1)
    rows = [
        (p, s, 1 if (p < 30) == (s < 5) else -1)
        for p in range(60)
        for s in range(10)
        if rng.random() < 0.9
    ]
    votes = pd.DataFrame(rows, columns=["participant", "statement", "vote"])
    m = statement_map(votes, seed=0, bridging=False)
    assert m.clustering.k_smoother.smoothed_k == m.n_groups == 2
    m2 = update_map(m, votes.iloc[:5].assign(vote=0))
    assert m2.clustering.k_smoother.last_k_count == m.clustering.k_smoother.last_k_count + 1


def test_bad_k_updates():
    votes = pd.DataFrame({"participant": [1, 2], "statement": [1, 1], "vote": [1, -1]})
    with pytest.raises(ValueError, match="k_updates"):
        statement_map(votes, k_updates=0)


@pytest.mark.parametrize("name", CONVERSATIONS)
@pytest.mark.parametrize("k_updates", [1, 8])
def test_our_group_count_is_polis_own(name, k_updates, polis_conversation, polis_dir):
    votes, _, mod_out = polis_conversation(name)
    polis = read_polis_groups(polis_dir(name) / "participants-votes.csv")
    summary = pd.read_csv(polis_dir(name) / "summary.csv", header=None, index_col=0)
    assert int(summary.loc["groups", 1]) == polis.nunique()
    m = statement_map(votes, moderated_out=mod_out, seed=0, bridging=False, k_updates=k_updates)
    assert m.n_groups == polis.nunique()
