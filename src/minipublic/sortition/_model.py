"""The selection problem in solver form: people grouped into types, and the panel MIP.

People with the same value of every quota feature (and no household shared
with another pool member when the household rule is on) are interchangeable:
every fair distribution in this package can give them the same selection
probability. They form one *type* ``t`` of size ``n_t``. A panel is then
described by its *composition* ``c`` (``c_t`` members of type ``t``), and a
person of type ``t`` is selected with probability ``E[c_t] / n_t`` when the
``c_t`` members are drawn uniformly within the type. This shrinks a pool of
50 000 to a few hundred or thousand types.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from minipublic.sortition._pool import Pool, Quotas

_INF = highspy.kHighsInf
_banner_done = False


@contextlib.contextmanager
def _quiet_stdout():
    """Silence the HiGHS banner, which the C++ library writes to fd 1 once."""
    try:
        sys.stdout.flush()
        fd = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def new_highs(**options) -> highspy.Highs:
    """A silent HiGHS instance with the given options."""
    global _banner_done
    if not _banner_done:
        with _quiet_stdout():
            h = highspy.Highs()
        _banner_done = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for k, v in options.items():
        h.setOptionValue(k, v)
    return h


#: Largest number of types for which :attr:`Instance.feature_mismatch` packs the
#: type-by-type feature mismatches (2 bytes a pair: 32 MB at 4 096 types).
MISMATCH_TYPES = 4096


@dataclass
class Instance:
    """Selection problem data (trusted, already validated).

    Attributes
    ----------
    k : int
        Panel size.
    ids : list of str
        Person ids, pool order.
    quota_keys : list of (feature, value)
    lo, hi : ndarray of int, shape (Q,)
    person_type : ndarray of int, shape (n,)
    type_size : ndarray of int, shape (T,)
    type_members : list of ndarray
        Person indices of each type, pool order.
    type_quota : ndarray of int, shape (T, F)
        Quota index of each type's value of each feature.
    households : list of ndarray
        Type indices sharing a household (each a singleton type); at most one
        of them may be selected.
    """

    k: int
    ids: list[str]
    quota_keys: list[tuple[str, str]]
    lo: np.ndarray
    hi: np.ndarray
    person_type: np.ndarray
    type_size: np.ndarray
    type_members: list[np.ndarray]
    type_quota: np.ndarray
    households: list[np.ndarray]

    @property
    def n(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict:
        # Pickled for a worker process (see _worker): without cached matrices.
        state = dict(self.__dict__)
        state.pop("feature_mismatch", None)
        return state

    @functools.cached_property
    def feature_mismatch(self) -> np.ndarray | None:
        """(T, T) ``uint16``: bit f of ``[t, s]`` is set when types t and s differ on feature f.

        A swap of one member of type t for one of type s changes exactly
        those features' counts (see :class:`LocalSearch`). Computed once per
        instance (40 ms at 1 153 types, 0.4 s at 4 096); None with more than
        :data:`MISMATCH_TYPES` types or 16 features.
        """
        tq = self.type_quota
        F = tq.shape[1]
        if F > 16 or self.T > MISMATCH_TYPES:
            return None
        mismatch = np.zeros((self.T, self.T), dtype=np.uint16)
        for f in range(F):
            mismatch |= (tq[:, f, None] != tq[None, :, f]).astype(np.uint16) << f
        return mismatch

    @property
    def T(self) -> int:  # noqa: N802 - the paper's symbol
        return len(self.type_size)

    def membership(self) -> np.ndarray:
        """0/1 matrix ``A`` of shape (T, Q): type t has quota value q."""
        A = np.zeros((self.T, len(self.quota_keys)), dtype=np.int8)
        for f in range(self.type_quota.shape[1]):
            A[np.arange(self.T), self.type_quota[:, f]] = 1
        return A

    def person_probabilities(self, type_prob: np.ndarray) -> np.ndarray:
        """Expand per-type probabilities to per-person ones."""
        return np.asarray(type_prob, dtype=float)[self.person_type]

    def composition_of(self, person_indices) -> np.ndarray:
        """Composition (count per type) of a set of people."""
        c = np.zeros(self.T, dtype=np.int64)
        np.add.at(c, self.person_type[np.asarray(list(person_indices), dtype=int)], 1)
        return c


def build_instance(pool: Pool, quotas: Quotas, k: int, *, group_types: bool = True) -> Instance:
    """Turn a validated pool and quotas into an :class:`Instance`."""
    keys = [(q.feature, q.value) for q in quotas.quotas]
    index = {key: i for i, key in enumerate(keys)}
    lo = np.array([q.min for q in quotas.quotas], dtype=np.int64)
    hi = np.array([q.max for q in quotas.quotas], dtype=np.int64)
    features = quotas.features
    n = len(pool)
    codes = np.zeros((n, len(features)), dtype=np.int64)
    for f, feature in enumerate(features):
        col = pool.table[feature].tolist()
        codes[:, f] = [index[(feature, v)] for v in col]
    solo = np.zeros(n, dtype=bool)
    hh_keys = pool.households
    hh_groups: dict[str, list[int]] = {}
    if hh_keys is not None:
        for i, key in enumerate(hh_keys):
            if key != "":
                hh_groups.setdefault(key, []).append(i)
        for members in hh_groups.values():
            if len(members) > 1:
                solo[members] = True
    if not group_types:
        solo[:] = True
    type_of_key: dict[tuple, int] = {}
    person_type = np.empty(n, dtype=np.int64)
    for i in range(n):
        key = ("p", i) if solo[i] else tuple(codes[i])
        t = type_of_key.get(key)
        if t is None:
            t = len(type_of_key)
            type_of_key[key] = t
        person_type[i] = t
    T = len(type_of_key)
    type_size = np.bincount(person_type, minlength=T).astype(np.int64)
    order = np.argsort(person_type, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(type_size)])
    type_members = [order[bounds[t] : bounds[t + 1]] for t in range(T)]
    type_quota = np.array([codes[m[0]] for m in type_members], dtype=np.int64).reshape(
        T, len(features)
    )
    households = [
        np.array(sorted({int(person_type[i]) for i in members}), dtype=np.int64)
        for members in hh_groups.values()
        if len(members) > 1
    ]
    return Instance(
        k=int(k),
        ids=pool.ids,
        quota_keys=keys,
        lo=lo,
        hi=hi,
        person_type=person_type,
        type_size=type_size,
        type_members=type_members,
        type_quota=type_quota,
        households=households,
    )


def _fractional(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` rounded to whole numbers, and the indices where it was not whole (by more than 1e-9)."""
    whole = np.rint(x)
    return whole, np.nonzero(np.abs(x - whole) > 1e-9)[0]


class PanelSolver:
    """Integer program whose solutions are the panels meeting all quotas.

    Variables ``c_t`` in ``{0, ..., n_t}`` (members of type t); constraints
    ``lo_q <= sum_{t has q} c_t <= hi_q`` for every quota q,
    ``sum_t c_t = k``, and ``sum_{t in h} c_t <= 1`` for every household h.
    One HiGHS model is built once and only its objective changes between
    calls (column generation prices thousands of objectives).
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        T = inst.T
        # Presolve off: it costs more than it saves on this small, re-solved model.
        h = new_highs(mip_rel_gap=1e-9, mip_abs_gap=1e-12, presolve="off")
        upper = inst.type_size.astype(float)
        h.addCols(
            T,
            np.zeros(T),
            np.zeros(T),
            upper,
            0,
            np.array([], dtype=np.int32),
            np.array([], dtype=np.int32),
            np.array([], dtype=float),
        )
        h.changeColsIntegrality(
            T, np.arange(T, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * T)
        )
        A = inst.membership()
        for q in range(A.shape[1]):
            idx = np.nonzero(A[:, q])[0].astype(np.int32)
            h.addRow(float(inst.lo[q]), float(inst.hi[q]), len(idx), idx, np.ones(len(idx)))
        h.addRow(
            float(inst.k), float(inst.k), T, np.arange(T, dtype=np.int32), np.ones(T, dtype=float)
        )
        for members in inst.households:
            idx = members.astype(np.int32)
            h.addRow(-_INF, 1.0, len(idx), idx, np.ones(len(idx)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self._idx = np.arange(T, dtype=np.int32)
        self._lp: highspy.Highs | None = None
        self._round: highspy.Highs | None = None

    def relaxed(self, weights: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Pricing by the LP relaxation: (composition or None, LP optimum).

        The LP optimum bounds every panel's value from above. When the LP's
        optimal vertex is integral it is also the best panel, found in about
        a millisecond instead of a MIP's tens; otherwise the composition is
        None and the caller may fall back to :meth:`maximise`.
        """
        x, value = self._lp_optimum(weights)
        if x is None:
            return None, value
        whole, frac = _fractional(x)
        if len(frac):
            return None, value
        return whole.astype(np.int64), value

    def _lp_optimum(self, weights: np.ndarray) -> tuple[np.ndarray | None, float]:
        """(optimal vertex, optimum) of the LP relaxation; (None, inf) without an optimum."""
        if self._lp is None:
            lp = new_highs(solver="simplex", presolve="off")
            lp.passModel(self.h.getLp())
            T = self.inst.T
            lp.changeColsIntegrality(T, self._idx, np.array([highspy.HighsVarType.kContinuous] * T))
            self._lp = lp
        lp = self._lp
        lp.changeColsCost(len(weights), self._idx, np.asarray(weights, dtype=float))
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, np.inf
        x = np.asarray(lp.getSolution().col_value, dtype=float)
        return x, float(lp.getInfo().objective_function_value)

    def rounded(self, weights: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Like :meth:`relaxed`, with a fractional optimum rounded to a panel.

        A fractional LP vertex has only a few fractional members (at most one
        per row, and rows are the quotas): with eight features at
        2 000 / 100, 85 % of the vertices priced from Frank-Wolfe's weights
        were fractional, in 4-17 of 1 153 types. Every other type is kept
        at its LP value, and a small MIP picks the floor or the ceiling of
        each fractional one, best for ``weights`` among those meeting every
        row (:meth:`_round_fraction`). The panel it finds scored within
        0.0006 of the MIP optimum on average, where swaps from a panel in use
        scored 0.018 below, in 6 ms instead of the MIP's 270 ms. It is not
        always the best panel: the LP optimum (returned as the value) is the
        bound. (None, value) when no rounding meets every row.
        """
        x, value = self._lp_optimum(weights)
        if x is None:
            return None, value
        return self._round_fraction(np.asarray(weights, dtype=float), x), value

    def _round_fraction(self, weights: np.ndarray, x: np.ndarray) -> np.ndarray | None:
        """Best integral point between ``floor(x)`` and ``ceil(x)`` (changing only fractional types).

        ``x`` itself, rounded, when it has no fractional type.
        """
        whole, frac = _fractional(x)
        if len(frac) == 0:
            return whole.astype(np.int64)
        if self._round is None:
            lp = self.h.getLp()
            m = lp.a_matrix_
            parts = (np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_))
            shape = (lp.num_row_, lp.num_col_)
            if m.format_ == highspy.MatrixFormat.kRowwise:
                self._rows = sp.csr_matrix(parts, shape=shape).tocsc()
            else:
                self._rows = sp.csc_matrix(parts, shape=shape)
            self._row_lo = np.asarray(lp.row_lower_, dtype=float)
            self._row_hi = np.asarray(lp.row_upper_, dtype=float)
            self._round = new_highs(mip_rel_gap=1e-9)
        whole[frac] = 0.0
        fixed = self._rows @ whole
        sub = self._rows[:, frac].tocsr()
        rows = np.nonzero(np.diff(sub.indptr))[0]
        sub = sub[rows].tocsc()
        small = highspy.HighsLp()
        small.num_col_, small.num_row_ = len(frac), len(rows)
        small.col_cost_ = weights[frac]
        small.col_lower_ = np.floor(x[frac])
        small.col_upper_ = np.ceil(x[frac])
        small.row_lower_ = self._row_lo[rows] - fixed[rows]
        small.row_upper_ = self._row_hi[rows] - fixed[rows]
        small.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        small.a_matrix_.num_col_, small.a_matrix_.num_row_ = len(frac), len(rows)
        small.a_matrix_.start_ = sub.indptr
        small.a_matrix_.index_ = sub.indices
        small.a_matrix_.value_ = sub.data
        small.integrality_ = [highspy.HighsVarType.kInteger] * len(frac)
        small.sense_ = highspy.ObjSense.kMaximize
        h = self._round
        h.passModel(small)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        whole[frac] = np.rint(np.asarray(h.getSolution().col_value))
        return whole.astype(np.int64)

    def maximise(self, weights: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Composition maximising ``sum_t weights_t c_t``; (None, -inf) if infeasible."""
        h = self.h
        h.changeColsCost(len(weights), self._idx, np.asarray(weights, dtype=float))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None, -np.inf
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS stopped with status {h.modelStatusToString(status)}")
        c = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
        return c, float(np.dot(weights, c))

    def set_lower(self, t: int, lower: float) -> None:
        """Require at least ``lower`` members of type t (in the MIP and its LP relaxation)."""
        for h in (self.h, self._lp):
            if h is not None:
                h.changeColBounds(int(t), float(lower), float(self.inst.type_size[t]))


class RelaxedPricer:
    """Prices a batch of weight vectors by the LP relaxation on up to two threads.

    Column generation prices dozens of weight vectors per round
    (:meth:`PanelSolver.relaxed`). HiGHS releases the GIL while it solves,
    so a second copy of the LP on a second core prices a batch in about
    0.57 of the time (64 LPs at 50 000 / 150). Results come back in the
    order of the input, so they never depend on thread timing.

    Use as a context manager; it closes its thread pool on exit.
    """

    def __init__(self, solver: PanelSolver, workers: int | None = None) -> None:
        if workers is None:
            workers = min(
                2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
            )
        self.solvers = [solver] + [PanelSolver(solver.inst) for _ in range(max(1, workers) - 1)]
        self._pool = (
            ThreadPoolExecutor(max_workers=len(self.solvers) - 1) if len(self.solvers) > 1 else None
        )

    def __enter__(self) -> RelaxedPricer:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def price(self, weights: list[np.ndarray]) -> list[tuple[np.ndarray | None, float]]:
        """``[solver.relaxed(w) for w in weights]``, shared among the threads."""
        n = len(self.solvers)
        if self._pool is None or len(weights) < 2 * n:
            return [self.solvers[0].relaxed(w) for w in weights]

        def chunk(i: int) -> list[tuple[np.ndarray | None, float]]:
            return [self.solvers[i].relaxed(w) for w in weights[i::n]]

        futures = [self._pool.submit(chunk, i) for i in range(1, n)]
        parts = [chunk(0)] + [f.result() for f in futures]
        out: list[tuple[np.ndarray | None, float]] = [(None, np.inf)] * len(weights)
        for i, part in enumerate(parts):
            out[i::n] = part
        return out


class LocalSearch:
    """Best-improvement one-for-one swaps that keep a panel feasible.

    Used as a fast pricing heuristic: starting from a known feasible
    composition, repeatedly swap one member of type ``t`` for one of type
    ``s`` when that raises ``sum_t w_t c_t`` and every quota (and the
    household rule) still holds. The exact MIP is only needed when no swap
    sequence finds an improving panel.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.A = inst.membership().astype(np.int64)
        self.size = inst.type_size
        self.hh_of = -np.ones(inst.T, dtype=np.int64)
        for h, members in enumerate(inst.households):
            self.hh_of[members] = h
        self.has_hh = bool(inst.households)
        # With the packed mismatches a move tests all its pairs with three
        # byte operations instead of three per feature (a 30-move call took
        # 29 ms at 1 153 types and eight features, 90 % of the Frank-Wolfe
        # warm start).
        self.mismatch = inst.feature_mismatch
        F = inst.type_quota.shape[1]
        self.bits = (np.uint16(1) << np.arange(F, dtype=np.uint16)).astype(np.uint16)

    def improve(self, c: np.ndarray, w: np.ndarray, max_moves: int = 100) -> np.ndarray:
        """Best-improvement swaps from ``c`` under weights ``w``, at most ``max_moves``.

        Each move makes the allowed swap of largest gain ``w_in - w_out``;
        ties go to the lowest type index out, then in. The types that could
        come in are kept in order of falling weight, so the best partner of
        each type that could leave is its first allowed one and no matrix of
        gains is needed. That, and gathering the feature mismatches row by
        row rather than by ``np.ix_``, halved the time of a call on the
        Frank-Wolfe warm start's own calls, with the same panels (eight
        features at 2 000 / 100: 13.4 ms -> 6.9 ms; households 11.4 ms ->
        6.6 ms).
        """
        inst = self.inst
        A = self.A
        tq = inst.type_quota  # (T, F)
        c = c.copy()
        counts = A.T @ c
        hh_count = None
        if self.has_hh:
            hh_count = np.zeros(len(inst.households), dtype=np.int64)
            sel = self.hh_of[c > 0]
            np.add.at(hh_count, sel[sel >= 0], 1)
        # Types by falling weight, lower index first among equal weights.
        order = np.lexsort((np.arange(len(w)), -w))
        for _ in range(max_moves):
            out = np.nonzero(c > 0)[0]
            inn = order[(c < self.size)[order]]
            # Only pairs that could gain: cheaper than testing every pair.
            inn = inn[w[inn] > w[out].min() + 1e-13]
            if len(inn) == 0:
                break
            out = out[w[out] < w[inn[0]] - 1e-13]
            # A swap t -> s changes only the features where t and s differ:
            # t's value must stay above its min, s's value below its max.
            q_out, q_in = tq[out], tq[inn]
            leave_ok = counts[q_out] > inst.lo[q_out]  # (O, F)
            enter_ok = counts[q_in] < inst.hi[q_in]  # (I, F)
            if self.mismatch is not None:
                # Every feature that changes must have room on both sides.
                room = (leave_ok @ self.bits)[:, None] & (enter_ok @ self.bits)[None, :]
                ok = (self.mismatch[out][:, inn] & ~room) == 0
            else:
                ok = np.ones((len(out), len(inn)), dtype=bool)
                for f in range(tq.shape[1]):
                    ok &= (q_out[:, f, None] == q_in[None, :, f]) | (
                        leave_ok[:, f, None] & enter_ok[None, :, f]
                    )
            if hh_count is not None:
                h_in = self.hh_of[inn]
                busy = (h_in >= 0) & (hh_count[np.maximum(h_in, 0)] > 0)
                same_hh = h_in[None, :] == self.hh_of[out][:, None]
                ok &= ~busy[None, :] | (same_hh & (h_in[None, :] >= 0))
            # Each type out with its first (heaviest) allowed type in.
            first = ok.argmax(axis=1)
            gains = np.where(ok[np.arange(len(out)), first], w[inn[first]] - w[out], -np.inf)
            o = int(np.argmax(gains))
            if gains[o] <= 1e-13:
                break
            t_out, t_in = out[o], inn[first[o]]
            c[t_out] -= 1
            c[t_in] += 1
            counts = counts - A[t_out] + A[t_in]
            if hh_count is not None:
                if self.hh_of[t_out] >= 0:
                    hh_count[self.hh_of[t_out]] -= 1
                if self.hh_of[t_in] >= 0:
                    hh_count[self.hh_of[t_in]] += 1
        return c


def composition_ok(inst: Instance, c: np.ndarray) -> bool:
    """True when composition ``c`` meets every quota, the size and the household rule."""
    c = np.asarray(c)
    if c.sum() != inst.k or (c < 0).any() or (c > inst.type_size).any():
        return False
    counts = inst.membership().T.astype(np.int64) @ c
    if (counts < inst.lo).any() or (counts > inst.hi).any():
        return False
    return all(c[h].sum() <= 1 for h in inst.households)
