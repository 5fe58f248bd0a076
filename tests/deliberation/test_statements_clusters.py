"""Clustering: silhouette and k-means against scikit-learn, Polis' participation rules."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from minipublic.deliberation.statements import cluster_participants, in_conversation
from minipublic.deliberation.statements._clusters import (
    _assign,
    _count_distinct,
    _group_kmeans,
    _kmeans,
    _kmeans_plusplus,
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


def _plain_lloyd(X, w, centers, max_iter, tol):
    """Lloyd with every distance recomputed by ``_assign`` at every step."""
    k = len(centers)
    xx = np.einsum("ij,ij->i", X, X)
    labels, _ = _assign(X, centers, xx)
    for _ in range(max_iter):
        wsum = np.bincount(labels, weights=w, minlength=k)
        new = np.column_stack(
            [np.bincount(labels, weights=w * X[:, j], minlength=k) for j in range(2)]
        )
        filled = wsum > 0
        new[filled] /= wsum[filled, None]
        new[~filled] = centers[~filled]
        shift = float(np.max(np.sum((new - centers) ** 2, axis=1)))
        centers = new
        new_labels, _ = _assign(X, centers, xx)
        if np.array_equal(new_labels, labels) or shift <= tol:
            labels = new_labels
            break
        labels = new_labels
    _, d2 = _assign(X, centers, xx)
    return labels, centers, float(np.dot(w, d2))


# Seeds where one centre alone moves at some step (a one-column product,
# which BLAS rounds differently), and a larger case with many centres.
@pytest.mark.parametrize("seed", [1148, 2130, 2217, 2929, -1])
def test_lloyd_recomputing_only_moved_centres_changes_no_bit(seed):
    rng = np.random.default_rng(abs(seed))
    if seed < 0:
        n, k = 500, 60
        X = np.round(rng.normal(size=(n, 2)), 2)
    else:
        n, k = int(rng.integers(5, 120)), int(rng.integers(3, 7))
        X = rng.normal(size=(n, 2)) * rng.random() * 5
        if seed % 2:
            X = X[rng.integers(0, n // 10 + 1, n)]
    w = np.ones(n)
    start = _kmeans_plusplus(X, w, k, rng)
    tol = 1e-4 * float(np.mean(np.var(X, axis=0)))
    labels, centers, inertia = _lloyd(X, w, start, 300, tol)
    want_labels, want_centers, want_inertia = _plain_lloyd(X, w, start, 300, tol)
    assert np.array_equal(labels, want_labels)
    assert np.array_equal(centers, want_centers)
    assert inertia == want_inertia


@pytest.mark.parametrize("strategy", ["k-means++", "polis"])
@pytest.mark.parametrize("seed", range(4))
def test_group_kmeans_equals_one_kmeans_per_k(strategy, seed):
    """The batched group k-means gives every k the very fit of its own _kmeans call."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(80, 2)), 1)  # some points repeat
    w = rng.integers(1, 20, len(X)).astype(float)
    inits = {3: X[:3] + 0.5} if seed == 1 else None
    fits = _group_kmeans(X, w, range(2, 6), seed=seed, strategy=strategy, n_init=5, inits=inits)
    for k in range(2, 6):
        init = None if inits is None else inits.get(k)
        one = _kmeans(X, k, seed=seed, weights=w, init=init, strategy=strategy, n_init=5)
        assert np.array_equal(fits[k].labels_, one.labels_)
        assert np.array_equal(fits[k].cluster_centers_, one.cluster_centers_)
        assert fits[k].inertia_ == one.inertia_


def test_group_kmeans_with_fewer_distinct_points_than_centres():
    # k-means++ runs out of weight after 3 centres and falls back to a uniform draw.
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] * 10)
    w = np.arange(1, len(X) + 1, dtype=float)
    fits = _group_kmeans(X, w, range(2, 6), seed=3, strategy="k-means++", n_init=5)
    for k in range(2, 6):
        one = _kmeans(X, k, seed=3, weights=w, n_init=5)
        assert np.array_equal(fits[k].labels_, one.labels_)
        assert np.array_equal(fits[k].cluster_centers_, one.cluster_centers_)


def test_count_distinct_equals_unique_rows():
    rng = np.random.default_rng(4)
    for n in (0, 1, 2, 50):
        X = rng.integers(-2, 3, size=(n, 2)).astype(float)
        X[X == 0] = -0.0  # equal to 0.0
        X[: n // 2][X[: n // 2] == -0.0] = 0.0
        assert _count_distinct(X) == len(np.unique(X, axis=0))
