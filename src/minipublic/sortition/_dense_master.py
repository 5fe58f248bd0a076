"""LEXIMIN's restricted master LP by its dual, with PIQP's dense interior-point method.

The fast path of :func:`minipublic.sortition._leximin.leximin` asks for a
mixture ``lambda`` of the panels found so far that gives every type ``t`` at
least ``z`` times its target ``tau_t``, with ``z`` as large as possible::

    max z   s.t.   sum_P lambda_P a_{P,t} >= z tau_t,   sum_P lambda_P = 1,   lambda >= 0

with ``a_{P,t} = c_{P,t} / n_t``. Its dual has one variable per type (and
``w``)::

    min w   s.t.   sum_t a_{P,t} y_t <= w  (every panel P),   sum_t tau_t y_t = 1,   y >= 0

and ``lambda`` comes back as the multipliers of the panel rows.

Why this solver, on this side. An interior-point method spends its time on
one linear system per iteration. Eliminating the panels leaves a dense
system with one row per type (1 154 with eight features at 2 000 / 100),
which is cheap to factorise; the cost is forming it. Clarabel factorises
the whole sparse KKT system instead, and its fill-reducing ordering does
not always find that elimination: at 1 153 types its time per iteration
was 48 ms with 1 200 panels, 240 ms with 2 000 and 115 ms with 3 959. PIQP's
dense solver (Schwan, Jiang, Kuhn & Jones 2023) always condenses the
panel rows into the dense type system: 0.9, 1.3 and 3.6 s for the three
(18-22 iterations), against 1.2, 5.4 and 3.3 s.

PIQP holds Python's interpreter lock while it solves, so LEXIMIN runs it in
its worker process (:mod:`minipublic.sortition._worker`) while Frank-Wolfe
polishes here.

References
----------
Schwan, R., Jiang, Y., Kuhn, D., & Jones, C. N. (2023). PIQP: A proximal
interior-point quadratic programming solver. IEEE CDC 2023, 1088-1093.
"""

from __future__ import annotations

import numpy as np
import piqp
import scipy.sparse as sp

#: Accuracy asked of PIQP (absolute and relative residuals and gap). At
#: 1e-9 PIQP stalled once the target was in reach (tight quotas at
#: 2 000 / 100: the residual of the mixture stayed at 2e-8 for 250
#: iterations, 7.8 s); at 1e-7 it stopped after 14 (0.37 s). With eight
#: features the mixture's smallest share of its target was within 1e-8 of
#: Clarabel's at 1e-9, in the same 19-22 iterations. The fast path checks
#: the final mixture itself (:meth:`~minipublic.sortition._leximin._Master.least_squares`).
DENSE_TOL = 1e-7
#: Iterations before PIQP gives up (and Clarabel solves instead); it usually
#: needs 14-22.
MAX_ITER = 100


def solve_master_dual(
    a: sp.spmatrix, target: np.ndarray, tol: float = DENSE_TOL
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """``(z, y, lambda)`` of the restricted master, or None if PIQP does not solve it.

    Parameters
    ----------
    a : sparse matrix, shape (R, P)
        ``a_{P,t}`` of each panel (column) for each type with a row.
    target : ndarray, shape (R,)
        ``tau_t`` of those types.
    tol : float, default :data:`DENSE_TOL`
        PIQP's absolute and relative accuracy.

    Returns
    -------
    z : float
        The optimum, ``w``.
    y : ndarray, shape (R,)
        Dual weights of the types (``y >= 0``, ``tau . y = 1``).
    lam : ndarray, shape (P,)
        Mixture weights of the panels (non-negative, summing to 1).

    Examples
    --------
    Two types and two panels, each holding one type: the best mixture is
    half and half, and then each type gets half of its target 1.

    >>> import numpy as np, scipy.sparse as sp
    >>> z, y, lam = solve_master_dual(sp.identity(2, format="csc"), np.ones(2))
    >>> round(z, 6), y.round(6).tolist(), lam.round(6).tolist()
    (0.5, [0.5, 0.5], [0.5, 0.5])
    """
    R, P = a.shape
    # Rows: a_P . y - w <= 0 for every panel.
    G = np.empty((P, R + 1))
    G[:, :R] = sp.csc_matrix(a).T.toarray()
    G[:, R] = -1.0
    cost = np.zeros(R + 1)
    cost[R] = 1.0
    solver = piqp.DenseSolver()
    solver.settings.verbose = False
    solver.settings.eps_abs = solver.settings.eps_rel = tol
    solver.settings.max_iter = MAX_ITER
    solver.setup(
        np.zeros((R + 1, R + 1)),
        cost,
        np.r_[np.asarray(target, dtype=float), 0.0][None, :],
        np.array([1.0]),
        G,
        None,
        np.zeros(P),
        np.r_[np.zeros(R), -np.inf],
        np.full(R + 1, np.inf),
    )
    if solver.solve() != piqp.PIQP_SOLVED:
        return None
    x = np.asarray(solver.result.x, dtype=float)
    lam = np.maximum(np.asarray(solver.result.z_u, dtype=float), 0.0)
    if not lam.sum() > 0:
        return None
    return float(x[R]), np.maximum(x[:R], 0.0), lam / lam.sum()
