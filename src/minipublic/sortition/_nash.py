"""Nash welfare distribution by column generation (Flanigan et al. 2021).

Trusts its input (an :class:`~minipublic.sortition._model.Instance`).
"""

from __future__ import annotations

import numpy as np

from minipublic.sortition._leximin import (
    ProgressFn,
    Solved,
    _noop,
    initial_panels,
    possible_types,
)
from minipublic.sortition._model import Instance, PanelSolver

#: Stop when no panel improves the Nash objective's first-order bound by more (relative).
NASH_TOL = 1e-11


def _restricted_nash(B: np.ndarray, w: np.ndarray, lam0: np.ndarray | None) -> np.ndarray:
    """Maximise ``sum_t w_t log (B lam)_t`` over the simplex by a primal barrier method.

    Newton steps on ``f(lam) + mu sum_P log lam_P`` with ``sum lam = 1``,
    ``mu`` shrinking tenfold per stage down to ``1e-15 W``.
    """
    T, P = B.shape
    W = w.sum()
    lam = np.full(P, 1.0 / P) if lam0 is None else 0.9 * lam0 + 0.1 / P
    lam = lam / lam.sum()
    mu = 1e-3 * W / P

    def obj(x: np.ndarray, mu: float) -> float:
        pi = B @ x
        if (pi <= 0).any() or (x <= 0).any():
            return -np.inf
        return float(w @ np.log(pi) + mu * np.log(x).sum())

    while True:
        for _ in range(100):
            pi = B @ lam
            g = B.T @ (w / pi) + mu / lam
            H = -(B.T * (w / pi**2)) @ B - np.diag(mu / lam**2)
            # KKT with the equality sum(d) = 0.
            K = np.zeros((P + 1, P + 1))
            K[:P, :P] = H
            K[:P, P] = 1.0
            K[P, :P] = 1.0
            rhs = np.concatenate([-g, [0.0]])
            try:
                sol = np.linalg.solve(K, rhs)
            except np.linalg.LinAlgError:
                sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
            d = sol[:P]
            decrement = float(-d @ (H @ d))
            if decrement < 1e-24 * W:
                break
            step = 1.0
            neg = d < 0
            if neg.any():
                step = min(1.0, 0.99 * float(np.min(-lam[neg] / d[neg])))
            if decrement > 1e-8 * W:
                # Far from the optimum: Armijo backtracking. Close to it, the
                # objective's rounding error exceeds the gain, so the (damped
                # to stay interior) Newton step is taken as it is.
                f0 = obj(lam, mu)
                slope = float(g @ d)
                while step > 1e-16:
                    cand = lam + step * d
                    if obj(cand, mu) >= f0 + 0.25 * step * slope:
                        break
                    step *= 0.5
            lam = lam + step * d
            lam = np.maximum(lam, 1e-300)
            lam = lam / lam.sum()
            if step * np.abs(d).max() < 1e-16:
                break
        if mu < 1e-15 * W:
            break
        mu *= 0.1
    return lam


def nash(inst: Instance, *, rng: np.random.Generator, progress: ProgressFn = _noop) -> Solved:
    """Maximise Nash welfare ``sum_i log pi_i`` over distributions of panels.

    With types, ``sum_i log pi_i = sum_t n_t log pi_t`` where
    ``pi_t = sum_P lambda_P c_{P,t} / n_t``. The restricted problem over the
    generated panels is solved by a barrier method; a new panel comes from
    the MIP ``max_P sum_t (n_t / pi_t) a_{P,t}``. The current ``pi`` is optimal
    over all panels iff that maximum is at most ``N = sum_t n_t`` (the
    first-order condition of the concave objective), which is the stopping rule.
    People whom no feasible panel contains get probability 0 and are left out
    of the objective.
    """
    solver = PanelSolver(inst)
    progress(0.0, "finding starting panels")
    panels = initial_panels(inst, solver, rng)
    impossible = possible_types(inst, solver, panels, rng)
    active = ~impossible
    size = inst.type_size.astype(float)
    w = size[active]
    W = w.sum()
    cols: list[np.ndarray] = []
    keys: set[bytes] = set()
    for c in panels:
        if c.tobytes() not in keys:
            keys.add(c.tobytes())
            cols.append(c)
    lam = None
    iterations = 0
    while True:
        iterations += 1
        B = (np.array(cols, dtype=float)[:, active] / w).T
        lam = _restricted_nash(B, w, lam)
        pi = B @ lam
        full = np.zeros(inst.T)
        full[active] = w / pi
        c, value = solver.maximise(full / size)
        gap = (value - W) / W
        progress(min(0.99, 1.0 / (1.0 + max(gap, 1e-12) * 1e3)), f"Nash gap {gap:.2e}")
        if c is None or gap <= NASH_TOL or c.tobytes() in keys or iterations > 2000:
            break
        keys.add(c.tobytes())
        cols.append(c)
        lam = np.concatenate([lam, [0.0]])
    comps = np.array(cols, dtype=np.int64)
    keep = lam > 1e-13
    comps, lam = comps[keep], lam[keep] / lam[keep].sum()
    type_prob = (comps / size).T @ lam
    type_prob[impossible] = 0.0
    return Solved(comps, lam, type_prob, impossible, len(cols), 1, iterations)
