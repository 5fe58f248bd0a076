"""Feasibility of quotas: a yes/no answer, an explanation in plain words, the smallest relaxation."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from minipublic.errors import InputError
from minipublic.sortition._model import Instance, PanelSolver, build_instance, new_highs
from minipublic.sortition._pool import Pool, Quota, Quotas, check_pool_quotas

__all__ = ["Feasibility", "QuotaChange", "check_feasibility"]


@dataclass(frozen=True)
class QuotaChange:
    """One quota whose bounds a relaxation changes."""

    feature: str
    value: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int

    def to_dict(self) -> dict:
        """JSON-able form."""
        return dict(self.__dict__)

    def describe(self) -> str:
        """Plain words, e.g. ``age=16-24: max 10 -> 12``."""
        parts = []
        if self.new_min != self.old_min:
            parts.append(f"min {self.old_min} -> {self.new_min}")
        if self.new_max != self.old_max:
            parts.append(f"max {self.old_max} -> {self.new_max}")
        return f"{self.feature}={self.value}: " + ", ".join(parts)


@dataclass(frozen=True, eq=False)
class Feasibility:
    """Result of :func:`check_feasibility`.

    Attributes
    ----------
    feasible : bool
        Whether a panel of ``panel_size`` meeting every quota (and the
        household rule) exists in the pool.
    panel_size : int
    explanation : tuple of str
        Plain-words lines: why not (the smallest set of quotas that conflict,
        with the pool facts that make them conflict), or a confirmation.
    conflict : tuple of str
        The conflicting bounds, one line each (empty when feasible).
    changes : tuple of QuotaChange
        Smallest relaxation (fewest people of total bound change) that makes
        the quotas feasible; empty when feasible.
    relaxed : Quotas or None
        The quotas with ``changes`` applied; None when feasible or when no
        relaxation of the quotas can help (e.g. the pool is too small).
    method : str
    """

    feasible: bool
    panel_size: int
    explanation: tuple[str, ...]
    conflict: tuple[str, ...]
    changes: tuple[QuotaChange, ...]
    relaxed: Quotas | None
    method: str = "MIP (HiGHS) feasibility, deletion filter, L1 relaxation"

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {
            "feasible": self.feasible,
            "panel_size": self.panel_size,
            "explanation": list(self.explanation),
            "conflict": list(self.conflict),
            "changes": [c.to_dict() for c in self.changes],
            "relaxed": None if self.relaxed is None else self.relaxed.to_dict()["quotas"],
            "method": self.method,
        }


def _validate(pool: Pool, quotas: Quotas, size: int) -> None:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise InputError(f"panel size {size!r} is not a whole number", column="size")
    if size < 1:
        raise InputError(f"panel size {size} must be at least 1", column="size")
    check_pool_quotas(pool, quotas)


def check_feasibility(pool: Pool, quotas: Quotas, size: int) -> Feasibility:
    """Check that a panel meeting all quotas exists; explain and relax when not.

    Parameters
    ----------
    pool : Pool
    quotas : Quotas
    size : int
        Panel size ``k``.

    Returns
    -------
    Feasibility

    Notes
    -----
    Feasibility is the integer program of
    :class:`~minipublic.sortition._model.PanelSolver`. When it has no
    solution, a *deletion filter* (Chinneck & Dravnieks 1991) drops each
    quota bound in turn and keeps it dropped if the rest is still infeasible;
    what remains is a minimal conflicting set, described with the pool
    counts and overlaps that make it conflict. The suggested relaxation
    solves

    .. math::

        \\min \\sum_q (s^-_q + s^+_q) \\quad \\text{s.t.} \\quad
        lo_q - s^-_q \\le \\sum_{t \\ni q} c_t \\le hi_q + s^+_q,\\;
        \\sum_t c_t = k,\\; 0 \\le c_t \\le n_t,\\; c \\in \\mathbb{Z}

    i.e. the smallest total change of the bounds (in people).

    References
    ----------
    Chinneck, J. W., & Dravnieks, E. W. (1991). Locating minimal infeasible
    constraint sets in linear programs. ORSA Journal on Computing, 3(2), 157-168.

    Examples
    --------
    >>> import pandas as pd
    >>> from minipublic.sortition import pool_from_frame, quotas_from_frame
    >>> pool = pool_from_frame(pd.DataFrame({"id": list("abcd"), "age": ["y", "y", "o", "o"]}))
    >>> quotas = quotas_from_frame(pd.DataFrame(
    ...     {"feature": ["age", "age"], "value": ["y", "o"], "min": [3, 0], "max": [3, 2]}))
    >>> check_feasibility(pool, quotas, 3).feasible
    False
    """
    _validate(pool, quotas, size)
    inst = build_instance(pool, quotas, int(size))
    return _compute(inst, quotas)


def _counts(inst: Instance) -> np.ndarray:
    return inst.membership().T.astype(np.int64) @ inst.type_size


def _feasible(inst: Instance, lo: np.ndarray, hi: np.ndarray, households: bool = True) -> bool:
    trial = Instance(
        inst.k,
        inst.ids,
        inst.quota_keys,
        lo,
        hi,
        inst.person_type,
        inst.type_size,
        inst.type_members,
        inst.type_quota,
        inst.households if households else [],
    )
    c, _ = PanelSolver(trial).maximise(np.zeros(inst.T))
    return c is not None


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]} = {key[1]}"


def _compute(inst: Instance, quotas: Quotas) -> Feasibility:
    k = inst.k
    if _feasible(inst, inst.lo, inst.hi):
        return Feasibility(
            True,
            k,
            (f"A panel of {k} meeting every quota exists in this pool of {inst.n} people.",),
            (),
            (),
            None,
        )
    counts = _counts(inst)
    lines: list[str] = []
    # Deletion filter over the individual bounds.
    big = np.iinfo(np.int64).max // 4
    lo = inst.lo.copy()
    hi = inst.hi.copy()
    Q = len(lo)
    core_min = []
    core_max = []
    for q in range(Q):
        if lo[q] > 0:
            saved = lo[q]
            lo[q] = 0
            if _feasible(inst, lo, hi):
                lo[q] = saved
                core_min.append(q)
        saved = hi[q]
        hi[q] = big
        if _feasible(inst, lo, hi):
            hi[q] = saved
            core_max.append(q)
    conflict: list[str] = []
    for q in core_min:
        conflict.append(
            f"at least {inst.lo[q]} people with {_label(inst.quota_keys[q])} "
            f"(the pool has {counts[q]})"
        )
    for q in core_max:
        conflict.append(
            f"at most {inst.hi[q]} people with {_label(inst.quota_keys[q])} "
            f"(the pool has {counts[q]})"
        )
    if not core_min and not core_max:
        if k > inst.n:
            lines.append(f"The panel has {k} seats but the pool has only {inst.n} people.")
        elif inst.households:
            n_hh = inst.n - sum(len(h) - 1 for h in inst.households)
            lines.append(
                f"With at most one person per household the pool offers only {n_hh} "
                f"people who can sit together, fewer than the {k} seats."
            )
        else:
            lines.append(f"No panel of {k} can be formed from this pool.")
    else:
        lines.append(
            f"No panel of {k} meets these quotas together (removing any one of them would help):"
        )
        lines.extend("  - " + c for c in conflict)
        lines.append(f"  - and the panel has exactly {k} seats")
        if inst.households and _feasible(inst, inst.lo, inst.hi, households=False):
            lines.append("  - and at most one person per household may be selected")
        lines.extend(_facts(inst, core_min, core_max, counts))
    changes, relaxed = _relax(inst, quotas)
    if changes:
        lines.append("Smallest change to the quotas that makes a panel possible:")
        lines.extend("  - " + c.describe() for c in changes)
    elif relaxed is None:
        lines.append("No change to the quotas alone can make a panel possible.")
    return Feasibility(False, k, tuple(lines), tuple(conflict), tuple(changes), relaxed)


def _facts(inst: Instance, core_min: list[int], core_max: list[int], counts: np.ndarray):
    """Pool facts that make the conflicting bounds conflict."""
    A = inst.membership().astype(np.int64)
    size = inst.type_size
    facts = []
    k = inst.k
    by_feature: dict[str, list[int]] = {}
    for q in core_min:
        by_feature.setdefault(inst.quota_keys[q][0], []).append(q)
    for feature, qs in by_feature.items():
        total = int(sum(inst.lo[q] for q in qs))
        if total > k and len(qs) > 1:
            facts.append(f"The minimums for {feature} add up to {total}, more than the {k} seats.")
    by_feature = {}
    for q in core_max:
        by_feature.setdefault(inst.quota_keys[q][0], []).append(q)
    for feature, qs in by_feature.items():
        total = int(sum(inst.hi[q] for q in qs))
        all_values = [i for i, key in enumerate(inst.quota_keys) if key[0] == feature]
        if total < k and len(qs) == len(all_values):
            facts.append(f"The maximums for {feature} add up to {total}, fewer than the {k} seats.")
    for q in core_min:
        if inst.lo[q] > counts[q]:
            facts.append(
                f"At least {inst.lo[q]} with {_label(inst.quota_keys[q])} are required, "
                f"but only {counts[q]} such people are in the pool."
            )
    for a in core_min:
        for b in core_max:
            if inst.quota_keys[a][0] == inst.quota_keys[b][0]:
                continue
            both = int((A[:, a] * A[:, b] * size).sum())
            if both == 0:
                continue
            if both == counts[a]:
                facts.append(
                    f"All {counts[a]} people in the pool with {_label(inst.quota_keys[a])} "
                    f"have {_label(inst.quota_keys[b])}."
                )
            else:
                facts.append(
                    f"{both} of the {counts[a]} people in the pool with "
                    f"{_label(inst.quota_keys[a])} have {_label(inst.quota_keys[b])}."
                )
    return facts[:12]


def relax_bounds(inst: Instance) -> tuple[np.ndarray, np.ndarray] | None:
    """Smallest change of the bounds (lo, hi) that admits a panel, or None if none does.

    "Smallest" is lexicographic: first the least total change
    :math:`\\sum_q (s^-_q + s^+_q)` (the L1 distance between old and new
    bounds, in seats), then, among all changes of that size, the fewest
    bounds touched. The second step matters to organisers: the L1 optimum is
    rarely unique, and a solver left alone may spread one mistyped quota's
    excess over every quota of its feature; preferring fewest touched bounds
    points at the quota that causes the conflict. Both are one MIP with the
    weighted objective :math:`(2Q + 1) \\sum_q (s^-_q + s^+_q) + \\sum_q (z^-_q + z^+_q)`,
    where binary :math:`z` marks a changed bound; since at most :math:`2Q`
    bounds can change, the weight makes seats dominate.
    """
    T, Q = inst.T, len(inst.lo)
    h = new_highs(mip_rel_gap=0.0)
    inf = highspy.kHighsInf
    k = float(inst.k)
    # columns: c_t (T), s_minus (Q), s_plus (Q), z_minus (Q), z_plus (Q)
    n = T + 4 * Q
    lower = np.zeros(n)
    upper = np.concatenate(
        [
            inst.type_size.astype(float),
            np.maximum(inst.lo, 0).astype(float),
            np.full(Q, k),  # a count never exceeds k, so neither does a useful increase
            np.ones(2 * Q),
        ]
    )
    cost = np.concatenate([np.zeros(T), np.full(2 * Q, 2.0 * Q + 1.0), np.ones(2 * Q)])
    empty_i = np.array([], dtype=np.int32)
    h.addCols(n, cost, lower, upper, 0, empty_i, empty_i, np.array([], dtype=float))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
    )
    A = inst.membership()
    for q in range(Q):
        idx = np.nonzero(A[:, q])[0].astype(np.int32)
        # sum c + s_minus >= lo
        h.addRow(
            float(inst.lo[q]),
            inf,
            len(idx) + 1,
            np.concatenate([idx, [T + q]]).astype(np.int32),
            np.ones(len(idx) + 1),
        )
        # sum c - s_plus <= hi
        h.addRow(
            -inf,
            float(inst.hi[q]),
            len(idx) + 1,
            np.concatenate([idx, [T + Q + q]]).astype(np.int32),
            np.concatenate([np.ones(len(idx)), [-1.0]]),
        )
        # a bound that moves is marked: s_minus <= lo * z_minus, s_plus <= k * z_plus
        h.addRow(
            -inf,
            0.0,
            2,
            np.array([T + q, T + 2 * Q + q], dtype=np.int32),
            np.array([1.0, -float(max(inst.lo[q], 0))]),
        )
        h.addRow(
            -inf,
            0.0,
            2,
            np.array([T + Q + q, T + 3 * Q + q], dtype=np.int32),
            np.array([1.0, -k]),
        )
    h.addRow(float(inst.k), float(inst.k), T, np.arange(T, dtype=np.int32), np.ones(T))
    for members in inst.households:
        h.addRow(-inf, 1.0, len(members), members.astype(np.int32), np.ones(len(members)))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
    return inst.lo - x[T : T + Q], inst.hi + x[T + Q : T + 2 * Q]


def _relax(inst: Instance, quotas: Quotas) -> tuple[list[QuotaChange], Quotas | None]:
    res = relax_bounds(inst)
    if res is None:
        return [], None
    new_lo, new_hi = res
    changes = []
    new_quotas = []
    for q, quota in enumerate(quotas.quotas):
        lo_q, hi_q = int(new_lo[q]), int(new_hi[q])
        if lo_q != quota.min or hi_q != quota.max:
            changes.append(
                QuotaChange(quota.feature, quota.value, quota.min, quota.max, lo_q, hi_q)
            )
        new_quotas.append(Quota(quota.feature, quota.value, lo_q, hi_q, quota.row))
    return changes, Quotas(tuple(new_quotas), quotas.source, None)
