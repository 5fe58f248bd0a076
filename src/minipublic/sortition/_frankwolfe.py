"""Panels near a target distribution by pairwise Frank-Wolfe, to seed column generation.

LEXIMIN's fast path (:func:`minipublic.sortition._leximin.leximin`) asks
whether the relaxed LEXIMIN target ``tau`` is a mixture of feasible panels,
by column generation on a master LP with one row per type. On pools with
hundreds of types most of that time goes into re-solving the master: at
2 000 / 100 (668 types) it took 208 solves and 144 000 simplex pivots, 90 %
of the run, because each round adds a few columns to a highly degenerate LP.

This module finds the right columns first, cheaply. It minimises the
distance ``sum_t n_t (p_t - tau_t)^2`` between the per-type probabilities
``p`` of a mixture and the target by pairwise Frank-Wolfe (Lacoste-Julien &
Jaggi, 2015): each step prices the residual ``tau - p`` and a perturbation
of it (LP relaxations, kept when the optimum is integral, by a
:class:`~minipublic.sortition._model.RelaxedPricer`; swaps from the best
panel in use otherwise) and, for each panel found, best first, moves weight
from the worst panel in use to it, with an exact line search. No LP grows and nothing is
re-solved, so a step costs a few milliseconds. The panels it keeps are those
of an approximate decomposition of the target; handed to the master, they
let it reach the target in a handful of solves instead of hundreds. The
result is only a warm start: the master decides exactly, as before.

References
----------
Lacoste-Julien, S., & Jaggi, M. (2015). On the global linear convergence of
Frank-Wolfe optimization variants. NeurIPS 28.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import numpy as np

from minipublic.sortition._model import Instance, LocalSearch, RelaxedPricer
from minipublic.sortition._worker import Worker, seconds_left

#: Weight vectors priced per step: the residual and seeded perturbations of it.
#: Two, on one thread, found as much per second as four on two threads.
BATCH = 2
#: Perturbation size of the extra weight vectors (uniform factor in [1 - x, 1 + x]).
SPREAD = 0.5
#: Steps between progress reports, and the share of the bar this warm start fills.
REPORT_EVERY = 100
REPORT_SHARE = 0.3
#: Pairwise steps per batch priced (one per distinct panel found, best first).
MOVES = 2
#: Swaps allowed to the local search when no priced vertex is integral.
SWAPS = 30


def default_steps(inst: Instance) -> int:
    """Steps used when none are given: ``2 T + 200 + min(T**3 / 250 000, 2 T)`` for T types.

    The cubic term makes the warm start longer where the master it spares
    is dearest: a master pivot costs about ``T**2`` and a re-solve about
    ``T`` pivots, while a step here prices two small LPs. 892 steps at 295
    types, 2 728 at 668, 3 840 at 910. At 2 000 / 100 with tight quotas (668
    types) the extra steps took the whole run from 187 s to 72 s; at
    500 / 40 they made no difference. The cap (``2 T``) is for very large
    pools, where each step is dear too: at 50 000 / 150 (1 259 types) the
    uncapped 10 697 steps made the run 641 s.
    """
    T = inst.T
    return 2 * T + 200 + min(T**3 // 250_000, 2 * T)


def frank_wolfe(
    inst: Instance,
    pricer: RelaxedPricer,
    target: np.ndarray,
    panels: list[np.ndarray],
    rng: np.random.Generator,
    *,
    steps: int,
    start: np.ndarray | None = None,
    tol: float = 1e-7,
    deadline: float | None = None,
    progress: Callable[[float, str], None] | None = None,
    halves: int = 1,
    worker: Worker | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Pairwise Frank-Wolfe from the uniform mixture of ``panels`` towards ``target``.

    Parameters
    ----------
    inst : Instance
    pricer : RelaxedPricer
        Prices batches of per-member weights by the LP relaxation.
    target : ndarray, shape (T,)
        Per-type probabilities to approach (0 for impossible types).
    panels : list of ndarray
        Feasible compositions to start from (at least one).
    rng : numpy.random.Generator
        Seeds the perturbed weights.
    steps : int
        Most Frank-Wolfe steps.
    start : ndarray, optional
        Mixture weights of ``panels`` to start from (default: uniform).
    tol : float
        Stop once every type is within ``tol`` of its target.
    deadline : float, optional
        A :func:`time.perf_counter` value; stop at the first step after it.
    progress : callable, optional
        Called as ``progress(fraction, message)`` every :data:`REPORT_EVERY`
        steps, with fractions from 0 to :data:`REPORT_SHARE`.
    halves : int
        2: two independent runs of half the steps, one per core, their
        mixtures averaged (no ``start``). A run prices its two LPs a step
        one after the other, so the second core would idle. Eight features
        at 2 000 / 100 (1 153 types): 75-82 s against 104 s with one run of
        all the steps, same hour; the household family 47.7 s against 53.9 s.
        The second run goes to a second process (:class:`Worker`): on a
        second thread the two shared the interpreter lock and took 26 s
        where one alone takes 16 s; in a second process, 15-18 s.
    worker : Worker, optional
        The process for the second run (a new one when None).

    Returns
    -------
    panels : list of ndarray
        Every composition seen, starting panels first.
    weights : ndarray
        Their mixture weights (sum 1; 0 for panels not in use).

    Examples
    --------
    Two types of one person each, a panel of one and no quotas: the only
    panels are "first" and "second", and the fair mixture is half and half.

    >>> import numpy as np
    >>> from minipublic.sortition._model import Instance, PanelSolver, RelaxedPricer
    >>> inst = Instance(k=1, ids=["a", "b"], quota_keys=[], lo=np.zeros(0, int),
    ...     hi=np.zeros(0, int), person_type=np.array([0, 1]), type_size=np.array([1, 1]),
    ...     type_members=[np.array([0]), np.array([1])],
    ...     type_quota=np.zeros((2, 0), int), households=[])
    >>> with RelaxedPricer(PanelSolver(inst), workers=1) as pricer:
    ...     cols, lam = frank_wolfe(inst, pricer, np.array([0.5, 0.5]),
    ...         [np.array([1, 0])], np.random.default_rng(0), steps=10)
    >>> [c.tolist() for c in cols], lam.round(6).tolist()
    ([[1, 0], [0, 1]], [0.5, 0.5])
    """
    if halves == 2 and start is None:
        return _in_halves(
            steps,
            inst,
            pricer,
            target,
            panels,
            rng,
            tol=tol,
            deadline=deadline,
            progress=progress,
            worker=worker,
        )
    size = inst.type_size.astype(float)
    T = inst.T
    search = LocalSearch(inst)
    C = np.zeros((len(panels) + steps * BATCH + 1, T))
    keys: dict[bytes, int] = {}
    count = 0

    def index_of(c: np.ndarray) -> int:
        nonlocal count
        c = np.asarray(c, dtype=np.int64)
        key = c.tobytes()
        if key not in keys:
            keys[key] = count
            C[count] = c
            count += 1
        return keys[key]

    for c in panels:
        index_of(c)
    lam = np.zeros(len(C))
    if start is None:
        lam[:count] = 1.0 / count
    else:
        for c, weight in zip(panels, np.clip(start, 0.0, None), strict=True):
            lam[index_of(c)] += weight
        lam /= lam.sum()
    p = (C[:count] / size).T @ lam[:count]
    for i in range(steps):
        r = p - target
        if progress is not None and i % REPORT_EVERY == 0:
            progress(
                REPORT_SHARE * i / steps,
                f"reaching the fairest target: step {i} of at most {steps}, "
                f"{int((lam[:count] > 0).sum())} panels in use",
            )
        if float(np.abs(r).max()) < tol:
            break
        if deadline is not None and time.perf_counter() > deadline:
            break
        w = -r  # per member: the panel maximising w . c moves p towards the target
        points = [w] + [w * rng.uniform(1 - SPREAD, 1 + SPREAD, T) for _ in range(BATCH - 1)]
        found = [c for c, _ in pricer.price(points) if c is not None]
        if not found:
            start = C[_best_in_use(C[:count] @ w, lam[:count])].astype(np.int64)
            found = [search.improve(start, w, max_moves=SWAPS)]
        new = sorted({index_of(c) for c in found}, key=lambda j: -float(C[j] @ w))
        for s in new[:MOVES]:
            # One pairwise step per panel found, best first: the other
            # panels of the batch cost no more pricing.
            v = _best_in_use(C[:count] @ (p - target), lam[:count])
            if v == s:
                continue
            d = (C[s] - C[v]) / size
            num = -float((size * d) @ (p - target))
            den = float((size * d) @ d)
            if den <= 0.0 or num <= 0.0:
                continue
            step = min(num / den, lam[v])
            lam[s] += step
            lam[v] -= step
            if lam[v] < 1e-15:
                lam[v] = 0.0
            p = p + step * d
    cols = [C[i].astype(np.int64) for i in range(count)]
    weights = lam[:count]
    return cols, weights / weights.sum()


def _in_halves(
    steps: int,
    inst: Instance,
    pricer: RelaxedPricer,
    target: np.ndarray,
    panels: list[np.ndarray],
    rng: np.random.Generator,
    *,
    tol: float,
    deadline: float | None,
    progress: Callable[[float, str], None] | None,
    worker: Worker | None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Two independent runs of about ``steps // 2`` steps, one per core (see :func:`frank_wolfe`).

    The second run has its own seeded generator (``rng.spawn``) and its own
    copy of the LP, in ``worker``'s process (a new one when None); the
    first stays here and alone reports progress. Each run's weights are
    halved, so the mixture is their average. Each run depends on its seed
    only, so the result does not depend on where the second one ran.
    """
    first, second = rng.spawn(2)
    seconds = seconds_left(deadline)
    with contextlib.ExitStack() as stack:
        if worker is None:
            worker = stack.enter_context(Worker())
        worker.submit("frank_wolfe", inst, target, panels, second, steps // 2, tol, seconds)
        try:
            cols, lam = frank_wolfe(
                inst,
                pricer,
                target,
                panels,
                first,
                steps=steps - steps // 2,
                tol=tol,
                deadline=deadline,
                progress=progress,
            )
        except BaseException:
            worker.stop()
            raise
        cols2, lam2 = worker.result()
    return cols + list(cols2), np.concatenate([0.5 * lam, 0.5 * lam2])


def _best_in_use(values: np.ndarray, lam: np.ndarray) -> int:
    """Index of the largest of ``values`` among panels in use (``lam > 0``), first on ties.

    Masks the products of the whole matrix instead of gathering the rows in
    use first: with thousands of panels that copy (46 MB at 5 000 panels of
    1 153 types) cost more than the product itself.
    """
    return int(np.argmax(np.where(lam > 0, values, -np.inf)))
