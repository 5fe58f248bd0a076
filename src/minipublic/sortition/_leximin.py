"""LEXIMIN and Maximin distributions by column generation (Flanigan et al. 2021).

Everything here works on an :class:`~minipublic.sortition._model.Instance`
(types and compositions) and trusts its input.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import clarabel
import highspy
import numpy as np
import scipy.sparse as sp
from scipy.optimize import nnls
from threadpoolctl import threadpool_limits

from minipublic.sortition._dense_master import DENSE_TOL
from minipublic.sortition._frankwolfe import REPORT_SHARE, default_steps, frank_wolfe
from minipublic.sortition._model import (
    Instance,
    LocalSearch,
    PanelSolver,
    RelaxedPricer,
    new_highs,
)
from minipublic.sortition._relaxed import relaxed_leximin, target_face
from minipublic.sortition._worker import Worker, seconds_left

ProgressFn = Callable[[float, str], None]

#: Pricing tolerance: a panel is added when it violates the restricted dual by more.
PRICE_TOL = 1e-9
#: Weight of the stability centre in Wentges dual smoothing.
SMOOTHING = 0.5
#: A type is fixed at the current level when its dual weight exceeds this.
FIX_TOL = 1e-7
#: The relaxed LEXIMIN counts as reached when ``z >= 1 - REACH_TOL``.
REACH_TOL = 1e-9
#: ... and, once no panel improves it, when ``z >= 1 - ACCEPT_TOL``.
ACCEPT_TOL = 1e-7
#: Most panels found by local search that are added per pricing round.
HEURISTIC_COLUMNS = 30
#: Seeded perturbations of the duals priced by LP per round, and their size
#: (each dual weight times a uniform factor in [1 - NOISE, 1 + NOISE]). Wide
#: perturbations give many distinct integral panels per round, for dual
#: weights the master has not reached yet, and every round saved is a
#: master re-solve (the dearest step: about 2 s at 2 000 / 100). Since the
#: Frank-Wolfe warm start, 128 beat 24: 17 re-solves instead of 31 at
#: 2 000 / 100 (58 s against 79 s in all), and at 500 / 40 4.1 s against
#: 5.5 s (self-selected) and 11.8 s against 15.4 s (eight features). Larger
#: pools price one perturbation per 20 types when that is more: a master
#: re-solve costs more with every type while an LP pricing grows about
#: linearly.
PERTURBED = 128
NOISE = 0.5
#: HiGHS' primal bound perturbation in the master, as a multiple of its
#: default: none. Near the target every row is nearly tight
#: (``sum_t n_t pi_t = k`` for every mixture), and removing a perturbation at
#: the end of a solve then costs a long clean-up: at 50 000 / 150 the last six
#: solves took 8 to 40 s each (up to 21 000 pivots) with the default, and one
#: still took 39 s with 1% of it; without it the same solves take 1-2 s and
#: the whole run 6.6 minutes instead of 11. The price is that the primal
#: simplex can cycle (the first solve at 1 000 / 40 does), so a solve that
#: needs more than :data:`STALL_PIVOTS` pivots per row is finished with the
#: default perturbation.
PERTURBATION = 0.0
#: Pivots per row after which a master solve counts as stalled (normal
#: re-solves take 1-3 per row; a cycling one runs on for ever).
STALL_PIVOTS = 10
#: The master's first solve uses the interior-point method (with crossover)
#: when it has more than this many columns per row (see :meth:`_Master.solve`).
COLD_IPM_RATIO = 2.0
#: Once a warm re-solve of the master takes more than this many simplex
#: pivots per row, the later ones use the interior-point method (with
#: crossover) instead. Normal re-solves take 1-3 pivots per row; with eight
#: features at 2 000 / 100 (1 153 rows, 5 100 panels) each took 4 500-8 800
#: pivots, 25-50 s, where the interior-point method takes about 8 s.
IPM_PIVOTS_PER_ROW = 3.0
#: Once re-solves use the interior-point method, every round of column
#: generation also adds up to this many panels found by swaps from this
#: many starting panels, whether or not LP pricing found some. Each such
#: re-solve costs 5-20 s and adds 20-30 panels from LP pricing alone; with
#: the swaps, eight features at 2 000 / 100 took 8 re-solves instead of 19
#: and households 6 instead of 9.
IPM_HEURISTIC_STARTS = 128
IPM_HEURISTIC_COLUMNS = 200
#: Rounds of "polish" between the warm start and column generation: each
#: solves the master, runs :data:`POLISH_STEPS` Frank-Wolfe steps from its
#: mixture and adds the panels they use. Column generation closes the
#: last gap from the duals, a few panels a round; polishing moves towards
#: the target from the primal side, a few hundred panels a round, which pays
#: while the master is cheap to re-solve. At 2 000 / 100 with tight quotas
#: (668 types, 2.2 panels per row after the warm start), five rounds took
#: the gap from 1.7e-3 to 2e-6 and the run from 66 s to 45 s; with the
#: household rule (910 types, 5.8 panels per row) each round cost 28 s and
#: the run 313 s instead of 215 s. So polishing stops once the master has
#: more than :data:`POLISH_COLUMNS_PER_ROW` panels per row.
POLISH_ROUNDS = 5
POLISH_STEPS = 500
POLISH_COLUMNS_PER_ROW = 4.0
#: The fast path's master is solved by Clarabel's interior-point method
#: (see :meth:`_Master._solve_interior`) from its first solve on, when it
#: has at least this many rows (types). Measured at 2 000 / 100 on 12-04:
#: eight features (1 153 rows) 199 s against 255 s, households (910) 104 s
#: against 115 s. On 12-06, at 668 rows, once the first solve was
#: Clarabel's too (before, a first solve with fewer than
#: :data:`COLD_IPM_RATIO` panels per row went to HiGHS' simplex method and
#: the later ones stayed there, 2 s a round for 39 rounds with tight
#: quotas): tight 33.3 s against 62.7 s, self-selected 28.3 s against
#: 55.8 s, loose 17.4 s against 24.3 s. Below, it did not pay: 526 rows
#: (synthetic, 2 000 / 100) 8.3 s against 7.8 s, 346 rows (households,
#: 500 / 40) 7.7 s against 5.8 s; 401 rows (eight features, 500 / 40)
#: 12.3 s against 15.6 s.
INTERIOR_ROWS = 600
#: Accuracy asked of Clarabel: relative gap and feasibility.
INTERIOR_TOL = 1e-9
#: With Clarabel a re-solve costs 1-4 s at 2 000 / 100, so the warm start
#: is cut to this share of its steps (:func:`default_steps`) with no polish
#: rounds, and each round adds swaps from :data:`INTERIOR_HEURISTIC_STARTS`
#: starting panels instead of :data:`IPM_HEURISTIC_STARTS`: more, cheaper
#: rounds. Measured at 2 000 / 100, one run each: households 92.7 s with the
#: full warm start and 128 starts, 70.1 s with 8 starts, 67.9 s with half the
#: steps too (no polish; 69.9 s with polish); eight features 180.7 s,
#: 164.6 s and 142.1 s. A quarter of the steps was slower (eight features
#: still running after 5 minutes): the rounds then close the gap too slowly.
INTERIOR_STEP_SHARE = 0.5
INTERIOR_HEURISTIC_STARTS = 8
#: ... and prices this many perturbations of the duals per round instead of
#: :data:`PERTURBED`: eight features 129.7 s against 154.5 s, households
#: 65.7 s against 70.2 s (2 000 / 100, same hour; 32 took 85.2 s and 1 024
#: 69.1 s with households).
INTERIOR_PERTURBED = 512
#: Once the interior-point master is this close to the target
#: (``z >= 1 - FINISH_GAP``), column generation goes on by HiGHS over the
#: :data:`FINISH_COLUMNS` panels per row of largest weight in its mixture
#: (see :meth:`_Master.exact_over`).
FINISH_GAP = 1e-6
FINISH_COLUMNS = 1.5
#: When the interior-point master is within ``FINISH_TOL`` of the target
#: (as it usually is on its last solve: eight features and households at
#: 2 000 / 100 both jump from 1 - 5e-5 to 1), the finish first tries
#: non-negative least squares over those panels (:meth:`_Master.least_squares`)
#: and keeps its mixture when every type then gets at least
#: ``1 - FINISH_TOL`` of its target: a shortfall of a hundred-millionth of
#: a probability, far below any difference a panel can make. With eight
#: features at 2 000 / 100 it gave 1 139 panels and ``z = 1 - 1.2e-9`` in
#: 1.3 s, where HiGHS took 15 s for the same number of panels.
FINISH_TOL = 1e-8
#: Frank-Wolfe steps of the polish that runs beside each of Clarabel's
#: solves (:func:`_solve_polishing`), from the last interior-point mixture.
#: Eight features at 2 000 / 100, same hour: 80 steps 61.1 s, 120 steps
#: 60.5 s and 65.1 s, 200 steps 67.3 s, 300 steps 73.5 s, none 78-80 s
#: (before the starting panels were shared with the worker; after, 49.8 s
#: with 120). More steps than a solve lasts only make it wait.
CONCURRENT_STEPS = 120
#: From this many types on, LEXIMIN shares its searches with a worker
#: process (:mod:`minipublic.sortition._worker`): half the starting panels
#: and the second of two Frank-Wolfe halves. Starting the worker costs
#: about a second (imports), which smaller pools, solved in about a second,
#: would feel. Same run, every family, with and without the worker (the
#: benchmark's ``--quick`` sizes): 500 / 40 3.4 s against 4.5 s (synthetic,
#: 265 types), 4.0 against 6.0 (tight), 4.9 against 6.0 (households), 11.2
#: against 10.4 (eight features); 2 000 / 100 27.8 s against 42.4 s
#: (self-selected), 34.7 against 42.0 (tight), 15.0 against 29.5 (loose),
#: 27.4 against 51.5 (households), 52.4 against 99.6 (eight features).
WORKER_TYPES = 250


@dataclass
class Solved:
    """Raw solver output (type level)."""

    compositions: np.ndarray  # (P, T) int
    weights: np.ndarray  # (P,) probabilities of compositions
    type_prob: np.ndarray  # (T,)
    impossible: np.ndarray  # (T,) bool: no feasible panel contains this type
    n_columns: int  # panels generated in total
    n_levels: int
    iterations: int
    #: False when a time limit stopped the search before the optimum.
    optimal: bool = True
    #: Proven upper bound on the smallest probability of the optimum (the LP
    #: bound), or None when not computed.
    min_upper_bound: float | None = None


def _noop(fraction: float, message: str) -> None:
    return None


def possible_types(
    inst: Instance, solver: PanelSolver, panels: list[np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Types that some feasible panel contains; adds a covering panel for each to ``panels``.

    For each type no panel covers yet, one member of it is required (a
    lower bound) and seeded random weights that favour the other uncovered
    types are maximised, so each panel found tends to cover several. The
    LP relaxation rounded to a panel (:meth:`PanelSolver.rounded`) finds
    one first; only when it does not does the MIP decide, and its
    infeasibility proves the type impossible. Eight features at
    2 000 / 100: 0.14 s against 2.3 s with a MIP for each of 14 types.
    Random weights keep the MIP easy: with a single type in the objective,
    HiGHS spends ten times longer telling apart panels that are all equally
    good (0.5 s against 0.05 s per type at 50 000 / 150).
    """
    covered = np.zeros(inst.T, dtype=bool)
    for c in panels:
        covered |= c > 0
    impossible = np.zeros(inst.T, dtype=bool)
    size = inst.type_size.astype(float)
    for t in np.nonzero(~covered)[0]:
        if covered[t]:
            continue
        w = rng.uniform(0.5, 1.5, size=inst.T) * np.where(covered, 0.05, 1.0) / size
        solver.set_lower(int(t), 1)
        # A rounded LP optimum with the type in is a proof too, and cheaper.
        c, _ = solver.rounded(w)
        if c is None:
            c, _ = solver.maximise(w)
        solver.set_lower(int(t), 0)
        if c is None:
            impossible[t] = True
            continue
        panels.append(c)
        covered |= c > 0
    return impossible


def start_rounds(inst: Instance) -> int:
    """Rounds of :func:`initial_panels`: half the types, at least 10 and at most 150."""
    return int(min(max(10, inst.T // 2), 150))


def initial_panels(
    inst: Instance,
    solver: PanelSolver,
    rng: np.random.Generator,
    *,
    rounds: int | None = None,
    deadline: float | None = None,
) -> list[np.ndarray]:
    """A diverse starting set of panels by multiplicative weights.

    Following Flanigan et al. (2021, Methods), each round finds a panel of
    large total weight and then multiplies the weight of everyone on it by
    0.8, so later panels favour people not yet covered. Weights are per
    person (``w_t / n_t`` per seat of type t) with a little seeded noise.
    The first panel is the MIP's optimum; later ones the LP relaxation's,
    rounded to a panel (:meth:`PanelSolver.rounded`), or swaps from the
    last panel when no rounding is one. Eight features at 2 000 / 100, 75
    rounds: 1-2 s against 7.0 s with the MIP every tenth round (0.1-0.8 s
    each) and swaps between (43 ms each).
    """
    T = inst.T
    rounds = rounds if rounds is not None else start_rounds(inst)
    search = LocalSearch(inst)
    w = np.ones(T)
    panels: list[np.ndarray] = []
    seen: set[bytes] = set()
    size = inst.type_size.astype(float)
    c = None
    for _ in range(rounds):
        if deadline is not None and panels and time.perf_counter() > deadline:
            break
        noise = rng.uniform(0.9, 1.1, size=T)
        weights = w * noise / size
        # The exact MIP first; then the LP optimum rounded to a panel, or
        # swaps from the last panel when no rounding is one.
        if c is None:
            c, _ = solver.maximise(weights)
            if c is None:
                break
        else:
            c_new, _ = solver.rounded(weights)
            c = c_new if c_new is not None else search.improve(c, weights)
        key = c.tobytes()
        if key not in seen:
            seen.add(key)
            panels.append(c)
        w = w * np.power(0.8, c / size)
        w = w / w.mean()
    return panels


class _Master:
    """Restricted master LP: max z, s.t. pi_t >= z (open types), pi_t >= f_t (fixed), sum lambda = 1.

    With ``target`` the open rows read ``pi_t >= z target_t`` instead.
    """

    def __init__(
        self,
        inst: Instance,
        active: np.ndarray,
        target: np.ndarray | None = None,
        worker: Worker | None = None,
    ) -> None:
        self.inst = inst
        #: Where interior-point solves run by PIQP (:meth:`_solve_interior`);
        #: None for Clarabel's. ``last_dense``: the last solve was PIQP's.
        self.worker = worker
        self.rows = np.nonzero(active)[0]  # types with a row
        self.row_of = -np.ones(inst.T, dtype=np.int64)
        self.row_of[self.rows] = np.arange(len(self.rows))
        self.R = len(self.rows)
        # Row of type t: sum_P lambda_P a_{P,t} - target_t z >= 0 (target 1: plain maximin).
        self.coef = (
            np.ones(self.R) if target is None else np.asarray(target, dtype=float)[self.rows]
        )
        #: The searches for panels look only on the face of the panel
        #: polytope where the target lies (:func:`target_face`).
        self.face = inst if target is None else target_face(inst, target)
        self.fixed = np.full(inst.T, np.nan)
        self.iterations = 0
        self.timed_out = False
        #: Masters of the fast path solve by Clarabel's interior-point method
        #: where HiGHS would use its own (see :meth:`solve`).
        self.interior = target is not None and self.R >= INTERIOR_ROWS
        self._new_model()

    def _new_model(self) -> None:
        """A HiGHS model with no panels yet (and no solve so far)."""
        R = self.R
        h = new_highs(
            primal_feasibility_tolerance=1e-10,
            dual_feasibility_tolerance=1e-10,
            solver="simplex",
            # Primal simplex: new columns keep the basis primal feasible.
            simplex_strategy=4,
            # Presolve would discard the basis; warm starts are what makes
            # column generation fast.
            presolve="off",
            primal_simplex_bound_perturbation_multiplier=PERTURBATION,
        )
        self.pivot_limit = STALL_PIVOTS * (R + 1)
        h.setOptionValue("simplex_iteration_limit", self.pivot_limit)
        self.stalls = 0
        inf = highspy.kHighsInf
        # column 0 is z (free); rows 0..R-1 types, row R convexity.
        h.addCols(
            1,
            np.array([1.0]),
            np.array([-inf]),
            np.array([inf]),
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([], dtype=float),
        )
        for r in range(R):
            h.addRow(0.0, inf, 1, np.array([0], dtype=np.int32), np.array([-self.coef[r]]))
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([], dtype=float))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self.columns: list[np.ndarray] = []
        self.keys: set[bytes] = set()
        # Sparse columns for the interior-point solver (rows, values).
        self._idx: list[np.ndarray] = []
        self._val: list[np.ndarray] = []
        self._solved = False
        self.use_ipm = False
        self.last_interior = False
        self.last_dense = False
        self.cold_ipm = False

    def add(self, c: np.ndarray) -> bool:
        key = c.tobytes()
        if key in self.keys:
            return False
        self.keys.add(key)
        self.columns.append(c)
        nz = np.nonzero(c)[0]
        nz = nz[self.row_of[nz] >= 0]
        idx = np.concatenate([self.row_of[nz], [self.R]]).astype(np.int32)
        val = np.concatenate([c[nz] / self.inst.type_size[nz], [1.0]])
        self.h.addCol(0.0, 0.0, highspy.kHighsInf, len(idx), idx, val)
        self._idx.append(idx)
        self._val.append(val)
        return True

    def exact_over(self, keep: np.ndarray) -> None:
        """Start again with HiGHS over the panels with the indices ``keep``.

        Used once the interior-point master is nearly at the target, when
        :meth:`least_squares` over the same panels falls short. Its
        mixture gives weight to every panel (it is the centre of the optimal
        face, not a vertex), which would make the distribution five times
        longer than needed and the lottery rounding of ``select`` slower
        (5.5 s against 1.2 s with eight features at 500 / 40). Over its
        heaviest 1.5 panels per row, HiGHS' interior-point method with
        crossover finds an exact vertex (about one panel per type); should
        those panels fall short of the target, column generation goes on
        from there by the simplex method. With eight features at 2 000 / 100
        the 1 730 heaviest of 6 278 panels reached the target, in 12.6 s
        against 30 s over all of them.
        """
        kept = [self.columns[i] for i in np.sort(keep)]
        self._new_model()
        self.interior = False
        self.cold_ipm = True  # the simplex method from scratch is slow here
        for c in kept:
            self.add(c)

    def least_squares(self, keep: np.ndarray) -> np.ndarray | None:
        """Mixture weights over all panels from the panels ``keep`` alone, or None.

        Solves ``min ||A lambda - target||`` with ``sum lambda = 1`` as one
        more row, ``lambda >= 0``, by the active-set method of Lawson &
        Hanson (1974, ch. 23; :func:`scipy.optimize.nnls`). Its panels in use
        stay linearly independent, so the mixture is as short as a vertex's
        (no more panels than rows). Returns None unless every open type gets
        at least ``1 - FINISH_TOL`` of its target.
        """
        keep = np.sort(keep)
        A = self._matrix(keep).toarray()
        b = np.r_[self.coef, 1.0]
        try:
            x, _ = nnls(A, b, maxiter=20 * len(keep))
        except RuntimeError:  # out of iterations: HiGHS finishes instead
            return None
        if not x.sum() > 0:
            return None
        x = x / x.sum()
        p = A[: self.R] @ x
        open_rows = np.isnan(self.fixed[self.rows])
        if (p[open_rows] < (1.0 - FINISH_TOL) * self.coef[open_rows]).any():
            return None
        lam = np.zeros(len(self.columns))
        lam[keep] = x
        return lam

    def fix(self, t: int, value: float) -> None:
        r = int(self.row_of[t])
        self.h.changeCoeff(r, 0, 0.0)
        self.h.changeRowBounds(r, float(value), highspy.kHighsInf)
        self.fixed[t] = value

    def solve(self) -> tuple[bool, float, np.ndarray, np.ndarray]:
        """(ok, z, y per type (0 for rowless), lambda).

        The first solve starts from no basis. With many more columns than
        rows (a warm start from :func:`frank_wolfe`), the interior-point
        method with crossover finds the optimal basis far faster than the
        primal simplex (at 2 000 / 100 with 1 600 columns: 0.9 s against
        8 300 pivots and 11.8 s); later solves start from that basis, by
        the primal simplex until one takes more than
        :data:`IPM_PIVOTS_PER_ROW` pivots per row and by the interior-point
        method from then on. The switch counts pivots, not seconds, so the
        result stays reproducible from the seed. In a fast-path master with
        at least :data:`INTERIOR_ROWS` rows, every solve is Clarabel's
        instead (:meth:`_solve_interior`; ``last_interior`` says so), the
        first one included, until :meth:`exact_over` hands the end back to
        HiGHS or Clarabel falls short of its accuracy.
        """
        h = self.h
        cold = not self._solved and (self.cold_ipm or len(self.columns) > COLD_IPM_RATIO * self.R)
        self.last_interior = self.last_dense = False
        if self.interior and (self.use_ipm or not self._solved):
            result = self._solve_interior()
            if result is not None:
                self._solved = True
                self.use_ipm = True
                self.last_interior = True
                return result
            self.interior = False  # numerical trouble: HiGHS from here on
        if cold or self.use_ipm:
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "on")
            h.run()
            h.setOptionValue("solver", "simplex")
        else:
            h.run()
            pivots = h.getInfo().simplex_iteration_count
            if self._solved and pivots > IPM_PIVOTS_PER_ROW * (self.R + 1):
                self.use_ipm = True
        self._solved = True
        if h.getModelStatus() == highspy.HighsModelStatus.kIterationLimit:
            # Stalling among degenerate pivots: go on with HiGHS' default
            # bound perturbation, which always gets out.
            h.setOptionValue("primal_simplex_bound_perturbation_multiplier", 1.0)
            h.setOptionValue("simplex_iteration_limit", highspy.kHighsIInf)
            h.run()
            h.setOptionValue("primal_simplex_bound_perturbation_multiplier", PERTURBATION)
            h.setOptionValue("simplex_iteration_limit", self.pivot_limit)
            self.stalls += 1
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False, np.nan, np.zeros(self.inst.T), np.zeros(len(self.columns))
        sol = h.getSolution()
        z = float(sol.col_value[0])
        lam = np.asarray(sol.col_value[1:], dtype=float)
        dual = np.asarray(sol.row_dual[: self.R], dtype=float)
        open_rows = np.isnan(self.fixed[self.rows])
        s = dual[open_rows].sum()
        sign = -1.0 if s < 0 else 1.0
        y = np.zeros(self.inst.T)
        y[self.rows] = np.maximum(sign * dual, 0.0)
        return True, z, y, lam

    def _solve_interior(self) -> tuple[bool, float, np.ndarray, np.ndarray] | None:
        """Solve by Clarabel's interior-point method (Goulart & Chen 2024).

        HiGHS' interior-point solver (IPX) solves its normal equations by
        conjugate gradients, which slow down as the master nears its optimum
        (``z -> 1``): with eight features at 2 000 / 100 (1 153 rows, 5 000
        to 6 000 panels) a solve grew from 10 to 40 s at about 45 iterations.
        Clarabel factorises directly and took 4-6 s on the same problems.
        Its duals are interior (well centred), which also steadies column
        generation (Gondzio, González-Brevis & Munari 2013, EJOR 224(1)).
        Returns None when Clarabel does not reach the accuracy asked.
        Clarabel: Goulart & Chen (2024), arXiv:2405.12762.

        With a ``worker``, PIQP's dense solver solves the master by its dual
        there instead (:mod:`minipublic.sortition._dense_master`; it holds
        the interpreter lock, so not here, where Frank-Wolfe polishes
        meanwhile), and Clarabel only when PIQP fails; ``last_dense`` says
        which solved.

        Variables ``(z, lambda)``; the rows, in Clarabel's form
        ``A x + s = b``: ``sum lambda = 1`` (zero cone),
        ``target_t z - sum_P a_{P,t} lambda_P + s_t = 0`` and
        ``-lambda + s = 0`` (non-negative cone).
        """
        R, P = self.R, len(self.columns)
        A = self._matrix(np.arange(P))
        if self.worker is not None:
            self.worker.submit("master_dual", A[:R], self.coef, DENSE_TOL)
            dense = self.worker.result()
            if dense is not None:
                z, dual, lam = dense
                y = np.zeros(self.inst.T)
                y[self.rows] = dual
                self.last_dense = True
                return True, z, y, lam
        zcol = sp.csc_matrix(np.r_[0.0, self.coef, np.zeros(P)][:, None])
        body = sp.vstack([A[R:], -A[:R], -sp.eye(P, format="csc")], format="csc")
        M = sp.hstack([zcol, body], format="csc")
        b = np.r_[1.0, np.zeros(R + P)]
        q = np.zeros(P + 1)
        q[0] = -1.0
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = INTERIOR_TOL
        # faer's supernodal factorisation on one thread: 3.9 s against 9.9 s
        # for the default (QDLDL) and 7.7 s on two threads, and the same
        # answer on every run.
        settings.direct_solve_method = "faer"
        settings.max_threads = 1
        # Iterative refinement of each linear solve: the same iterations and
        # the same accuracy checks without it, in 1.7 s against 2.2 s (eight
        # features, 2 000 / 100, 3 845 panels).
        settings.iterative_refinement_enable = False
        cones = [clarabel.ZeroConeT(1), clarabel.NonnegativeConeT(R + P)]
        sol = clarabel.DefaultSolver(
            sp.csc_matrix((P + 1, P + 1)), q, M, b, cones, settings
        ).solve()
        if str(sol.status) not in ("Solved", "AlmostSolved"):
            return None
        x = np.asarray(sol.x, dtype=float)
        dual = np.asarray(sol.z, dtype=float)[1 : R + 1]
        y = np.zeros(self.inst.T)
        y[self.rows] = np.maximum(dual, 0.0)
        return True, float(x[0]), y, np.maximum(x[1:], 0.0)

    def _matrix(self, panels: np.ndarray) -> sp.csc_matrix:
        """The columns of ``panels``: rows ``a_{P,t}`` of the types, then 1 (convexity)."""
        idx = [self._idx[i] for i in panels]
        counts = np.fromiter((len(i) for i in idx), dtype=np.int64, count=len(idx))
        return sp.csc_matrix(
            (
                np.concatenate([self._val[i] for i in panels]),
                np.concatenate(idx),
                np.r_[0, np.cumsum(counts)],
            ),
            shape=(self.R + 1, len(idx)),
        )

    def relax_fixed(self, amount: float) -> None:
        for t in np.nonzero(~np.isnan(self.fixed))[0]:
            value = max(0.0, self.fixed[t] - amount)
            self.h.changeRowBounds(int(self.row_of[t]), value, highspy.kHighsInf)
            self.fixed[t] = value


def leximin(
    inst: Instance,
    *,
    rng: np.random.Generator,
    maximin_only: bool = False,
    progress: ProgressFn = _noop,
    deadline: float | None = None,
) -> Solved:
    """LEXIMIN (or only its first level, Maximin) over compositions.

    LEXIMIN first takes the fast path: compute the LEXIMIN ``p*`` over the
    LP relaxation of the panel polytope (:func:`relaxed_leximin`, a few small
    LPs), which is lexicographically at least as good as any mixture of real
    panels, then search by column generation for a mixture reaching it
    (:func:`_reach`). When one exists, it is the LEXIMIN distribution, found
    with one column-generation run instead of one per level; on realistic
    pools this is the usual case. When ``p*`` is out of reach, the panels
    found so far seed the level-by-level method below.

    The level-by-level method (Flanigan et al. 2021, Methods) repeatedly
    solves the restricted master LP

    .. math::

        \\max z \\quad \\text{s.t.} \\quad \\sum_P \\lambda_P a_{P,t} \\ge z
        \\; (t \\text{ open}), \\quad \\sum_P \\lambda_P a_{P,t} \\ge f_t
        \\; (t \\text{ fixed}), \\quad \\sum_P \\lambda_P = 1, \\; \\lambda \\ge 0

    with ``a_{P,t} = c_{P,t} / n_t``, and prices a new panel with the MIP
    ``max_P sum_t y_t a_{P,t}`` over the dual weights ``y``. When no panel
    beats the dual bound ``yhat`` by more than :data:`PRICE_TOL`, the level is
    optimal; every open type with positive dual weight is then binding in all
    optimal solutions and is fixed at the level value.

    From :data:`WORKER_TYPES` types on, a worker process
    (:class:`~minipublic.sortition._worker.Worker`) takes half the starting
    panels and the second of two Frank-Wolfe halves, each with its own
    seed, so the result does not depend on whether it ran; while Clarabel
    solves the master, Frank-Wolfe polishes the last mixture beside it
    (:func:`_solve_polishing`).

    With a ``deadline`` (a :func:`time.perf_counter` value), the search stops
    at the first check after it and returns the mixture found so far with
    ``optimal=False``; ``min_upper_bound`` is then the smallest probability
    of the LEXIMIN over the LP relaxation, which no distribution over panels
    can beat.
    """
    if maximin_only or inst.T < WORKER_TYPES:
        return _leximin(inst, rng, maximin_only, progress, deadline, None)
    # Large pools: the independent searches share both cores with a worker
    # process (see minipublic.sortition._worker), each with one BLAS thread.
    with Worker() as worker, threadpool_limits(limits=1, user_api="blas"):
        return _leximin(inst, rng, maximin_only, progress, deadline, worker)


def _leximin(
    inst: Instance,
    rng: np.random.Generator,
    maximin_only: bool,
    progress: ProgressFn,
    deadline: float | None,
    worker: Worker | None,
) -> Solved:
    """The body of :func:`leximin`; ``worker`` takes a share of the searches."""
    solver = PanelSolver(inst)
    progress(0.0, "finding starting panels")
    panels = _starting_panels(inst, solver, rng, deadline, worker)
    impossible = possible_types(inst, solver, panels, rng)
    if len(panels) == 0:
        raise RuntimeError("no feasible panel")
    active = ~impossible
    target, upper = None, None
    if not maximin_only or deadline is not None:
        target = relaxed_leximin(inst, impossible)
        upper = 0.0 if impossible.any() else float(target[active].min())
    if not maximin_only:
        # Fast path: LEXIMIN over the LP relaxation, then panels that reach it.
        master = _Master(inst, active, target=target, worker=worker)
        interior = master.interior  # cheap re-solves: a shorter warm start
        face = master.face
        face_solver = solver if face is inst else PanelSolver(face)
        with (
            RelaxedPricer(face_solver) as pricer,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="minipublic-master") as pool,
        ):
            # Panels of an approximate decomposition of the target first
            # (see minipublic.sortition._frankwolfe), then the exact search.
            # With the interior-point master, two half-length runs on the
            # two cores (see frank_wolfe's ``halves``).
            found, weights = frank_wolfe(
                face,
                pricer,
                target,
                panels,
                rng,
                steps=int(default_steps(inst) * (INTERIOR_STEP_SHARE if interior else 1.0)),
                deadline=deadline,
                progress=progress,
                halves=1 if worker is None else 2,
                worker=worker,
            )
            for c in panels:
                master.add(c)
            _add_used(master, found, weights)
            # Where the polish beside the interior-point solves starts.
            mixture = _mixture_of(master, found, weights) if interior else None
            # Polish: Frank-Wolfe again from the master's mixture, while the
            # master is small enough that re-solving it after a few hundred
            # new panels is cheap (see POLISH_ROUNDS).
            for _ in range(0 if interior else POLISH_ROUNDS):
                if len(master.columns) > POLISH_COLUMNS_PER_ROW * master.R:
                    break
                ok, z, _, lam = master.solve()
                master.iterations += 1
                if not ok or z >= 1.0 - REACH_TOL:
                    break
                if deadline is not None and time.perf_counter() > deadline:
                    break
                progress(
                    REPORT_SHARE,
                    f"reaching the fairest target: {z:.1%} there, "
                    f"{len(master.columns)} panels so far",
                )
                found, weights = _polish(
                    master, pricer, target, lam, 0.0, rng, POLISH_STEPS, deadline
                )
                if not _add_used(master, found, weights):
                    break
            lam = _reach(
                master,
                face_solver,
                pricer,
                target,
                progress,
                rng,
                deadline,
                mixture,
                pool,
            )
        if lam is not None:
            levels = len(np.unique(np.round(target[active], 9)))
            return _solved(
                inst,
                master,
                lam,
                impossible,
                levels,
                master.iterations,
                optimal=not master.timed_out,
                upper=upper,
            )
        panels = master.columns
    master = _Master(inst, active)
    for c in panels:
        master.add(c)
    open_ = active.copy()
    n_open_start = int(inst.type_size[open_].sum())
    levels = 0
    iterations = 0
    lam = np.zeros(len(master.columns))
    size = inst.type_size.astype(float)
    relaxations = 0
    center = None
    best_bound = np.inf
    timed_out = False
    while open_.any():
        ok, z, y, lam = master.solve()
        iterations += 1
        if ok and deadline is not None and time.perf_counter() > deadline:
            timed_out = True
            break
        if not ok:
            # Fixed values a hair too high for the current columns (floating point):
            # relax them slightly, as in the reference implementation.
            relaxations += 1
            if relaxations > 50:
                raise RuntimeError("the master LP stays infeasible")
            master.relax_fixed(1e-9 * relaxations)
            continue
        fixed_mask = ~np.isnan(master.fixed)
        fixed_vals = np.where(fixed_mask, master.fixed, 0.0)
        yhat = z + float(fixed_vals @ y)
        # An integral optimum of the pricing LP is the best panel: no MIP needed.
        c, _ = solver.relaxed(y / size)
        if c is not None and float((y / size) @ c) > yhat + PRICE_TOL and master.add(c):
            continue
        # The level is proven optimal as soon as the smoothed MIP's bound meets z.
        _, found, best_bound, center = _price_exact(
            solver, master, y, yhat, fixed_vals, best_bound, center
        )
        if found and best_bound > z + PRICE_TOL:
            if iterations % 25 == 0:
                done = n_open_start - int(inst.type_size[open_].sum())
                progress(
                    done / max(1, n_open_start),
                    f"level {levels + 1}: {z:.4f} <= min <= {best_bound:.4f}, "
                    f"{len(master.columns)} panels",
                )
            continue
        if best_bound <= z + PRICE_TOL and center is not None:
            y = center  # an optimal dual of the full level problem
        # Level optimal: fix open types with positive dual weight.
        levels += 1
        to_fix = np.nonzero(open_ & (y > FIX_TOL))[0]
        if len(to_fix) == 0:
            to_fix = np.array([int(np.argmax(np.where(open_, y, -1.0)))])
        if maximin_only:
            break
        for t in to_fix:
            master.fix(int(t), max(0.0, z - 1e-11))
            open_[t] = False
        center = None
        best_bound = np.inf
        done = n_open_start - int(inst.type_size[open_].sum())
        progress(
            done / max(1, n_open_start),
            f"level {levels}: probability {z:.4f} fixed for {done} of {n_open_start} people",
        )
    if not maximin_only and not timed_out:
        # All rows fixed: a final solve with z unbounded is meaningless, so find
        # the lambda meeting all fixed values with the largest slack instead.
        lam = _final_lambda(master)
    return _solved(
        inst, master, lam, impossible, levels, iterations, optimal=not timed_out, upper=upper
    )


def _starting_panels(
    inst: Instance,
    solver: PanelSolver,
    rng: np.random.Generator,
    deadline: float | None,
    worker: Worker | None,
) -> list[np.ndarray]:
    """:func:`initial_panels`; with a ``worker``, half the rounds there with a seed of its own."""
    if worker is None:
        return initial_panels(inst, solver, rng, deadline=deadline)
    rounds = start_rounds(inst)
    mine, theirs = rng.spawn(2)
    seconds = seconds_left(deadline)
    worker.submit("initial_panels", inst, theirs, rounds // 2, seconds)
    try:
        panels = initial_panels(inst, solver, mine, rounds=rounds - rounds // 2, deadline=deadline)
    except BaseException:
        worker.stop()
        raise
    seen = {c.tobytes() for c in panels}
    for c in worker.result():
        if c.tobytes() not in seen:
            seen.add(c.tobytes())
            panels.append(c)
    return panels


def _mixture_of(master: _Master, found: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """The Frank-Wolfe mixture ``weights`` of ``found`` as weights of ``master.columns``."""
    where = {c.tobytes(): i for i, c in enumerate(master.columns)}
    mixture = np.zeros(len(master.columns))
    for c, weight in zip(found, weights, strict=True):
        if weight > 0:
            mixture[where[c.tobytes()]] += weight
    return mixture


def _add_used(master: _Master, found: list[np.ndarray], weights: np.ndarray) -> int:
    """Add the panels a Frank-Wolfe mixture uses, heaviest first; returns how many were new."""
    added = 0
    for i in np.argsort(-weights, kind="stable"):
        if weights[i] > 0:
            added += master.add(found[i])
    return added


def _solved(
    inst: Instance,
    master: _Master,
    lam: np.ndarray,
    impossible: np.ndarray,
    levels: int,
    iterations: int,
    *,
    optimal: bool = True,
    upper: float | None = None,
) -> Solved:
    """Package the master's panels and mixture weights."""
    comps = np.array(master.columns, dtype=np.int64)
    lam = np.clip(lam, 0.0, None)
    lam = lam / lam.sum()
    keep = lam > 1e-12
    comps, lam = comps[keep], lam[keep] / lam[keep].sum()
    type_prob = (comps / inst.type_size.astype(float)).T @ lam
    type_prob[impossible] = 0.0
    return Solved(
        comps,
        lam,
        type_prob,
        impossible,
        len(master.columns),
        levels,
        iterations,
        optimal=optimal,
        min_upper_bound=upper,
    )


def _reach(
    master: _Master,
    solver: PanelSolver,
    pricer: RelaxedPricer,
    target: np.ndarray,
    progress: ProgressFn,
    rng: np.random.Generator,
    deadline: float | None,
    mixture: np.ndarray | None,
    pool: ThreadPoolExecutor,
) -> np.ndarray | None:
    """Column generation for ``max z`` s.t. ``pi_t >= z target_t``.

    Returns the mixture weights of ``master.columns`` once ``z`` reaches 1
    (every type then gets its target probability, within ``REACH_TOL``
    relative), or None when the target is out of reach.

    Any mixture of panels has ``sum_t n_t pi_t = k = sum_t n_t target_t``,
    so ``z <= 1``, with equality exactly when the target is a mixture of
    panels. The dual weights ``y`` (normalised so ``sum_t target_t y_t = 1``)
    give the bound ``z <= max_P sum_t y_t a_{P,t}``; once that is below 1,
    the target is out of reach and the caller falls back to the levels.
    Pricing is stabilised by Wentges smoothing, as in :func:`leximin`.
    With the interior-point master and a ``mixture`` to start from, each
    solve runs on ``pool`` while Frank-Wolfe polishes the last mixture
    (:func:`_solve_polishing`).
    """
    size = master.inst.type_size.astype(float)
    search = LocalSearch(master.face)
    center = None
    best_bound = np.inf
    prev = mixture  # the last interior-point mixture, where the polish starts
    polish_rng = rng.spawn(1)[0]
    while True:
        polished = None
        if master.interior and prev is not None:
            ok, z, y, lam, polished = _solve_polishing(
                master, pool, pricer, target, prev, polish_rng, deadline
            )
        else:
            ok, z, y, lam = master.solve()
        master.iterations += 1
        if not ok:
            return None
        if master.last_interior:
            prev = lam
        if master.last_interior and z >= 1.0 - FINISH_GAP:
            keep = np.argsort(-lam, kind="stable")[: int(FINISH_COLUMNS * master.R) + 1]
            short = master.least_squares(keep) if z >= 1.0 - FINISH_TOL else None
            if short is not None:
                return short
            if not master.last_dense:
                master.exact_over(keep)
                center, best_bound, prev = None, np.inf, None
                continue
            # PIQP's accuracy (DENSE_TOL) cannot settle the last hundred-
            # millionths (tight quotas at 2 000 / 100: z = 1 by PIQP, 1 - 6e-8
            # in fact): price at these duals, then Clarabel from the next solve.
            master.worker = None
        elif z >= 1.0 - REACH_TOL:
            return lam
        if deadline is not None and time.perf_counter() > deadline:
            # Out of time: the best mixture so far (every type >= z target_t).
            master.timed_out = True
            return lam
        if master.iterations % 10 == 0:
            # Never below where the warm start's reports ended.
            progress(
                min(max(z, REPORT_SHARE), 0.99),
                f"reaching the fairest target: {z:.1%} there, {len(master.columns)} panels so far",
            )
        w = y / size
        # Cheap pricing first: the LP relaxation at the smoothed and current
        # duals (which also bounds z) and at a few seeded perturbations of
        # them; every integral optimum that improves the master is added.
        points = [y] if center is None else [SMOOTHING * center + (1 - SMOOTHING) * y, y]
        exact = len(points)
        perturbed = INTERIOR_PERTURBED if master.last_interior else PERTURBED
        for _ in range(max(perturbed, len(y) // 20)):
            points.append(points[0] * rng.uniform(1 - NOISE, 1 + NOISE, size=len(y)))
        added = 0
        priced = pricer.price([y_p / size for y_p in points])
        for j, (y_p, (c, value)) in enumerate(zip(points, priced, strict=True)):
            if j < exact and value < best_bound:
                best_bound, center = value, y_p
            if c is not None and float(w @ c) > z + PRICE_TOL and master.add(c):
                added += 1
        if best_bound < 1.0 - ACCEPT_TOL:
            return None
        if polished is not None:
            added += _add_used(master, *polished)
        if master.use_ipm:
            # Each interior-point re-solve is dear and barely depends on how
            # many panels were added: add many improving swaps every round.
            heuristic = _heuristic_columns(
                search,
                master,
                lam,
                w,
                z,
                rng=rng,
                starts=INTERIOR_HEURISTIC_STARTS if master.last_interior else IPM_HEURISTIC_STARTS,
            )
            added += sum(master.add(c) for c in heuristic[:IPM_HEURISTIC_COLUMNS])
        elif not added:
            # Then swaps from panels in use.
            heuristic = _heuristic_columns(search, master, lam, w, z, rng=rng)
            added = sum(master.add(c) for c in heuristic[:HEURISTIC_COLUMNS])
        if added or (master.last_dense and master.worker is None):
            # (After the hand-over above, Clarabel re-solves before any
            # conclusion is drawn from PIQP's mixture.)
            continue
        feasible, found, best_bound, center = _price_exact(
            solver, master, y, z, np.zeros_like(y), best_bound, center
        )
        if not feasible or best_bound < 1.0 - ACCEPT_TOL:
            return None
        if not found:
            # No panel improves the master: z is optimal. A hair below 1 is
            # round-off in the target (or a gap too small to matter).
            return lam if z >= 1.0 - ACCEPT_TOL else None


def _solve_polishing(
    master: _Master,
    pool: ThreadPoolExecutor,
    pricer: RelaxedPricer,
    target: np.ndarray,
    prev: np.ndarray,
    rng: np.random.Generator,
    deadline: float | None,
) -> tuple[bool, float, np.ndarray, np.ndarray, tuple[list[np.ndarray], np.ndarray]]:
    """Solve the master on ``pool`` while Frank-Wolfe polishes the mixture ``prev`` here.

    Clarabel releases the interpreter lock while it solves, which leaves a
    core idle. :data:`CONCURRENT_STEPS` Frank-Wolfe steps from the last
    interior-point mixture towards the target use it: they find panels
    that close the gap from the primal side while the duals of the solve
    find more from the other. The steps are counted, not timed, so the
    panels depend on the seed alone. Returns :meth:`_Master.solve`'s
    values and the polish's (panels, weights).
    """
    future = pool.submit(master.solve)
    try:
        polished = _polish(master, pricer, target, prev, 1e-12, rng, CONCURRENT_STEPS, deadline)
    finally:
        solved = future.result()
    return (*solved, polished)


def _polish(
    master: _Master,
    pricer: RelaxedPricer,
    target: np.ndarray,
    lam: np.ndarray,
    floor: float,
    rng: np.random.Generator,
    steps: int,
    deadline: float | None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Frank-Wolfe steps from the master's mixture ``lam`` over its panels weighing above ``floor``."""
    support = np.nonzero(lam > floor)[0]
    return frank_wolfe(
        master.face,
        pricer,
        target,
        [master.columns[i] for i in support],
        rng,
        steps=steps,
        start=lam[support],
        deadline=deadline,
    )


def _price_exact(
    solver: PanelSolver,
    master: _Master,
    y: np.ndarray,
    yhat: float,
    fixed_vals: np.ndarray,
    best_bound: float,
    center: np.ndarray | None,
) -> tuple[bool, bool, float, np.ndarray | None]:
    """Exact pricing by MIP with Wentges dual smoothing.

    Prices at a point between the current duals ``y`` and the stability
    centre (the best duals seen so far), then, if that finds no improving
    panel, at ``y`` itself. The Lagrangian bound
    ``max_P y.a_P - sum_fixed f_t y_t`` of every priced point bounds the
    master's optimum from above; the best one becomes the new centre. A panel
    is added when it beats ``yhat`` at the current duals.

    Returns ``(feasible, found, best_bound, center)``; ``feasible`` is False
    when no panel meets the quotas.
    """
    size = master.inst.type_size.astype(float)
    for smooth in (True, False) if center is not None else (False,):
        y_p = SMOOTHING * center + (1 - SMOOTHING) * y if smooth else y
        c, value = solver.maximise(y_p / size)
        if c is None:
            return False, False, best_bound, center
        bound = value - float(fixed_vals @ y_p)
        if bound < best_bound:
            best_bound, center = bound, y_p
        if float((y / size) @ c) > yhat + PRICE_TOL and master.add(c):
            return True, True, best_bound, center
    return True, False, best_bound, center


def _final_lambda(master: _Master) -> np.ndarray:
    """Mixture over the generated panels meeting all fixed probabilities.

    Minimises the largest shortfall ``eps`` below the fixed values, as in
    Flanigan et al.'s reference code, to absorb floating-point error.
    """
    inst = master.inst
    P = len(master.columns)
    h = new_highs(solver="simplex")
    inf = highspy.kHighsInf
    no_idx = np.array([], dtype=np.int32)
    no_val = np.array([], dtype=float)
    # Column 0: eps >= 0 (cost 1); columns 1..P: lambda.
    h.addCol(1.0, 0.0, inf, 0, no_idx, no_val)
    h.addCols(P, np.zeros(P), np.zeros(P), np.full(P, inf), 0, no_idx, no_idx, no_val)
    A = np.asarray(master.columns, dtype=float) / inst.type_size  # (P, T)
    for t in master.rows:
        nz = np.nonzero(A[:, t])[0]
        idx = np.concatenate([[0], nz + 1]).astype(np.int32)
        val = np.concatenate([[1.0], A[nz, t]])
        h.addRow(float(master.fixed[t]), inf, len(idx), idx, val)
    h.addRow(1.0, 1.0, P, np.arange(1, P + 1, dtype=np.int32), np.ones(P))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    return np.asarray(h.getSolution().col_value[1:], dtype=float)


def _heuristic_columns(
    search: LocalSearch,
    master: _Master,
    lam: np.ndarray,
    w: np.ndarray,
    yhat: float,
    *,
    rng: np.random.Generator,
    starts: int = 32,
) -> list[np.ndarray]:
    """Improving panels found by swaps, best first.

    A panel improves the restricted master when ``w . c > yhat``. Starting
    points are the best-priced panels and a seeded sample of the panels in
    the current mixture; each is improved by :class:`LocalSearch`.
    """
    cols = master.columns
    C = np.asarray(cols)
    value = C @ w
    order = np.argsort(-value, kind="stable")[: starts // 2]
    support = np.nonzero(lam[: len(cols)] > 1e-12)[0]
    if len(support) > starts // 2:
        support = rng.choice(support, starts // 2, replace=False)
    found: dict[bytes, tuple[float, np.ndarray]] = {}
    for i in dict.fromkeys([*order.tolist(), *support.tolist()]):
        c = search.improve(C[i], w)
        v = float(w @ c)
        if v > yhat + PRICE_TOL:
            found.setdefault(c.tobytes(), (v, c))
    return [c for _, c in sorted(found.values(), key=lambda vc: -vc[0])]
