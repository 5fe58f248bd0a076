"""Bridging scores by matrix factorisation, in the style of Community Notes.

Each agree / disagree vote is a rating ``r_us`` (agree 1, disagree 0; passes
carry no rating). The model explains it as

    r_us ~ mu + b_u + b_s + f_u * f_s

with a global mean ``mu``, a participant intercept ``b_u`` (how agreeable
they are), a statement intercept ``b_s``, and one-dimensional factors
``f_u, f_s``: the factor product captures agreement that depends on *which
side* a participant is on. A statement is **bridging** when ``b_s`` is high
(people agree with it beyond what their side explains) and ``|f_s|`` is
small. Parameters minimise, as Community Notes does,

    L = (1/N) sum (r_us - mu - b_u - b_s - f_u f_s)^2
        + lambda_f * mean(f^2) + lambda_i * mean(b^2)

(means over all participant and statement parameters together), with
``lambda_f = 0.03`` and ``lambda_i = 5 * lambda_f = 0.15``.

We fit by alternating least squares: with the statement side fixed, each
participant's ``(b_u, f_u)`` solves a 2x2 ridge system built from sparse
sums over their votes, and vice versa; ``mu`` is the mean residual. Each step
solves its block exactly, so ``L`` never increases.

References
----------
.. [1] J. Wojcik, J. Allen, C. Baumgartner, P. Cui, A. Derringer, M. Leidner,
   B. Mun, K. Nabben, N. Pollock, L. Song, S. Tan, Y. Tian, L. van der Merwe
   and H. Zhan, "Birdwatch: Crowd Wisdom and Bridging Algorithms can Inform
   Understanding and Reduce the Spread of Misinformation", arXiv:2210.15723,
   2022.
.. [2] A. Ovadya and L. Thorburn, "Bridging Systems: Open Problems for
   Countering Destructive Divisiveness across Ranking, Recommenders, and
   Governance", arXiv:2301.09976, 2023.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._linalg import Csr
from ._matrix import VoteMatrix

__all__ = ["BridgingModel", "fit_bridging"]


@dataclass(frozen=True, eq=False)
class BridgingModel:
    """The fitted factorisation.

    Attributes
    ----------
    mu : float
    participant_intercepts, participant_factors : ndarray of shape (n_participants,)
    statement_intercepts, statement_factors : ndarray of shape (n_statements,)
        ``statement_intercepts`` is the bridging score.
    n_ratings : ndarray of shape (n_statements,)
        Agree + disagree votes per statement (statements with none keep 0).
    loss : float
    losses : ndarray
        Loss after each sweep (non-increasing).
    lambda_intercept, lambda_factor : float
    seed : int
    """

    mu: float
    participant_intercepts: np.ndarray
    participant_factors: np.ndarray
    statement_intercepts: np.ndarray
    statement_factors: np.ndarray
    n_ratings: np.ndarray
    loss: float
    losses: np.ndarray
    lambda_intercept: float
    lambda_factor: float
    seed: int

    def is_bridging(self, *, min_intercept: float = 0.4, max_factor: float = 0.5) -> np.ndarray:
        """Community Notes' rule: ``b_s >= 0.4`` and ``|f_s| < 0.5``."""
        return (self.statement_intercepts >= min_intercept) & (
            np.abs(self.statement_factors) < max_factor
        )


def bridging_loss(r, rows, cols, mu, bu, fu, bs, fs, lam_i, lam_f) -> float:
    """The Community Notes loss ``L`` (module docstring) for given parameters."""
    err = r - mu - bu[rows] - bs[cols] - fu[rows] * fs[cols]
    return _loss(err, bu, fu, bs, fs, lam_i, lam_f)


def _loss(err, bu, fu, bs, fs, lam_i, lam_f) -> float:
    """``L`` from the residuals ``err`` (squared in place: ``err`` is a work array)."""
    n_params = len(bu) + len(bs)
    total = np.add.reduce  # what np.sum calls, without its wrapper
    return float(
        np.mean(np.square(err, out=err))
        + lam_f * (total(fu**2) + total(fs**2)) / n_params
        + lam_i * (total(bu**2) + total(bs**2)) / n_params
    )


def _solve_side(Obs, R, n_obs, mu, b_other, f_other, lam_i, lam_f, r_sum=None):
    """Exact ridge solve of (b, f) for every row of Obs given the other side.

    ``r_sum``: ``R @ ones``, which does not change between iterations. The
    four products with ``Obs`` go through one sparse-dense product, which
    sums each output in the same order as four sparse-vector products, so
    the result is the same to the last bit.
    """
    sums = Obs.matmat(np.column_stack([f_other, f_other**2, b_other, b_other * f_other]))
    sf, sff, sb, sbf = sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3]
    if r_sum is None:
        r_sum = R.row_sums()
    sy = r_sum - mu * n_obs - sb
    syf = R.matvec(f_other) - mu * sf - sbf
    a11 = n_obs + lam_i
    a22 = sff + lam_f
    det = a11 * a22 - sf**2
    b = (a22 * sy - sf * syf) / det
    f = (a11 * syf - sf * sy) / det
    return b, f


#: Ratings per block in :func:`_residuals` (a few arrays of this many doubles
#: stay in the CPU cache).
_BLOCK = 1 << 14


def _residuals(out, r, rows, cols, bu, bs, fu, fs, mu, work) -> np.ndarray:
    """``r - bu[rows] - bs[cols] - fu[rows] * fs[cols]`` into ``out``, ``mu`` first if given.

    The arithmetic of :func:`bridging_loss`, operation for operation (so the
    same bits), done a block of ratings at a time: each block's gathered
    terms stay in the cache instead of making a pass over memory each.
    """
    g_u, g_s, f_u, f_s = work
    # ndarray.take, not np.take: the same gather without a Python wrapper
    # call (four per block, hundreds of sweeps).
    for a in range(0, len(r), _BLOCK):
        b = min(a + _BLOCK, len(r))
        k = b - a
        o = out[a:b]
        if mu is None:
            np.subtract(r[a:b], bu.take(rows[a:b], out=g_u[:k], mode="clip"), out=o)
        else:
            np.subtract(r[a:b], mu, out=o)
            o -= bu.take(rows[a:b], out=g_u[:k], mode="clip")
        o -= bs.take(cols[a:b], out=g_s[:k], mode="clip")
        prod = fu.take(rows[a:b], out=f_u[:k], mode="clip")
        prod *= fs.take(cols[a:b], out=f_s[:k], mode="clip")
        o -= prod
    return out


def fit_bridging(
    votes: VoteMatrix,
    *,
    seed: int = 0,
    lambda_factor: float = 0.03,
    lambda_intercept: float | None = None,
    max_iter: int = 200,
    tol: float = 1e-9,
) -> BridgingModel:
    """Fit the bridging model to the agree / disagree votes of ``votes``.

    Parameters
    ----------
    votes : VoteMatrix
    seed : int, default=0
        Seeds the small random start of the factors.
    lambda_factor : float, default=0.03
    lambda_intercept : float, optional
        Defaults to ``5 * lambda_factor`` (Community Notes' ratio).
    max_iter : int, default=200
    tol : float, default=1e-9
        Stop when the loss improves by less than ``tol`` (relative).

    Returns
    -------
    BridgingModel

    Notes
    -----
    The factorisation is not convex; ALS finds a stationary point from a
    seeded start. The sign of the factor axis is arbitrary; it is fixed so
    that the statement with the largest ``|f_s|`` has ``f_s > 0``.
    """
    lam_f = float(lambda_factor)
    lam_i = 5 * lam_f if lambda_intercept is None else float(lambda_intercept)
    n, m = votes.shape
    keep = votes.values != 0
    rows = votes.rows[keep]
    cols = votes.indices[keep].astype(np.int64)
    r = (votes.values[keep] > 0).astype(np.float64)
    N = len(r)
    rng = np.random.default_rng(seed)
    bu, bs = np.zeros(n), np.zeros(m)
    fu = rng.normal(0, 0.1, n)
    fs = rng.normal(0, 0.1, m)
    if N == 0:
        return BridgingModel(
            0.0, bu, fu * 0, bs, fs * 0, np.zeros(m, int), 0.0, np.zeros(0), lam_i, lam_f, seed
        )
    Obs = Csr.from_sorted(np.ones(N), rows, cols, (n, m))
    R = Csr.from_sorted(r, rows, cols, (n, m))
    ObsT, RT = Obs.T, R.T
    n_u = Obs.row_sums()
    n_s = ObsT.row_sums()
    # In sum form the per-parameter penalties are lambda * N / (n + m).
    scale = N / (n + m)
    li, lf = lam_i * scale, lam_f * scale
    mu = float(r.mean())
    losses = []
    r_u, r_s = R.row_sums(), RT.row_sums()
    resid = np.empty(N)
    work = [np.empty(min(N, _BLOCK)) for _ in range(4)]
    for _ in range(max_iter):
        bu, fu = _solve_side(Obs, R, n_u, mu, bs, fs, li, lf, r_u)
        bs, fs = _solve_side(ObsT, RT, n_s, mu, bu, fu, li, lf, r_s)
        params = (r, rows, cols, bu, bs, fu, fs)
        mu = float(np.mean(_residuals(resid, *params, None, work)))
        losses.append(_loss(_residuals(resid, *params, mu, work), bu, fu, bs, fs, lam_i, lam_f))
        if len(losses) > 1 and losses[-2] - losses[-1] <= tol * max(losses[-2], 1e-300):
            break
    if m and fs[np.argmax(np.abs(fs))] < 0:
        fs, fu = -fs, -fu
    return BridgingModel(
        mu=mu,
        participant_intercepts=bu,
        participant_factors=fu,
        statement_intercepts=bs,
        statement_factors=fs,
        n_ratings=n_s.astype(int),
        loss=losses[-1],
        losses=np.array(losses),
        lambda_intercept=lam_i,
        lambda_factor=lam_f,
        seed=seed,
    )
