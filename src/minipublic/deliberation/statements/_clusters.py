"""Two-level k-means of the participant projections, as Polis does it.

1. *Base clusters*: k-means with ``k = 100`` (or fewer if there are fewer
   distinct points) on the 2-D projections of the participants "in the
   conversation". This compresses any number of participants to at most 100
   weighted points.
2. *Group clusters*: weighted k-means of the base-cluster centres (weight =
   members) for ``k = 2 .. max_k`` with
   ``max_k = min(max_groups, 2 + floor(n_base / 12))``; the ``k`` with the
   highest silhouette coefficient of the base-cluster centres wins (ties go
   to the smaller ``k``). In Polis a participant's group is its base
   cluster's group.
3. *Refinement* (ours, ``refine=True``): with ``k`` fixed, Lloyd's k-means
   over the participants' own points from 256 k-means++ starts; the fixed
   point reached most often wins, and fixed points reached about as often
   (a sign test) are tied, the tie going to the lowest inertia
   ``sum_i ||x_i - c_{g(i)}||^2``.

References: polismath ``conversation.clj`` (``:base-clusters``,
``:group-clusterings``, ``max-k-fn``) and ``clusters.clj`` (``silhouette``);
D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful
seeding", SODA 2007; T. Kanungo et al., "An efficient k-means clustering
algorithm: analysis and implementation", IEEE TPAMI 24(7), 2002.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Clustering",
    "GroupKSmoother",
    "cluster_participants",
    "in_conversation",
    "smooth_group_k",
]

# Refinement: number of k-means++ starts, and the z of the sign test that ties
# two outcomes (2: about 95%). With 256 starts a fixed point reached by 62% of
# starts beats one reached by 38% in 99% of draws (NZ biodiversity).
N_STARTS = 256
TIE_Z = 2.0


#: Polis' ``:group-k-buffer``: a new group count is adopted once it has had the
#: best silhouette at this many updates in a row (``conversation.clj``).
GROUP_K_BUFFER = 4


@dataclass(frozen=True)
class GroupKSmoother:
    """State of Polis' group-count smoother (``:group-k-smoother``).

    Attributes
    ----------
    last_k : int or None
        The best-silhouette ``k`` at the last update.
    last_k_count : int
        At how many updates in a row ``last_k`` has been the best.
    smoothed_k : int or None
        The group count in use.
    """

    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None


def smooth_group_k(
    state: GroupKSmoother | None, this_k: int, *, buffer: int = GROUP_K_BUFFER
) -> GroupKSmoother:
    """One update of Polis' group-count smoother.

    polismath (``math/src/polismath/math/conversation.clj``, ``:group-k-smoother``)
    does not switch to the best-silhouette ``k`` at once: it counts at how many
    consecutive updates the same ``k`` was the best (``this-k``), and adopts it
    only when that count reaches ``:group-k-buffer`` (4); until then it keeps the
    count in use. At the first update (no state) the best ``k`` is used.

    Examples
    --------
    >>> s = smooth_group_k(None, 2)
    >>> s.smoothed_k
    2
    >>> for _ in range(3):
    ...     s = smooth_group_k(s, 3)
    >>> s.smoothed_k, s.last_k_count
    (2, 3)
    >>> smooth_group_k(s, 3).smoothed_k
    3
    """
    state = state or GroupKSmoother()
    same = state.last_k is not None and this_k == state.last_k
    count = state.last_k_count + 1 if same else 1
    if count >= buffer:
        smoothed = this_k
    else:
        smoothed = state.smoothed_k if state.smoothed_k is not None else this_k
    return GroupKSmoother(last_k=int(this_k), last_k_count=count, smoothed_k=int(smoothed))


@dataclass(frozen=True, eq=False)
class Clustering:
    """Base and group clusters of the clustered participants.

    Attributes
    ----------
    base_labels : ndarray of shape (n_clustered,)
    base_centers : ndarray of shape (n_base, 2)
    base_counts : ndarray of shape (n_base,)
    group_of_base : ndarray of shape (n_base,)
        Group of each base cluster (Polis' answer).
    labels : ndarray of shape (n_clustered,)
        Group of each clustered participant, ``0 .. k-1`` ordered by size
        (largest first). Equals ``group_of_base[base_labels]`` unless
        ``refined``.
    group_centers : ndarray of shape (k, 2)
        Weighted means of the members' projections.
    k : int
    silhouettes : dict
        ``{k: silhouette}`` for every ``k`` tried.
    refined : bool
        Whether the final k-means step over participants was applied.
    best_k : int
        The ``k`` with the highest silhouette on these data (Polis' ``this-k``);
        ``k`` differs from it when the group-count smoother holds the previous
        count (see :func:`smooth_group_k`).
    k_smoother : GroupKSmoother or None
        The smoother's state after this update, to pass to the next one.
    """

    base_labels: np.ndarray
    base_centers: np.ndarray
    base_counts: np.ndarray
    group_of_base: np.ndarray
    labels: np.ndarray
    group_centers: np.ndarray
    k: int
    silhouettes: dict = field(default_factory=dict)
    refined: bool = False
    best_k: int = 0
    k_smoother: GroupKSmoother | None = None


def in_conversation(
    n_votes: np.ndarray,
    n_statements: int,
    *,
    min_votes: int = 7,
    min_participants: int = 15,
    previous: np.ndarray | None = None,
) -> np.ndarray:
    """Which participants are clustered (Polis' ``in-conv``).

    A participant is in when they voted on at least ``min(min_votes,
    n_statements)`` statements. If fewer than ``min_participants`` qualify, the
    most active others are added until there are that many (Polis' "greedy"
    rule, so a young conversation still has a map). Once in, a participant
    stays in (``previous``).
    """
    threshold = min(min_votes, n_statements)
    mask = n_votes >= max(threshold, 1)
    if previous is not None:
        mask[: len(previous)] |= previous
    missing = min_participants - int(mask.sum())
    if missing > 0:
        order = np.lexsort((np.arange(len(n_votes)), -n_votes))
        candidates = [i for i in order if not mask[i] and n_votes[i] > 0][:missing]
        mask[candidates] = True
    return mask


def silhouette(points: np.ndarray, labels: np.ndarray, *, dist: np.ndarray | None = None) -> float:
    """Mean silhouette ``(b - a) / max(a, b)`` of the points (Rousseeuw 1987).

    ``a``: mean distance to the other members of the own cluster; ``b``: the
    smallest mean distance to another cluster's members. A point alone in
    its cluster scores 0 (as in Polis and scikit-learn). ``dist``: the
    points' distance matrix, if already computed.
    """
    if dist is None:
        dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    ks, codes = np.unique(labels, return_inverse=True)
    onehot = np.eye(len(ks))[codes]  # (n, k)
    sizes = onehot.sum(axis=0)
    sums = dist @ onehot  # (n, k): summed distance to each cluster
    own = sizes[codes]
    a = np.divide(
        sums[np.arange(len(points)), codes], own - 1, out=np.zeros(len(points)), where=own > 1
    )
    means = sums / sizes
    means[np.arange(len(points)), codes] = np.inf
    b = means.min(axis=1)
    top = np.maximum(a, b)
    scores = np.where((own > 1) & (top > 0), (b - a) / np.where(top > 0, top, 1), 0.0)
    return float(scores.mean())


def first_distinct(X: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` distinct rows of ``X``, in order (Polis' ``init-clusters``)."""
    _, first = np.unique(X, axis=0, return_index=True)
    return X[np.sort(first)[:k]]


@dataclass(frozen=True, eq=False)
class _KMeansFit:
    labels_: np.ndarray
    cluster_centers_: np.ndarray
    inertia_: float


def _sq_distances(X, centers, xx, out=None):
    """Squared distances ``xx - 2 X.C + |c|^2`` (``xx`` = row norms², scaling by -2 is exact).

    Each entry rounds the same whatever other centres are in ``centers``, as
    long as there are at least two (BLAS computes ``X.C`` with the same
    fused multiply-adds in every matrix product; one centre would make it a
    matrix-vector product, rounded differently). ``out``: an ``(n, k)``
    buffer to fill.
    """
    d2 = np.matmul(X, -2.0 * centers.T, out=out)
    d2 += xx[:, None]
    d2 += np.einsum("ij,ij->i", centers, centers)[None, :]
    return d2


def _assign(X, centers, xx):
    """Nearest centre of each point and its squared distance (``xx`` = row norms²)."""
    d2 = _sq_distances(X, centers, xx)
    labels = np.argmin(d2, axis=1)
    return labels, np.maximum(d2[np.arange(len(X)), labels], 0.0)


def _draw(rng, weights):
    """One index drawn with probability proportional to ``weights``.

    The same draw as ``rng.choice(len(weights), p=weights / weights.sum())``
    (inverse CDF of one uniform), without its validation overhead.
    """
    cdf = np.cumsum(weights / weights.sum())
    cdf /= cdf[-1]
    return int(cdf.searchsorted(rng.random(), side="right"))


def _lloyd(X, w, centers, max_iter, tol):
    """Weighted Lloyd iterations from ``centers``; empty clusters keep their centre.

    The distance matrix is kept between iterations and, when few centres
    moved (late iterations move few of the 100 base centres), only their
    columns are recomputed; every entry is what :func:`_sq_distances` would
    compute for all centres.
    """
    k = len(centers)
    xx = np.einsum("ij,ij->i", X, X)
    wx = [w * X[:, j] for j in range(X.shape[1])]
    d2 = _sq_distances(X, centers, xx)
    labels = d2.argmin(axis=1)
    for _ in range(max_iter):
        wsum = np.bincount(labels, weights=w, minlength=k)
        new = np.column_stack([np.bincount(labels, weights=v, minlength=k) for v in wx])
        filled = wsum > 0
        new[filled] /= wsum[filled, None]
        new[~filled] = centers[~filled]
        shift = float(np.max(np.sum((new - centers) ** 2, axis=1))) if k else 0.0
        moved = np.flatnonzero(np.any(new != centers, axis=1))
        centers = new
        # Writing scattered columns costs about as much as computing them,
        # so past about 40% moved, recompute the whole matrix.
        if 5 * len(moved) > 2 * k:
            d2 = _sq_distances(X, centers, xx, out=d2)
        elif len(moved):
            if len(moved) == 1:
                # One column would be a matrix-vector product, which BLAS
                # rounds differently; recomputing a second one changes nothing.
                moved = np.array([moved[0], (moved[0] + 1) % k])
            d2[:, moved] = _sq_distances(X, centers[moved], xx)
        new_labels = d2.argmin(axis=1)
        if np.array_equal(new_labels, labels) or shift <= tol:
            labels = new_labels
            break
        labels = new_labels
    d2 = np.maximum(d2[np.arange(len(X)), labels], 0.0)
    return labels, centers, float(np.dot(w, d2))


def _kmeans_plusplus(X, w, k, rng):
    """k-means++ seeding (Arthur and Vassilvitskii 2007), weighted, greedy-free.

    Each centre after the first is drawn with probability proportional to
    ``w`` times the squared distance to the nearest centre so far (as
    :func:`_draw`); when every point sits on a centre, uniformly. Works on the
    two coordinates as separate columns in reused buffers: k = 100 base
    centres make this loop hot.
    """
    n = len(X)
    x0, x1 = np.ascontiguousarray(X[:, 0]), np.ascontiguousarray(X[:, 1])
    # Multiplying by unit weights is exact, so it can be skipped.
    unit = bool(np.all(w == 1.0))
    chosen = [_draw(rng, w)]
    closest = (x0 - x0[chosen[0]]) ** 2 + (x1 - x1[chosen[0]]) ** 2
    buf, other = np.empty(n), np.empty(n)
    for _ in range(1, k):
        p = closest if unit else w * closest
        total = p.sum()
        if total > 0:
            np.divide(p, total, out=buf)
            cdf = np.cumsum(buf, out=buf)
            cdf /= cdf[-1]
            idx = int(cdf.searchsorted(rng.random(), side="right"))
        else:
            idx = int(rng.integers(n))
        chosen.append(idx)
        # Same rounding as np.sum((X - X[idx]) ** 2, axis=1).
        np.subtract(x0, x0[idx], out=buf)
        np.multiply(buf, buf, out=buf)
        np.subtract(x1, x1[idx], out=other)
        np.multiply(other, other, out=other)
        buf += other
        np.minimum(closest, buf, out=closest)
    return X[chosen]


def _kmeans(X, k, *, seed, weights=None, init=None, strategy="k-means++", n_init=10, max_iter=300):
    """Weighted k-means (Lloyd 1982) in NumPy: small 2-D problems, no thread overhead.

    Starts from ``init`` if given, else from the first distinct points
    (``strategy="polis"``) or from the best of ``n_init`` seeded k-means++
    starts (lowest weighted inertia).
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if weights is None else np.asarray(weights, dtype=np.float64)
    tol = 1e-4 * float(np.mean(np.var(X, axis=0))) if len(X) > 1 else 0.0
    if init is None and strategy == "polis":
        init = first_distinct(X, k)
    if init is not None and len(init) == k:
        labels, centers, inertia = _lloyd(X, w, np.asarray(init, dtype=np.float64), max_iter, tol)
        return _KMeansFit(labels, centers, inertia)
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(n_init):
        start = _kmeans_plusplus(X, w, k, rng)
        labels, centers, inertia = _lloyd(X, w, start, max_iter, tol)
        if best is None or inertia < best.inertia_:
            best = _KMeansFit(labels, centers, inertia)
    return best


def _lloyd_many(X, w, starts, ks, max_iter, tol):
    """:func:`_lloyd` from several starts at once, with the same arithmetic.

    ``starts`` has shape ``(r, k_max, 2)``; run ``i`` uses its first
    ``ks[i]`` centres. All runs' centres go through one matrix product (each
    entry rounds as in the product for one run), rows beyond a run's ``k``
    count as infinitely far, and the weighted sums are bincounts whose bins
    take their points in the same order as one run's. A run stops when
    :func:`_lloyd` would; the others go on.

    Returns ``(labels, centers, inertia)`` lists, one entry per run.
    """
    n = len(X)
    r, k_max, _ = starts.shape
    ks = np.asarray(ks)
    xx = np.einsum("ij,ij->i", X, X)
    # Weights and weighted coordinates, repeated for every run.
    tiled = np.tile(np.vstack([w, w * X[:, 0], w * X[:, 1]]), r)
    out_labels, out_centers, out_inertia = [None] * r, [None] * r, [None] * r
    padded = np.arange(k_max)[None, :] >= ks[:, None]  # (r, k_max)

    def assign(centers, pad):
        d2 = _sq_distances(X, centers.reshape(-1, 2), xx)
        d2[:, pad.ravel()] = np.inf
        d2 = d2.reshape(n, len(centers), k_max)
        return d2.argmin(axis=2).T, d2  # labels (runs, n)

    def finish(run, labels, centers, d2, j):
        dist = np.ascontiguousarray(d2[np.arange(n), j, labels])
        out_labels[run] = labels
        out_centers[run] = centers[: ks[run]].copy()
        out_inertia[run] = float(np.dot(w, np.maximum(dist, 0.0)))

    active = np.arange(r)
    centers = starts.astype(np.float64, copy=True)
    centers[padded] = 0.0
    labels, _ = assign(centers, padded)
    for _ in range(max_iter):
        m = len(active)
        code = (labels + (np.arange(m) * k_max)[:, None]).ravel()
        size = m * k_max
        wsum = np.bincount(code, weights=tiled[0, : m * n], minlength=size)
        new = np.column_stack(
            [np.bincount(code, weights=tiled[j, : m * n], minlength=size) for j in (1, 2)]
        )
        flat = centers.reshape(-1, 2)
        filled = wsum > 0
        new[filled] /= wsum[filled, None]
        new[~filled] = flat[~filled]
        shift = np.sum((new - flat) ** 2, axis=1).reshape(m, k_max).max(axis=1)
        centers = new.reshape(m, k_max, 2)
        new_labels, d2 = assign(centers, padded[active])
        stop = np.all(new_labels == labels, axis=1) | (shift <= tol)
        for j in np.flatnonzero(stop):
            finish(active[j], new_labels[j], centers[j], d2, j)
        keep = ~stop
        if not keep.any():
            return out_labels, out_centers, out_inertia
        active, centers, labels = active[keep], centers[keep], new_labels[keep]
    _, d2 = assign(centers, padded[active])
    for j, run in enumerate(active):
        finish(run, labels[j], centers[j], d2, j)
    return out_labels, out_centers, out_inertia


def _kmeans_plusplus_runs(X, w, ks, u):
    """Weighted k-means++ seedings, one per entry of ``ks``, drawn at once.

    Run ``i`` takes its uniforms from row ``i`` of ``u`` and draws as
    :func:`_kmeans_plusplus` does with a generator yielding them in turn.
    Returns the starts, padded to ``(len(ks), max(ks), 2)``, and whether
    each run stayed clear of the uniform fallback (all remaining weight on
    the centres), which draws differently; such runs must be redone.
    """
    ks = np.asarray(ks)
    r, k_max = len(ks), int(ks.max())
    cdf0 = np.cumsum(w / w.sum())
    cdf0 /= cdf0[-1]
    idx = cdf0.searchsorted(u[:, 0], side="right")
    chosen = np.zeros((r, k_max), dtype=np.intp)
    chosen[:, 0] = idx
    closest = (X[None, :, 0] - X[idx, 0][:, None]) ** 2 + (X[None, :, 1] - X[idx, 1][:, None]) ** 2
    ok = np.ones(r, dtype=bool)
    for j in range(1, k_max):
        runs = np.flatnonzero(ks > j)
        p = w * closest[runs]
        total = p.sum(axis=1)
        ok[runs[~(total > 0)]] = False
        cdf = np.cumsum(p / np.where(total > 0, total, 1.0)[:, None], axis=1)
        cdf /= np.where(cdf[:, -1:] > 0, cdf[:, -1:], 1.0)
        idx = np.minimum((cdf <= u[runs, j][:, None]).sum(axis=1), len(X) - 1)
        chosen[runs, j] = idx
        closest[runs] = np.minimum(
            closest[runs],
            (X[None, :, 0] - X[idx, 0][:, None]) ** 2 + (X[None, :, 1] - X[idx, 1][:, None]) ** 2,
        )
    return X[chosen], ok


def _group_kmeans(X, w, ks, *, seed, strategy, n_init, inits=None, max_iter=300):
    """:func:`_kmeans` for each ``k`` in ``ks`` on the same weighted points, at once.

    Same starts, same Lloyd runs and same winners as one :func:`_kmeans`
    call per ``k`` (each with a fresh generator from ``seed``), computed as
    one batch (:func:`_kmeans_plusplus_runs`, :func:`_lloyd_many`): for the
    group clusters the per-call overhead is most of the cost.

    Returns ``{k: _KMeansFit}``.
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    tol = 1e-4 * float(np.mean(np.var(X, axis=0))) if len(X) > 1 else 0.0
    inits = inits or {}
    run_k, run_starts, seeded = [], [], []
    for k in ks:
        init = inits.get(k)
        if init is None and strategy == "polis":
            init = first_distinct(X, k)
        if init is not None and len(init) == k:
            run_k.append(k)
            run_starts.append(np.asarray(init, dtype=np.float64))
        else:
            seeded.append(k)
    if seeded:
        # Every fresh generator from ``seed`` yields the same uniforms.
        u = np.random.default_rng(seed).random(n_init * max(seeded))
        rk = np.repeat(seeded, n_init)
        rows = np.array(
            [
                u[i * k : (i + 1) * k].tolist() + [0.0] * (max(seeded) - k)
                for k in seeded
                for i in range(n_init)
            ]
        )
        starts, ok = _kmeans_plusplus_runs(X, w, rk, rows)
        redo = set(rk[~ok].tolist())
        for k in seeded:
            if k in redo:
                rng = np.random.default_rng(seed)
                run_starts += [_kmeans_plusplus(X, w, k, rng) for _ in range(n_init)]
            else:
                run_starts += [s[:k] for s, kk in zip(starts, rk, strict=True) if kk == k]
            run_k += [k] * n_init
    k_max = max(run_k)
    padded = np.zeros((len(run_k), k_max, 2))
    for i, (k, start) in enumerate(zip(run_k, run_starts, strict=True)):
        padded[i, :k] = start
    labels, centers, inertia = _lloyd_many(X, w, padded, run_k, max_iter, tol)
    fits = {}
    for k, lab, cen, ine in zip(run_k, labels, centers, inertia, strict=True):
        if k not in fits or ine < fits[k].inertia_:
            fits[k] = _KMeansFit(lab, cen, ine)
    return fits


def _kmeans_plusplus_many(X, k, n_starts, rng):
    """``n_starts`` independent k-means++ seedings of unweighted 2-D points.

    As :func:`_kmeans_plusplus` with unit weights: the first centre uniform,
    each next one drawn with probability proportional to the squared distance
    to the nearest centre so far (inverse CDF of one uniform). Done for many
    starts at once, in blocks of about 65 000 point-start pairs (small enough
    for the CPU cache).
    """
    n = len(X)
    x0, x1 = np.ascontiguousarray(X[:, 0]), np.ascontiguousarray(X[:, 1])
    starts = np.empty((n_starts, k, 2))
    block = max(1, (1 << 16) // n)

    # Buffers reused across blocks (fresh large arrays cost page faults).
    closest, cdf, other = np.empty((3, min(block, n_starts), n))
    below = np.empty((min(block, n_starts), n), dtype=bool)

    def sq_dist(idx, out):
        # (x0 - a)^2 + (x1 - b)^2 for each chosen point (a, b), one row each.
        np.subtract(x0[None, :], x0[idx][:, None], out=out)
        out *= out
        o = other[: len(idx)]
        np.subtract(x1[None, :], x1[idx][:, None], out=o)
        o *= o
        out += o
        return out

    for lo in range(0, n_starts, block):
        r = min(block, n_starts - lo)
        idx = np.minimum((rng.random(r) * n).astype(np.intp), n - 1)
        starts[lo : lo + r, 0] = X[idx]
        near = sq_dist(idx, closest[:r])
        for j in range(1, k):
            cum = np.cumsum(near, axis=1, out=cdf[:r])
            u = rng.random(r) * cum[:, -1]
            le = np.less_equal(cum, u[:, None], out=below[:r])
            idx = np.minimum(np.count_nonzero(le, axis=1), n - 1)
            # All remaining points coincide with a centre: any point will do.
            flat = cum[:, -1] <= 0
            if flat.any():
                idx[flat] = np.minimum((rng.random(int(flat.sum())) * n).astype(np.intp), n - 1)
            starts[lo : lo + r, j] = X[idx]
            if j < k - 1:
                np.minimum(near, sq_dist(idx, cum), out=near)
    return starts


@functools.lru_cache(maxsize=8)
def _salt(n):
    """Random integer salts of ``n`` points, exact in float64 when summed (read-only)."""
    bits = max(16, 52 - int(n).bit_length())
    salt = np.random.default_rng(0).integers(0, 1 << bits, size=n).astype(np.float64)
    salt.flags.writeable = False
    return salt


@functools.lru_cache(maxsize=8)
def _mix(k):
    """Odd 64-bit multipliers that fold ``k`` sorted salt sums into one key (read-only)."""
    mix = np.random.default_rng(1).integers(1, 1 << 62, size=k, dtype=np.uint64) | np.uint64(1)
    mix.flags.writeable = False
    return mix


def _n_labels(labels) -> int:
    """Number of distinct labels ``0, 1, ...`` (``np.unique`` would import numpy.ma)."""
    return int(np.count_nonzero(np.bincount(labels)))


def _count_distinct(X):
    """Number of distinct rows of ``X`` (as ``len(np.unique(X, axis=0))``)."""
    if len(X) == 0:
        return 0
    order = np.lexsort(X.T[::-1])
    ordered = X[order]
    return 1 + int(np.count_nonzero(np.any(ordered[1:] != ordered[:-1], axis=1)))


def _unique_first(a):
    """``np.unique(a, return_index=True, return_inverse=True)`` for a 1-D array, lighter."""
    order = np.argsort(a, kind="stable")
    ordered = a[order]
    new = np.empty(len(a), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(len(a), dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], order[new], inverse


def _lloyd_outcomes(X, starts, base_labels, max_iter=300):
    """Run Lloyd's algorithm from every start; return its fixed points and their counts.

    Plain Lloyd (each point to its nearest centre, centres to the means,
    until the assignment repeats; an empty cluster keeps its centre), made
    cheap in two ways that change no outcome:

    - *Base clusters as a one-level tree* (the filtering idea of Kanungo et
      al. 2002): a point ``x`` is nearer centre ``a`` than centre ``c`` iff
      ``|x - c|^2 - |x - a|^2 > 0``, and over the bounding box of a base
      cluster that quantity moves by at most ``2 (|a_x - c_x| h_x + |a_y -
      c_y| h_y)`` from its value at the base cluster's mean (``h``: the box's
      half-widths). When the mean clears every other centre by more than
      that, the whole base cluster goes to ``a`` as one weighted point; only
      members of the other base clusters are assigned one by one.
    - *Shared futures*: the next centres depend only on the current
      partition, so a start whose partition equals one any start has already
      had (now or at an earlier step) follows that start's future and stops
      being computed.

    Partitions are identified by per-cluster sums of random integer salts
    (exact in float64, whatever the order of summation), sorted so that
    relabelling the clusters does not matter.

    Returns
    -------
    keys : ndarray of shape (n_outcomes,) of uint64
        Fingerprint of each distinct fixed point.
    counts : ndarray of shape (n_outcomes,)
        How many starts ended there.
    centers : ndarray of shape (n_outcomes, k, 2)
    """
    n = len(X)
    n_starts, k, _ = starts.shape
    nb = int(base_labels.max()) + 1
    order = np.argsort(base_labels, kind="stable")
    xs, ys = X[order, 0], X[order, 1]
    salt = _salt(n)
    ss = salt[order]
    cb = np.bincount(base_labels, minlength=nb).astype(np.float64)
    sbx = np.bincount(base_labels, weights=X[:, 0], minlength=nb)
    sby = np.bincount(base_labels, weights=X[:, 1], minlength=nb)
    sbs = np.bincount(base_labels, weights=salt, minlength=nb)
    mx, my = sbx / np.maximum(cb, 1), sby / np.maximum(cb, 1)
    stats = np.vstack([cb, sbx, sby, sbs])
    # Half-extents of each base cluster's bounding box around its mean.
    hx, hy = np.zeros(nb), np.zeros(nb)
    np.maximum.at(hx, base_labels, np.abs(X[:, 0] - mx[base_labels]))
    np.maximum.at(hy, base_labels, np.abs(X[:, 1] - my[base_labels]))
    hx, hy = 2.0 * (hx * (1 + 1e-9) + 1e-12), 2.0 * (hy * (1 + 1e-9) + 1e-12)
    eps = 1e-9 * (1.0 + float(np.max(X**2)))
    means, half = np.column_stack([mx, my]), np.column_stack([hx, hy])
    cbi = cb.astype(np.intp)
    offsets = np.concatenate([[0], np.cumsum(cbi)])
    mix = _mix(k)

    cx, cy = starts[:, :, 0].copy(), starts[:, :, 1].copy()
    previous = np.full((n_starts, k), -1.0)
    # Each state is a start still running (its ``lineage``); a start whose
    # partition another start has already had follows that one's future
    # (``owner``).
    lineage = np.arange(n_starts)
    owner = np.arange(n_starts)
    seen_keys, seen_owner = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    done_lineage, done_keys, done_centers = [], [], []
    for it in range(max_iter):
        s = len(cx)
        # A member x of base cluster b (mean m) is nearer centre a than centre
        # c iff (x - (a + c) / 2) . (a - c) > 0; over the box around m that
        # term varies by at most |a_x - c_x| hx + |a_y - c_y| hy (here 2x).
        if k == 2:
            # Two centres: x goes to centre 1 iff x . w > t (w = c1 - c0,
            # t = (|c1|^2 - |c0|^2) / 2), linear in x; the box term is halved.
            w0, w1 = cx[:, 1] - cx[:, 0], cy[:, 1] - cy[:, 0]
            w = np.vstack([w0, w1])
            t = 0.5 * ((cx[:, 1] ** 2 + cy[:, 1] ** 2) - (cx[:, 0] ** 2 + cy[:, 0] ** 2))
            g = means @ w - t
            nearest = (g > 0).astype(np.intp)
            whole = np.abs(g) > 0.5 * (half @ np.abs(w)) + eps
        else:
            d = (mx[:, None, None] - cx[None]) ** 2 + (my[:, None, None] - cy[None]) ** 2
            nearest = d.argmin(axis=2)
            rows = np.arange(s)
            ax, ay = cx[rows, nearest], cy[rows, nearest]  # (nb, s)
            spread = hx[:, None, None] * np.abs(cx[None] - ax[:, :, None]) + hy[
                :, None, None
            ] * np.abs(cy[None] - ay[:, :, None])
            gap = d - np.take_along_axis(d, nearest[:, :, None], axis=2) - spread
            np.put_along_axis(gap, nearest[:, :, None], np.inf, axis=2)
            whole = gap.min(axis=2) > eps
        size = s * k
        # Whole base clusters: (count, sums, salt) of each centre's share, as
        # one small matrix product per centre.
        tot = np.empty((4, s, k))
        for j in range(k):
            tot[:, :, j] = stats @ (whole & (nearest == j))
        cnt, sx, sy, sk = (t.ravel() for t in tot)
        ub, us = np.divmod(np.flatnonzero(~whole), s)
        if len(ub):
            m = cbi[ub]
            ends = np.cumsum(m)
            pts = np.repeat(offsets[ub] - (ends - m), m)
            pts += np.arange(int(ends[-1]))
            px, py = xs[pts], ys[pts]
            # Per-state values are repeated per pair (much cheaper than a
            # gather per point); temporaries are dropped early, as there can
            # be millions of pairs.
            if k == 2:
                a = np.repeat(w0[us], m)
                a *= px
                b = np.repeat(w1[us], m)
                b *= py
                a += b
                lab = a > np.repeat(t[us], m)
                del a, b
            else:
                d = px[:, None] - np.repeat(cx[us], m, axis=0)
                d *= d
                e = py[:, None] - np.repeat(cy[us], m, axis=0)
                e *= e
                d += e
                del e
                lab = d.argmin(axis=1)
                del d
            code = np.repeat(us * k, m)
            code += lab
            del lab
            cnt += np.bincount(code, minlength=size)
            sx += np.bincount(code, weights=px, minlength=size)
            sy += np.bincount(code, weights=py, minlength=size)
            del px, py
            sk += np.bincount(code, weights=ss[pts], minlength=size)
            del pts, code
        cnt, sk = cnt.reshape(s, k), sk.reshape(s, k)
        filled = cnt > 0
        den = np.where(filled, cnt, 1.0)
        nx = np.where(filled, sx.reshape(s, k) / den, cx)
        ny = np.where(filled, sy.reshape(s, k) / den, cy)
        # Same assignment as last step: the centres are its means, a fixed point.
        fixed = np.all(sk == previous, axis=1) | (it == max_iter - 1)
        key = (np.sort(sk, axis=1).astype(np.uint64) * mix).sum(axis=1, dtype=np.uint64)
        full = filled.all(axis=1)
        if fixed.any():
            done_lineage.append(lineage[fixed])
            done_keys.append(key[fixed])
            done_centers.append(np.stack([cx[fixed], cy[fixed]], axis=2))
            reg = np.flatnonzero(fixed & full)
            seen_keys = np.concatenate([seen_keys, key[reg]])
            seen_owner = np.concatenate([seen_owner, lineage[reg]])
        # A partition without empty clusters fixes the whole future (an empty
        # cluster keeps its old centre, so those states just run on).
        cand = np.flatnonzero(~fixed & full)
        uk, first, inverse = _unique_first(key[cand])
        reps = cand[first]
        owner[lineage[cand]] = lineage[reps][inverse]
        order = np.argsort(seen_keys, kind="stable")
        pos = np.minimum(np.searchsorted(seen_keys[order], uk), max(len(seen_keys) - 1, 0))
        hit = (seen_keys[order][pos] == uk) if len(seen_keys) else np.zeros(len(uk), bool)
        owner[lineage[reps[hit]]] = seen_owner[order][pos[hit]]
        fresh = reps[~hit]
        seen_keys = np.concatenate([seen_keys, key[fresh]])
        seen_owner = np.concatenate([seen_owner, lineage[fresh]])
        keep = np.concatenate([fresh, np.flatnonzero(~fixed & ~full)])
        if not len(keep):
            break
        cx, cy, previous, lineage = nx[keep], ny[keep], sk[keep], lineage[keep]
    while True:
        nxt = owner[owner]
        if np.array_equal(nxt, owner):
            break
        owner = nxt
    done_lineage = np.concatenate(done_lineage)
    slot = np.full(n_starts, -1)
    slot[done_lineage] = np.arange(len(done_lineage))
    keys = np.concatenate(done_keys)
    uniq, first, inverse = _unique_first(keys)
    counts = np.bincount(inverse[slot[owner]], minlength=len(uniq)).astype(np.float64)
    return uniq, counts, np.concatenate(done_centers)[first]


def _tied_with_top(counts, z=TIE_Z):
    """Indices of the outcomes whose count a sign test cannot tell from the top one.

    Between two outcomes reached ``a`` and ``b`` times, ``a - b`` has standard
    deviation about ``sqrt(a + b)`` when both are equally likely, so ``b`` is
    tied with the top count ``a`` when ``a - b <= z * sqrt(a + b)``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    top = counts.max()
    return np.flatnonzero(top - counts <= z * np.sqrt(top + counts))


def _modal_kmeans(X, k, base_labels, *, seed, n_starts=N_STARTS, z=TIE_Z):
    """The most frequent k-means outcome over ``n_starts`` k-means++ starts.

    Lloyd's algorithm from each start (over the participants themselves)
    ends at one of a few fixed points. The fixed point reached most often
    wins. Fixed points whose count is not significantly below the top one
    (``top - count <= z * sqrt(top + count)``, the normal approximation of a
    two-sided sign test at about 95% for ``z = 2``) are tied with it, and the
    tie goes to the lowest inertia ``sum_i ||x_i - c_{g(i)}||^2``.

    Returns ``(labels, centers, share)``: the partition, its means, and the
    share of starts that ended there.
    """
    rng = np.random.default_rng(seed)
    starts = _kmeans_plusplus_many(X, k, n_starts, rng)
    _, counts, centers = _lloyd_outcomes(X, starts, base_labels)
    tied = _tied_with_top(counts, z)
    xx = np.einsum("ij,ij->i", X, X)
    best = None
    # Most frequent first, so an exact tie in inertia keeps the commoner one.
    for i in tied[np.argsort(-counts[tied], kind="stable")]:
        labels, d2 = _assign(X, centers[i], xx)
        inertia = float(d2.sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels, counts[i])
    _, labels, count = best
    sizes = np.bincount(labels, minlength=k)
    means = (
        np.column_stack(
            [np.bincount(labels, weights=X[:, j], minlength=k) for j in range(X.shape[1])]
        )
        / np.maximum(sizes, 1)[:, None]
    )
    return labels, means, float(count / n_starts)


def cluster_participants(
    X: np.ndarray,
    *,
    seed: int = 0,
    base_k: int = 100,
    max_groups: int = 5,
    init: str = "k-means++",
    refine: bool = True,
    base_init: np.ndarray | None = None,
    group_init: dict | None = None,
    k_smoother: GroupKSmoother | None = None,
) -> Clustering:
    """Base clusters then silhouette-chosen group clusters (see module docstring).

    Parameters
    ----------
    X : ndarray of shape (n_clustered, 2)
        Projections of the participants in the conversation.
    seed : int
    base_k : int, default=100
    max_groups : int, default=5
    init : {"k-means++", "polis"}, default="k-means++"
        ``"k-means++"``: seeded k-means++ (one start for the base clusters,
        5 for the group clusters, keeping the lowest inertia).
        ``"polis"``: each k-means starts from the first distinct points in
        order, as a fresh Polis conversation does. Polis itself warm-starts
        from its previous clustering at every update, so neither reproduces
        its history exactly; on the four public conversations in our tests
        k-means++ agrees better with Polis' own groups.
    refine : bool, default=True
        With ``k`` chosen, finish with k-means over the participants
        themselves: Lloyd's algorithm from 256 k-means++ starts, keeping the
        fixed point reached most often; fixed points reached about as often
        (``top - count <= 2 sqrt(top + count)``, a sign test at about 95%)
        are tied with it, and the lowest inertia among them wins. Why the
        most frequent rather than the lowest inertia: on real conversations
        the k-means objective is flat (on the four public conversations in
        our tests every local optimum found costs within half a standard
        error, over participants, of the best one), so inertia cannot tell
        the optima apart; and Polis never optimises globally: at every update
        it runs Lloyd iterations from its previous centres, so its groups lie
        in the basin of some Lloyd fixed point. Lloyd iterations started from
        Polis' own group means end at exactly the most frequent fixed point
        on all four conversations (on Seattle tied with another one reached
        as often, which the tie rule resolves by inertia), so the most
        frequent fixed point is the best estimate of the basin Polis' history
        ended in, and it hardly depends on the seed. Adjusted Rand index with
        Polis' own groups over seeds 0-4: 0.941 (Seattle), 0.876 (Brexit;
        0.558 at seed 2, where the silhouette picks 3 groups), 0.954 (NZ
        biodiversity) and 0.826 (vTaiwan) at every seed; the lowest inertia
        over 5 starts gave 0.86-0.94, 0.64-0.88, 0.92-0.95 and 0.826, and
        Polis' base level alone 0.88-0.94, 0.65-0.90, 0.92-0.99 and
        0.68-0.73. Polis' own k-means (``kmeans`` in
        ``math/src/polismath/math/clusters.clj``) stops once every centre
        moves less than 0.01 (``same-clustering?``) or after ``max-iters``:
        100 for base clusters (``:base-iters`` in ``conversation.clj``) and
        the default 20 for groups (``conversation.clj`` passes
        ``:cluster-iters``, which ``kmeans`` does not read); it starts each
        update from the previous clusters. That stopping rule changes no
        base-level group on the four conversations. Polis' groups depend on
        that history: on vTaiwan our groups from the first half of the votes
        agree better with Polis' final groups (ARI 0.935) than our groups
        from all the votes do (0.826), and Lloyd iterations started from
        Polis' own group means move away from Polis' partition (to the
        fixed points above), so no choice among the k-means optima of the
        final votes reproduces it exactly. Replaying the votes in time order
        with warm starts (:func:`update_map`) did not bring the groups closer
        to Polis' on all four conversations, so it is not the default.
    base_init, group_init : optional
        Warm starts: previous base centres, and ``{k: centres}`` of previous
        group clusterings.
    k_smoother : GroupKSmoother, optional
        The group-count smoother's state from the previous updates (Polis'
        ``:group-k-smoother``): the best-silhouette ``k`` is adopted only once
        it has been the best at 4 updates in a row, otherwise the count in use
        is kept (:func:`smooth_group_k`). None: a first update, the best ``k``.
    """
    n = len(X)
    if n == 0:
        empty = np.zeros((0, 2))
        return Clustering(
            np.zeros(0, int), empty, np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), empty, 0
        )
    init_strategy = init
    n_distinct = _count_distinct(X)
    kb = min(base_k, n_distinct)
    init = base_init if base_init is not None and len(base_init) == kb else None
    base = _kmeans(X, kb, seed=seed, init=init, strategy=init_strategy, n_init=1)
    # Drop base clusters that ended empty, then renumber.
    counts = np.bincount(base.labels_, minlength=kb)
    used = np.flatnonzero(counts > 0)
    remap = np.full(kb, -1)
    remap[used] = np.arange(len(used))
    base_labels = remap[base.labels_]
    centers = base.cluster_centers_[used]
    counts = counts[used]
    n_base = len(centers)
    max_k = min(max_groups, 2 + n_base // 12, n_base)
    silhouettes: dict[int, float] = {}
    dist = np.linalg.norm(centers[:, None, :] - centers[None, :, :], axis=2)
    best = None
    fits = (
        _group_kmeans(
            centers,
            counts,
            range(2, max_k + 1),
            seed=seed,
            strategy=init_strategy,
            n_init=5,
            inits=group_init,
        )
        if max_k >= 2
        else {}
    )
    for k in range(2, max_k + 1):
        labels = fits[k].labels_
        if _n_labels(labels) < 2:
            continue
        score = silhouette(centers, labels, dist=dist)
        silhouettes[k] = score
        if best is None or score > best[0] + 1e-12:
            best = (score, k, labels)
    smoother = k_smoother
    if best is None:
        group_of_base = np.zeros(n_base, dtype=int)
        k = best_k = 1
    else:
        _, k, group_of_base = best
        best_k = k
        smoother = smooth_group_k(k_smoother, best_k)
        if smoother.smoothed_k != best_k and smoother.smoothed_k in silhouettes:
            k = smoother.smoothed_k
            group_of_base = fits[k].labels_
    labels = group_of_base[base_labels]
    gc = np.array(
        [
            np.average(centers[group_of_base == g], axis=0, weights=counts[group_of_base == g])
            for g in range(k)
        ]
    )
    refined = False
    if refine and k > 1 and n_distinct > k:
        cand_labels, cand_centers, _ = _modal_kmeans(X, k, base_labels, seed=seed)
        if _n_labels(cand_labels) == k:
            labels, gc, refined = cand_labels, cand_centers, True
    # Order groups by size (members), largest first, ties by centre x then y.
    sizes = np.bincount(labels, minlength=k)
    order = np.lexsort((gc[:, 1], gc[:, 0], -sizes))
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(k)
    return Clustering(
        base_labels=base_labels,
        base_centers=centers,
        base_counts=counts,
        group_of_base=rank[group_of_base],
        labels=rank[labels],
        group_centers=gc[order],
        k=int(k),
        silhouettes=silhouettes,
        refined=refined,
        best_k=int(best_k),
        k_smoother=smoother,
    )
