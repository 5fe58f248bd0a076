"""Clustering: silhouette and k-means against scikit-learn, Polis' participation rules."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from minipublic.deliberation.statements import cluster_participants, in_conversation
from minipublic.deliberation.statements._clusters import (
    _kmeans,
    _kmeans_plusplus_many,
    _lloyd,
    _lloyd_outcomes,
    _tied_with_top,
    first_distinct,
    silhouette,
)


def test_silhouette_matches_scikit_learn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    labels = rng.integers(0, 3, 40)
    labels[0] = 3  # a singleton scores 0 in both
    assert np.isclose(silhouette(X, labels), silhouette_score(X, labels))


def test_weighted_kmeans_reaches_scikit_learn_inertia():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 0.3, size=(30, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    w = rng.integers(1, 5, len(X)).astype(float)
    ours = _kmeans(X, 3, seed=0, weights=w, n_init=10)
    theirs = KMeans(3, n_init=10, random_state=0).fit(X, sample_weight=w)
    assert np.isclose(ours.inertia_, theirs.inertia_, rtol=1e-6)


def test_first_distinct_keeps_order():
    X = np.array([[1, 1], [1, 1], [0, 0], [2, 2]], dtype=float)
    assert first_distinct(X, 2).tolist() == [[1, 1], [0, 0]]


def test_in_conversation_threshold_greedy_and_sticky():
    n_votes = np.array([7, 6, 0, 3] + [10] * 20)
    mask = in_conversation(n_votes, 50)
    assert mask.tolist()[:4] == [True, False, False, False]
    # Few statements: all of them is enough.
    assert in_conversation(np.array([3, 2] + [3] * 20), 3).tolist()[:2] == [True, False]
    # Fewer than 15 qualify: the most active others are added, never a silent one.
    small = in_conversation(np.array([9, 1, 2, 0, 5]), 40)
    assert small.tolist() == [True, True, True, False, True]
    # Once in, stays in.
    assert in_conversation(np.array([1] * 20), 40, previous=np.array([True] + [False] * 19))[0]


def test_three_clear_blobs_give_three_groups_ordered_by_size():
    rng = np.random.default_rng(2)
    sizes = (50, 120, 80)
    X = np.vstack(
        [
            rng.normal(c, 0.2, size=(n, 2))
            for c, n in zip(((0, 0), (5, 0), (0, 5)), sizes, strict=True)
        ]
    )
    truth = np.repeat([0, 1, 2], sizes)
    res = cluster_participants(X, seed=0)
    assert res.k == 3
    assert np.bincount(res.labels).tolist() == [120, 80, 50]
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(truth, res.labels) == 1.0
    assert max(res.silhouettes, key=res.silhouettes.get) == 3
    assert len(res.base_centers) == 100


def test_clustering_is_deterministic_per_seed():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    a = cluster_participants(X, seed=5)
    b = cluster_participants(X, seed=5)
    assert np.array_equal(a.labels, b.labels)
    assert np.allclose(a.base_centers, b.base_centers)


def test_tied_with_top_is_a_sign_test():
    # 60 - 40 = 20 = 2 * sqrt(100): tied; 60 - 5 > 2 * sqrt(65): not.
    assert _tied_with_top([60, 40, 5]).tolist() == [0, 1]
    assert _tied_with_top([30, 70]).tolist() == [1]
    assert _tied_with_top([8, 8]).tolist() == [0, 1]


@pytest.mark.parametrize("k", [2, 3])
def test_lloyd_outcomes_match_lloyd_from_each_start(k):
    """The tree and shared futures change no outcome: same counts as plain Lloyd."""
    # Uniform in a square: no clear groups, so several fixed points.
    X = np.random.default_rng(7).uniform(-1, 1, size=(200, 2))
    base = _kmeans(X, 25, seed=0, n_init=1).labels_
    starts = _kmeans_plusplus_many(X, k, 64, np.random.default_rng(1))
    _, counts, centers = _lloyd_outcomes(X, starts, base)
    assert counts.sum() == 64 and len(counts) > 1

    def partition(labels):
        return frozenset(frozenset(np.flatnonzero(labels == g).tolist()) for g in range(k))

    expected = {}
    for start in starts:
        labels, _, _ = _lloyd(X, np.ones(len(X)), start, 300, 0.0)
        expected[partition(labels)] = expected.get(partition(labels), 0) + 1
    found = {}
    for count, c in zip(counts, centers, strict=True):
        labels = np.argmin(((X[:, None, :] - c[None]) ** 2).sum(axis=2), axis=1)
        found[partition(labels)] = found.get(partition(labels), 0) + int(count)
    assert found == expected
