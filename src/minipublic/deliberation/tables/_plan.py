"""Public entry points: :func:`assign_tables`, :func:`reseat` and the :class:`TablePlan` result."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from math import comb
from typing import Any

import numpy as np
import pandas as pd

from minipublic.deliberation.tables._problem import (
    Mix,
    Problem,
    ProgressFn,
    build_problem,
    check_obvious,
    sizes_for,
)
from minipublic.deliberation.tables._scores import mixing_frame, repeat_counts, repeat_lower_bound
from minipublic.deliberation.tables._search import _Mixing, meeting_matrix, solve
from minipublic.errors import InfeasibleError, InputError

__all__ = ["TablePlan", "assign_tables", "evaluate_plan", "reseat"]


@dataclass(frozen=True, eq=False)
class TablePlan:
    """Who sits at which table in each round, and how good that seating is.

    Attributes
    ----------
    assignment : pandas.DataFrame
        Columns ``round, table, id`` (1-based round and table), one row per
        seated member and round, sorted by round, table and input order.
    tables, rounds, seed : int
        The shape asked for and the seed that makes the plan reproducible.
    repeat_meetings : int
        Sum over pairs of max(0, times the pair shared a table - 1).
    repeat_lower_bound : int
        Fewest repeat meetings any plan with these sizes and groups can have
        (see :func:`repeat_lower_bound`).
    pairs_met, pairs_possible : int
        Distinct pairs of members who shared a table at least once, of C(N, 2).
    mixing : pandas.DataFrame
        Per round, table and mixed feature: ``kind``, ``score`` in [0, 1]
        (1 = as even, or for ``cluster`` as together, as the numbers allow),
        ``size`` and ``counts`` (value -> members at the table).
    method : str
        How the plan was made, in words.
    moved : int
        For :func:`reseat`: members present in the round who changed table.
    facilitators : dict
        Facilitator id -> table (1-based); facilitators sit at their table in every round.
    features : tuple
        ``(column, kind, weight)`` for each feature that was mixed.
    constraints : dict
        The hard-constraint arguments used, so :func:`reseat` can reuse them.
    stopped_by_time : bool
        True when the time limit cut the search short (the plan then depends
        on the machine's speed, not only on the seed).
    seconds : float
        Wall-clock time taken.
    """

    assignment: pd.DataFrame
    tables: int
    rounds: int
    seed: int
    repeat_meetings: int
    repeat_lower_bound: int
    pairs_met: int
    pairs_possible: int
    mixing: pd.DataFrame
    method: str
    moved: int = 0
    facilitators: dict[str, int] = field(default_factory=dict)
    features: tuple[tuple[str, str, float], ...] = ()
    constraints: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    stopped_by_time: bool = False
    seconds: float = field(default=0.0, compare=False)

    def seating(self, round: int) -> dict[int, list[str]]:
        """Table (1-based) -> member ids seated there in ``round`` (1-based)."""
        part = self.assignment[self.assignment["round"] == round]
        return {
            int(t): part.loc[part["table"] == t, "id"].tolist() for t in range(1, self.tables + 1)
        }

    def table_of(self, round: int, id: str) -> int | None:
        """The table of member ``id`` in ``round``, or None if not seated."""
        a = self.assignment
        hit = a.loc[(a["round"] == round) & (a["id"] == id), "table"]
        return int(hit.iloc[0]) if len(hit) else None

    def feature_summary(self) -> pd.DataFrame:
        """Per feature: kind, weight, mean and worst table score over all rounds."""
        if self.mixing.empty:
            return pd.DataFrame(columns=["feature", "kind", "weight", "mean", "worst"])
        g = self.mixing.groupby("feature", sort=False)["score"]
        weight = {name: wt for name, _kind, wt in self.features}
        out = pd.DataFrame({"mean": g.mean().round(3), "worst": g.min().round(3)}).reset_index()
        out.insert(
            1, "kind", [dict((n, k) for n, k, _ in self.features)[f] for f in out["feature"]]
        )
        out.insert(2, "weight", [weight[f] for f in out["feature"]])
        return out

    def summary(self) -> str:
        """Plain-text report: repeat meetings against the bound, then mixing per feature and table."""
        n = self.assignment["id"].nunique()
        lines = [
            f"Table plan: {n} members, {self.tables} tables, {self.rounds} round(s), seed {self.seed}.",
            f"Method: {self.method}.",
        ]
        if self.method.startswith("re-seating"):
            lines.append(f"Re-seating moved {self.moved} member(s).")
        sizes = self.assignment.groupby(["round", "table"]).size()
        lines.append(f"Table sizes: {int(sizes.min())} to {int(sizes.max())} members.")
        gap = self.repeat_meetings - self.repeat_lower_bound
        lines.append(
            f"Repeat meetings: {self.repeat_meetings} (lower bound {self.repeat_lower_bound}; "
            + ("the best possible" if gap == 0 else f"{gap} above it")
            + ")."
        )
        lines.append(
            f"Pairs who met at least once: {self.pairs_met} of {self.pairs_possible} "
            f"({100.0 * self.pairs_met / max(1, self.pairs_possible):.1f}%)."
        )
        if self.facilitators:
            fac = ", ".join(f"{k} at table {v}" for k, v in sorted(self.facilitators.items()))
            lines.append(f"Facilitators: {fac}.")
        if self.stopped_by_time:
            lines.append("The time limit stopped the search early; a longer limit may do better.")
        if not self.mixing.empty:
            lines.append("")
            lines.append("Mixing score per feature (1 = as even as the numbers allow;")
            lines.append("for 'cluster' features, 1 = as together as table sizes allow):")
            for row in self.feature_summary().itertuples(index=False):
                lines.append(
                    f"  {row.feature} ({row.kind}, weight {row.weight:g}): "
                    f"mean {row.mean:.3f}, worst table {row.worst:.3f}"
                )
            # One pass over the rows (filtering the frame per table was a
            # quarter of a second for 8 rounds of 15 tables).
            by_table: dict[tuple[int, int], list] = {}
            for row in self.mixing.itertuples(index=False):
                by_table.setdefault((int(row.round), int(row.table)), []).append(row)
            for r in range(1, self.rounds + 1):
                lines.append("")
                lines.append(f"Round {r}")
                for t in range(1, self.tables + 1):
                    at = by_table.get((r, t))
                    if not at:
                        continue
                    bits = []
                    for row in at:
                        counts = ", ".join(f"{k} {v}" for k, v in row.counts.items())
                        bits.append(f"{row.feature} {row.score:.2f} [{counts}]")
                    lines.append(f"  table {t} ({int(at[0].size)}): " + "; ".join(bits))
        return "\n".join(lines) + "\n"


def _constraints(
    together, needs_access, accessible_tables, apart, pinned, facilitators, mix
) -> dict[str, Any]:
    return {
        "mix": dict(mix),
        "together": together,
        "needs_access": needs_access,
        "accessible_tables": tuple(accessible_tables),
        "apart": tuple(tuple(p) for p in apart),
        "pinned": dict(pinned),
        "facilitators": dict(facilitators),
    }


def _finish(
    prob: Problem,
    assign: np.ndarray,
    present: np.ndarray,
    *,
    seed: int,
    method: str,
    moved: int,
    constraints: dict,
    stopped: bool,
    seconds: float,
) -> TablePlan:
    rows = []
    for r in range(prob.rounds):
        for i in np.flatnonzero(present[r]):
            rows.append((r + 1, int(assign[r, i]) + 1, i, prob.ids[i]))
    frame = pd.DataFrame(rows, columns=["round", "table", "order", "id"])
    frame = frame.sort_values(["round", "table", "order"], kind="stable").drop(columns="order")
    frame = frame.reset_index(drop=True)
    C = meeting_matrix(np.where(present, assign, 0), prob.tables, present)
    repeats, met = repeat_counts(C)
    n = len(prob.ids)
    bound = repeat_lower_bound(
        n,
        prob.tables,
        prob.rounds,
        group_sizes=[len(g) for g in prob.groups],
        apart_pairs=int(np.triu(prob.apart).sum()),
        present=[int(p.sum()) for p in present],
    )
    return TablePlan(
        assignment=frame,
        tables=prob.tables,
        rounds=prob.rounds,
        seed=seed,
        repeat_meetings=repeats,
        repeat_lower_bound=min(bound, repeats),
        pairs_met=met,
        pairs_possible=comb(n, 2),
        mixing=mixing_frame(prob, assign, present),
        method=method,
        moved=moved,
        facilitators={k: v + 1 for k, v in prob.facilitators.items()},
        features=tuple((f.name, f.kind, f.weight) for f in prob.features),
        constraints=constraints,
        stopped_by_time=stopped,
        seconds=seconds,
    )


def check_plan(prob: Problem, assign: np.ndarray, present: np.ndarray) -> None:
    """Raise :class:`InfeasibleError` if a hard constraint is broken (a safety net)."""
    for r in range(prob.rounds):
        here = present[r]
        a = assign[r]
        q, extra = sizes_for(int(here.sum()), prob.tables)
        sizes = np.bincount(a[here], minlength=prob.tables)
        if sizes.min() < q or sizes.max() > q + (1 if extra else 0):
            raise InfeasibleError(
                f"round {r + 1}: table sizes {sizes.tolist()} differ by more than one"
            )
        bad = here & ~prob.allowed[r, np.arange(len(a)), np.where(here, a, 0)]
        if bad.any():
            raise InfeasibleError(
                f"round {r + 1}: {prob.ids[np.flatnonzero(bad)[0]]!r} is at a forbidden table"
            )
        for g in prob.groups:
            g = g[here[g]]
            if len(set(a[g].tolist())) > 1:
                raise InfeasibleError(f"round {r + 1}: a together group is split")
        same = (a[:, None] == a[None, :]) & here[:, None] & here[None, :]
        if (prob.apart & same).any():
            raise InfeasibleError(f"round {r + 1}: an apart pair shares a table")


def assign_tables(
    members: pd.DataFrame,
    *,
    tables: int,
    rounds: int = 1,
    mix: Mapping[str, str | Mix] | None = None,
    seed: int,
    together: str | None = None,
    needs_access: str | None = None,
    accessible_tables: Collection[int] = (),
    apart: Iterable[tuple[str, str]] = (),
    pinned: Mapping[tuple[int, str], int] | None = None,
    facilitators: Mapping[str, int] | None = None,
    time_limit: float = 5.0,
    progress: ProgressFn | None = None,
) -> TablePlan:
    """Seat members at tables for several rounds: mixed tables, few repeat meetings.

    Parameters
    ----------
    members : pandas.DataFrame
        One row per member: an ``id`` column and feature columns. Set
        ``members.attrs["source"]`` to a file name to have errors name it.
    tables : int
        Tables per round (1-based numbers in the result).
    rounds : int, default 1
        Rounds of table conversations; members change tables between rounds.
    mix : mapping, optional
        Column -> ``"diversify"``, ``"cluster"``, ``"ignore"`` or a :class:`Mix`
        with a weight. Numeric columns with more than 6 distinct values (e.g.
        age) are cut into 4 quantile bands before diversifying.
    seed : int
        Random seed; the same inputs and seed give the same plan (unless the
        time limit stops the search, see ``TablePlan.stopped_by_time``).
    together : str, optional
        Column: members with the same non-empty value sit at one table in
        every round (language or interpreter groups). A group stays at one
        table across rounds where pins allow, so its interpreter need not move.
    needs_access : str, optional
        Yes/no column: these members sit only at accessible tables.
    accessible_tables : collection of int
        1-based numbers of accessible tables (empty: every table is).
    apart : iterable of (id, id)
        Pairs never at the same table. A pair may name a facilitator: the
        member then never sits at that facilitator's table.
    pinned : mapping
        ``(round, id) -> table`` seats fixed by hand (1-based).
    facilitators : mapping
        Facilitator id -> table (1-based); not members, not counted in sizes.
    time_limit : float, default 5.0
        Seconds after which the search stops with the best plan so far.
    progress : callable, optional
        Called as ``progress(fraction, message)``.

    Returns
    -------
    TablePlan

    Raises
    ------
    InputError
        A missing column, bad value, unknown id or out-of-range number.
    InfeasibleError
        The hard constraints cannot all hold; the message says which clash.

    Notes
    -----
    Hard constraints always hold in the result: in each round every table
    seats q or q+1 members (q = N // T), together groups share a table,
    members needing access sit at accessible tables, apart pairs never share
    a table, pinned seats are kept. The soft objective, summed over rounds, is

        2 * repeats + sum_f weight_f * c_f * sum_t sum_k (n_tk - s_t p_k)^2

    with c_f = 0.5 for diversified features and c_f = -2 for clustered ones
    (n_tk members with value k at table t of size s_t, p_k the value's share;
    blank cells of a clustered column belong to no value). So with weight 1
    one member too many of a value at one table costs about as much as half
    a repeat meeting.

    When there are at least as many tables T as seats per table, the rounds
    start from a difference matrix over Z_T: seat (x, y) sits at table
    (y + f_k(x)) mod T in round k, which makes rounds repeat-free whoever
    takes which seat (the rows come from a seeded backtracking search,
    restarted up to 60 times to keep the attempt with the most
    repeat-free rows; rows that cannot be made collision-free are chosen
    to collide least); members are matched to seats by tabu search on the
    mixing term alone, then each round is mended by swaps to gather
    together groups and clustered values, honour pins and accessible
    tables, and split apart pairs. Otherwise rounds are seated greedily
    (the most constrained members first, members sharing a clustered value
    one after another). CP-SAT repairs any round that still breaks a hard
    constraint with the fewest changes. Then each round in turn is improved by tabu search on swaps
    and moves with the other rounds fixed (as Dotú and Van Hentenryck did
    for the social golfer problem); the quadratic mixing term has a
    closed-form change under a swap, so all swaps of a sample of members
    are priced at once. Repeat meetings are reported beside the counting
    lower bound of :func:`repeat_lower_bound`, which is not always
    attainable (for 150 members in 15 tables of 10 over 8 rounds it is 0,
    and whether any plan reaches 0 is not known to us).

    References
    ----------
    .. [1] I. Dotú, P. Van Hentenryck, "Scheduling social golfers locally",
       CPAIOR 2005, LNCS 3524, 155-167.
    .. [2] W. Harvey, "The fully social golfer problem", SymCon 2003.
    .. [3] M. Triska, N. Musliu, "An improved SAT formulation for the social
       golfer problem", Annals of Operations Research 194 (2012) 427-438.
    .. [4] F. Glover, "Tabu search - Part I", ORSA J. Computing 1 (1989) 190-206.
    .. [5] C. J. Colbourn, J. H. Dinitz (eds.), Handbook of Combinatorial
       Designs, 2nd ed., Chapman & Hall/CRC 2007, ch. VI.17 (difference matrices).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"id": [f"p{i}" for i in range(8)], "area": list("aabbaabb")})
    >>> plan = assign_tables(people, tables=2, rounds=2, mix={"area": "diversify"}, seed=1)
    >>> plan.assignment.groupby(["round", "table"]).size().tolist()
    [4, 4, 4, 4]
    >>> plan.repeat_meetings, plan.repeat_lower_bound
    (4, 4)
    """
    t0 = time.perf_counter()
    mix = {} if mix is None else mix
    pinned = {} if pinned is None else pinned
    facilitators = {} if facilitators is None else facilitators
    apart = list(apart)
    prob = build_problem(
        members,
        tables=tables,
        rounds=rounds,
        mix=mix,
        together=together,
        needs_access=needs_access,
        accessible_tables=accessible_tables,
        apart=apart,
        pinned=pinned,
        facilitators=facilitators,
    )
    result = solve(prob, seed=int(seed), time_limit=float(time_limit), progress=progress)
    present = np.ones((prob.rounds, len(prob.ids)), dtype=bool)
    check_plan(prob, result.assign, present)
    method = result.method
    if progress:
        progress(1.0, "done")
    return _finish(
        prob,
        result.assign,
        present,
        seed=int(seed),
        method=method,
        moved=0,
        constraints=_constraints(
            together, needs_access, accessible_tables, apart, pinned, facilitators, mix
        ),
        stopped=result.stopped_by_time,
        seconds=time.perf_counter() - t0,
    )


def reseat(
    plan: TablePlan,
    members: pd.DataFrame,
    *,
    round: int,
    absent: Collection[str],
    seed: int,
    time_limit: float = 5.0,
    **constraints: Any,
) -> TablePlan:
    """Re-seat one round after absences, moving as few present members as possible.

    Parameters
    ----------
    plan : TablePlan
        The plan to repair.
    members : pandas.DataFrame
        The same members table the plan was made from.
    round : int
        The round (1-based) to re-seat; other rounds are kept as they are.
    absent : collection of str
        Ids absent from that round; they are removed from it.
    seed : int
        Random seed of the solver.
    time_limit : float, default 5.0
        Seconds for the solver.
    **constraints
        ``mix``, ``together``, ``needs_access``, ``accessible_tables``,
        ``apart``, ``pinned``, ``facilitators`` as for :func:`assign_tables`;
        any not given are taken from ``plan.constraints``.

    Returns
    -------
    TablePlan
        With ``moved`` = present members of the round who changed table.

    Notes
    -----
    Solved exactly by CP-SAT: the number moved is minimised first; among
    seatings that move that few, it prefers tables where the movers meet
    people they have not met and that keep the mix (a linear estimate).
    Tables then seat q or q+1 of the members present.

    References
    ----------
    .. [1] L. Perron, F. Didier, "CP-SAT", Google OR-Tools, https://developers.google.com/optimization/.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    unknown_kw = set(constraints) - {
        "mix",
        "together",
        "needs_access",
        "accessible_tables",
        "apart",
        "pinned",
        "facilitators",
    }
    if unknown_kw:
        raise InputError(f"unknown option(s) for reseat: {', '.join(sorted(unknown_kw))}")
    kw = dict(plan.constraints)
    kw.update(constraints)
    kw.setdefault("mix", {})
    kw.setdefault("apart", ())
    kw.setdefault("pinned", {})
    kw.setdefault("facilitators", {})
    kw.setdefault("accessible_tables", ())
    kw.setdefault("together", None)
    kw.setdefault("needs_access", None)
    prob = build_problem(members, tables=plan.tables, rounds=plan.rounds, **kw)
    R, N, T = prob.rounds, len(prob.ids), prob.tables
    if not isinstance(round, (int, np.integer)) or not 1 <= round <= R:
        raise InputError(f"round {round!r} is not from 1 to {R}", column="round")
    r = int(round) - 1
    pos = {v: i for i, v in enumerate(prob.ids)}
    assign = np.full((R, N), -1, dtype=np.int64)
    for row in plan.assignment.itertuples(index=False):
        i = pos.get(str(row.id))
        if i is None:
            raise InputError(
                f"the plan seats {row.id!r}, who is not in the members table", column="id"
            )
        assign[int(row.round) - 1, i] = int(row.table) - 1
    present = assign >= 0
    gone = []
    for x in absent:
        x = str(x).strip()
        if x not in pos:
            raise InputError(f"absent id {x!r} is not a member", column="absent")
        gone.append(pos[x])
    present[r, gone] = False
    for t in range(R):
        if t != r:
            continue
    here = np.flatnonzero(present[r])
    if len(here) < T:
        raise InfeasibleError(f"round {r + 1}: {len(here)} members present cannot fill {T} tables")
    check_obvious(prob, present)
    q, extra = sizes_for(len(here), T)
    old = assign[r]

    # Linear cost of seating i at t: people there met in other rounds, and the mix.
    others = meeting_matrix(np.where(present, assign, 0), T, present)
    P_r = np.zeros((N, T))
    P_r[here, old[here]] = 1.0
    own = P_r @ P_r.T
    np.fill_diagonal(own, 0)
    met_else = (others - own) >= 1
    cost = met_else.astype(float) @ P_r  # (N, T) already-met people at each table now
    mixing = _Mixing(prob)
    if prob.F.shape[1]:
        S = P_r.T @ prob.F
        E = S - P_r.sum(axis=0)[:, None] * mixing.p
        d = prob.F - mixing.p
        cost += 2.0 * (d * mixing.w) @ E.T
    cost = cost - cost.min(axis=1, keepdims=True)
    icost = np.rint(cost * 10).astype(np.int64)

    model = cp_model.CpModel()
    x = {}
    for i in here:
        for t in np.flatnonzero(prob.allowed[r, i]):
            x[i, t] = model.new_bool_var(f"x{i}_{t}")
        model.add_exactly_one([x[i, t] for t in range(T) if (i, t) in x])
    for t in range(T):
        seat = [x[i, t] for i in here if (i, t) in x]
        model.add(sum(seat) >= q)
        model.add(sum(seat) <= q + (1 if extra else 0))
    for g in prob.groups:
        g = [i for i in g if present[r, i]]
        for i in g[1:]:
            for t in range(T):
                model.add(x.get((i, t), 0) == x.get((g[0], t), 0))
    for a, b in np.argwhere(np.triu(prob.apart)):
        if present[r, a] and present[r, b]:
            for t in range(T):
                if (a, t) in x and (b, t) in x:
                    model.add_bool_or([x[a, t].Not(), x[b, t].Not()])
    stay = [x[i, old[i]] for i in here if (i, old[i]) in x]
    forced = sum(1 for i in here if (i, old[i]) not in x)
    big = int(icost[here].max(initial=0)) * len(here) + 1
    model.maximize(
        big * sum(stay) - sum(int(icost[i, t]) * v for (i, t), v in x.items() if t != old[i])
    )
    for (i, t), v in x.items():
        model.add_hint(v, int(old[i] == t))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = int(seed) % (2**31)
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = float(time_limit)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(
            f"round {r + 1}: with these absences the hard constraints cannot all be met"
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError(f"round {r + 1}: no re-seating found in {time_limit:g} s")
    new = old.copy()
    new[~present[r]] = -1
    for (i, t), v in x.items():
        if solver.value(v):
            new[i] = t
    moved = int(sum(1 for i in here if new[i] != old[i]))
    assign[r] = new
    check_plan(prob, np.where(present, assign, 0), present)
    proven = "proven fewest" if status == cp_model.OPTIMAL else "best found"
    method = (
        f"re-seating of round {r + 1} by CP-SAT ({proven}: {moved} moved"
        + (f", {forced} forced by constraints" if forced else "")
        + f"); earlier: {plan.method}"
    )
    return _finish(
        prob,
        np.where(present, assign, 0),
        present,
        seed=int(seed),
        method=method,
        moved=moved,
        constraints=kw,
        stopped=status != cp_model.OPTIMAL,
        seconds=time.perf_counter() - t0,
    )


def evaluate_plan(
    members: pd.DataFrame,
    assignment: pd.DataFrame,
    *,
    tables: int,
    rounds: int,
    mix: Mapping[str, str | Mix] | None = None,
    method: str = "given",
    seed: int = 0,
) -> TablePlan:
    """Score a seating made elsewhere (by hand, or by another tool) the way plans are scored.

    Parameters
    ----------
    members : pandas.DataFrame
        The members table (``id`` + feature columns).
    assignment : pandas.DataFrame
        Columns ``round, table, id`` (1-based); members missing from a round
        count as absent from it.
    tables, rounds : int
        The shape of the plan.
    mix : mapping, optional
        Features to score, as for :func:`assign_tables`.
    method, seed : optional
        Recorded in the result.

    Returns
    -------
    TablePlan
        Repeat meetings, their lower bound and mixing scores of that seating.
    """
    prob = build_problem(
        members,
        tables=tables,
        rounds=rounds,
        mix={} if mix is None else mix,
        together=None,
        needs_access=None,
        accessible_tables=(),
        apart=(),
        pinned={},
        facilitators={},
    )
    pos = {v: i for i, v in enumerate(prob.ids)}
    assign = np.zeros((rounds, len(prob.ids)), dtype=np.int64)
    present = np.zeros((rounds, len(prob.ids)), dtype=bool)
    for row in assignment.itertuples(index=False):
        i = pos.get(str(row.id))
        r, t = int(row.round) - 1, int(row.table) - 1
        if i is None or not (0 <= r < rounds and 0 <= t < tables):
            raise InputError(f"seat {row!r} is outside the members, rounds or tables")
        assign[r, i], present[r, i] = t, True
    return _finish(
        prob,
        assign,
        present,
        seed=seed,
        method=method,
        moved=0,
        constraints={},
        stopped=False,
        seconds=0.0,
    )
