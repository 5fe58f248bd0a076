"""Polis' PCA of the vote matrix, computed sparse.

Polis replaces every unseen vote by its statement's mean vote, centres each
column, takes the first two principal components and projects each
participant with a scaling that pushes sparse voters out from the centre.

The trick that keeps this sparse: after mean imputation the centred value of
an unseen cell is ``mu_j - mu_j = 0``. So the centred imputed matrix is exactly
the sparse matrix of deviations ``D[i, j] = x[i, j] - mu_j`` on the cells
that were voted and zero elsewhere; its column sums are zero. Its principal
components are the leading right singular vectors of ``D``; we find them
with ARPACK's implicitly restarted Lanczos method (scipy's ``svds``, driven
from :mod:`._linalg` so that scipy itself is not imported) on a linear
operator that only multiplies by ``D`` and ``D.T``, never forming the dense
matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._linalg import Csr, svds
from ._matrix import VoteMatrix

__all__ = ["PolisPCA", "polis_pca"]


@dataclass(frozen=True, eq=False)
class PolisPCA:
    """The fitted PCA and the projections Polis derives from it.

    Attributes
    ----------
    center : ndarray of shape (n_statements,)
        ``mu_j``, the mean observed vote on each statement (0 if none).
    components : ndarray of shape (n_components, n_statements)
        Unit principal axes, sign fixed so that each axis' largest loading is
        positive.
    singular_values : ndarray of shape (n_components,)
    explained_variance : ndarray of shape (n_components,)
        ``s_k**2 / (n_participants - 1)``, as scikit-learn's PCA reports it.
    projections : ndarray of shape (n_participants, n_components)
        Scaled participant coordinates (see :func:`polis_pca`).
    statement_projections : ndarray of shape (n_statements, n_components)
        Where a virtual participant who agreed with only that statement lands.
    extremity : ndarray of shape (n_statements,)
        Polis' comment extremity (see :func:`polis_pca`).
    n_iter : int
        Products with ``D`` or ``D.T`` that the iteration needed.
    """

    center: np.ndarray
    components: np.ndarray
    singular_values: np.ndarray
    explained_variance: np.ndarray
    projections: np.ndarray
    statement_projections: np.ndarray
    extremity: np.ndarray
    n_iter: int


def deviations(votes: VoteMatrix) -> tuple[np.ndarray, Csr]:
    """Column means and the sparse centred matrix ``D`` (see module docstring)."""
    n, m = votes.shape
    counts = np.bincount(votes.indices, minlength=m).astype(np.float64)
    sums = np.bincount(votes.indices, weights=votes.values.astype(np.float64), minlength=m)
    center = np.divide(sums, counts, out=np.zeros(m), where=counts > 0)
    D = Csr.from_sorted(votes.values - center[votes.indices], votes.rows, votes.indices, (n, m))
    return center, D


def polis_pca(
    votes: VoteMatrix,
    *,
    n_components: int = 2,
    seed: int = 0,
    start: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 0.0,
    n_hidden: int = 0,
) -> PolisPCA:
    """PCA of the mean-imputed vote matrix with Polis' sparsity-aware projection.

    Formulas (Small et al. 2021, section 3; polismath ``pca.clj``):

    - ``mu_j = (1 / n_j) * sum_{i voted j} x_ij`` and ``D_ij = x_ij - mu_j`` on
      voted cells (0 elsewhere), which equals the centred mean-imputed matrix.
    - The components ``V`` (k x m) are the top right singular vectors of ``D``.
    - A participant with ``n_i`` votes on ``m`` statements is projected to
      ``p_i = sqrt(m / max(n_i, 1)) * D_i V^T``; the factor corrects the pull
      towards the centre of participants who voted on few statements.
    - Statement ``j`` is placed on the map as a virtual participant who
      agreed with it alone: ``q_j = sqrt(m) * (1 - mu_j) * V[:, j]``.
    - Its *extremity*, used by statement routing, is computed as Polis does
      (``pca-project-cmnts`` in ``pca.clj``): the virtual participant there
      *disagreed* (vote -1) and has no other vote, not even on hidden
      statements, so ``e_j = sqrt(m + h) * |-1 - mu_j| * ||V[:, j]||``. (red-dwarf
      uses +1 here, which gives well-agreed statements a small extremity.)
    - Polis zeroes moderated-out columns instead of dropping them, so each of
      the ``h`` hidden statements counts as a (pass) vote of every participant
      in the scaling: ``sqrt((m + h) / max(n_i + h, 1))``. ``n_hidden=h``
      reproduces this; ``n_hidden=0`` gives the plain formula.

    Parameters
    ----------
    votes : VoteMatrix
    n_components : int, default=2
    seed : int, default=0
        Seeds the random start vector of the Lanczos iteration.
    start : ndarray of shape (n_components, n_statements), optional
        Warm start (previous components, new statements with zero loading):
        the iteration starts inside the previous principal plane.
    max_iter : int, default=100
        Passed to ARPACK as ``max_iter * max(n, m)`` restarts at most.
    tol : float, default=0.0
        ARPACK's relative accuracy (0 = machine precision).
    n_hidden : int, default=0
        Number ``h`` of moderated-out statements (see the scaling above).

    Returns
    -------
    PolisPCA

    Notes
    -----
    Polis runs 100 power iterations on the dense imputed matrix (mini-batches
    for large conversations); the subspace reached here is the same up to the
    sign of each axis, which Polis leaves arbitrary and we fix.

    References
    ----------
    .. [1] C. Small, M. Bjorkegren, T. Erkkila, L. Shaw and C. Megill,
       "Polis: Scaling deliberation by mapping high dimensional opinion
       spaces", Recerca: Revista de Pensament i Analisi 26(2), 2021.
    .. [2] R. B. Lehoucq, D. C. Sorensen and C. Yang, "ARPACK Users' Guide:
       Solution of Large-Scale Eigenvalue Problems with Implicitly Restarted
       Arnoldi Methods", SIAM, 1998.
    """
    n, m = votes.shape
    center, D = deviations(votes)
    k = min(n_components, n, m)
    rng = np.random.default_rng(seed)
    n_iter = 0
    if k == 0 or D.nnz == 0:
        comps = np.zeros((n_components, m))
        sv = np.zeros(n_components)
    elif k >= min(n, m) - 1:
        # Tiny matrices: a dense SVD is exact and cheap.
        _, s, vt = np.linalg.svd(D.toarray(), full_matrices=False)
        comps, sv = vt[:k], s[:k]
    else:
        calls = [0]

        def matvec(x):
            calls[0] += 1
            return D.matvec(x)

        def rmatvec(y):
            calls[0] += 1
            return D.rmatvec(y)

        if start is not None and np.any(start):
            # Start inside the previous principal plane.
            s0 = np.asarray(start, dtype=np.float64)[:k]
            v0 = s0.sum(axis=0) + 1e-3 * rng.standard_normal(m)
        else:
            v0 = rng.standard_normal(m)
        if n < m:
            v0 = D.matvec(v0) + 1e-12
        s, vt = svds(matvec, rmatvec, (n, m), k=k, v0=v0, tol=tol, maxiter=max_iter * max(n, m))
        order = np.argsort(s)[::-1]
        comps, sv = vt[order], s[order]
        n_iter = calls[0]
    if k < n_components:
        comps = np.vstack([comps, np.zeros((n_components - k, m))])
        sv = np.concatenate([sv, np.zeros(n_components - k)])
    comps = np.array(comps, dtype=np.float64)
    # Fix signs: the largest absolute loading of each axis is positive.
    for row in comps:
        if row.size and row[np.argmax(np.abs(row))] < 0:
            row *= -1
    n_votes = votes.votes_per_participant()
    h = n_hidden
    scale = np.sqrt((m + h) / np.maximum(n_votes + h, 1)) if m else np.ones(n)
    projections = D.matmat(comps.T) * scale[:, None]
    single = np.sqrt((m + h) / (1 + h))
    statement_projections = (single * (1.0 - center))[:, None] * comps.T
    extremity = np.sqrt(m + h) * np.abs(-1.0 - center) * np.linalg.norm(comps, axis=0)
    explained = sv**2 / max(n - 1, 1)
    return PolisPCA(
        center=center,
        components=comps,
        singular_values=sv,
        explained_variance=explained,
        projections=projections,
        statement_projections=statement_projections,
        extremity=extremity,
        n_iter=n_iter,
    )
