"""Clustering: silhouette and k-means against scikit-learn, Polis' participation rules."""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from minipublic.deliberation.statements import cluster_participants, in_conversation
from minipublic.deliberation.statements._clusters import _kmeans, first_distinct, silhouette


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
