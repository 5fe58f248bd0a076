"""The optimiser: a greedy start, then tabu search over swaps and moves, one round at a time.

Given the seating of every other round, the repeat meetings a round adds are
the pairs it seats together who have already met elsewhere, so each round is
a graph partition into tables of near-equal size that avoids the "already met"
edges and keeps each table's make-up close to the whole assembly's. The search
re-optimises the rounds in turn (block coordinate descent) with the tabu
search Dotú and Van Hentenryck used for the social golfer problem, extended by
a quadratic mixing term whose change under a swap has a closed form.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from minipublic.deliberation.tables._problem import Problem, ProgressFn, sizes_for
from minipublic.deliberation.tables._scores import repeat_counts
from minipublic.errors import InfeasibleError

BIG = 1.0e6  # cost of a forbidden seat or of an apart pair at one table
MIX_SCALE = 0.5  # squared deviation of 2 (one member too many of a value) costs ~1
CLUSTER_SCALE = 2.0
# Seeded restarts of the difference-matrix search: for 15 tables of 10 about
# one attempt in 17 finds 7 repeat-free rows instead of 6 (~10 ms each), and
# the row completing them collides 2 or 3 times depending on the attempt.
TEMPLATE_RESTARTS = 60
TEMPLATE_SHARE = 0.3  # of the time limit (in CPU seconds), at most, for those restarts
TEMPLATE_KEEP = 4  # attempts with the most rows whose completions are compared
MATCH_SHARE = 0.6  # of the time left after the difference matrix, for matching seats
#: ... and for the two matchings of a coset template (each with half the
#: steps and patience of a single one, so both fit the time one took).
TWO_MATCH_SHARE = 0.85
MATCH_ROWS = 12  # extra seeded searches for more repeat-free rounds
#: Attempts of the coset-round search (about 3 ms each at 15 tables of 10)
#: when no stored matrix fits; a fixed number, so the plan does not depend
#: on the machine's speed.
COSET_ATTEMPTS = 200
#: ... and at most this share of the time limit (in CPU time) for them: at
#: 10 tables of 10 an attempt takes about 12 ms and never succeeds (no
#: three rows exist over Z_10 with 10 columns: Hall & Paige 1955), and 200
#: of them pushed a 4 s plan to 4.5 s.
COSET_SHARE = 0.1
REPEAT_WEIGHT = 2.0  # a repeat meeting costs about two members out of place


@dataclass
class SearchResult:
    assign: np.ndarray  # (R, N) 0-based table
    stopped_by_time: bool
    iterations: int
    cpsat_rounds: int
    method: str


def meeting_matrix(
    assign: np.ndarray, tables: int, present: np.ndarray | None = None
) -> np.ndarray:
    """(N, N) number of rounds each pair shares a table (diagonal 0)."""
    R, N = assign.shape
    C = np.zeros((N, N), dtype=np.int64)
    for r in range(R):
        P = _onehot(assign[r], tables, None if present is None else present[r])
        C += (P @ P.T).astype(np.int64)
    np.fill_diagonal(C, 0)
    return C


def _onehot(a: np.ndarray, tables: int, present: np.ndarray | None = None) -> np.ndarray:
    P = np.zeros((len(a), tables))
    rows = np.arange(len(a)) if present is None else np.flatnonzero(present)
    P[rows, a[rows]] = 1.0
    return P


class _Mixing:
    """Quadratic mixing cost  sum_t sum_k w_k (S_tk - s_t p_k)^2  and its pieces."""

    def __init__(self, prob: Problem) -> None:
        self.F = prob.F
        # Clustering is a stronger pull than spreading: splitting a clustered
        # value should cost more than the repeat meetings keeping it saves.
        self.w = prob.w * np.where(prob.w < 0, CLUSTER_SCALE, MIX_SCALE)
        self.p = prob.F.mean(axis=0) if prob.F.shape[1] else np.zeros(0)
        self.Fw = self.F * self.w
        self.K = self.Fw @ self.F.T
        self.qd = np.diag(self.K).copy()
        d = self.F - self.p
        self.qp = (d * d * self.w).sum(axis=1)
        self.pw = self.p * self.w

    def cost(self, S: np.ndarray, sizes: np.ndarray) -> float:
        E = S - sizes[:, None] * self.p
        return float((E * E * self.w).sum())


def _cpsat_round(
    prob: Problem,
    r: int,
    present: np.ndarray,
    cost: np.ndarray,
    hint: np.ndarray | None,
    seed: int,
    time_limit: float,
    keep: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """Feasible seating of round r by CP-SAT; raise :class:`InfeasibleError` if none exists.

    Minimises the linear ``cost[i, t]`` of the seats; with ``keep`` (a
    current seating) it first minimises the number of members whose table
    differs from ``keep`` and uses the cost only to choose among those.
    Returns (seating, proven optimal).
    """
    from ortools.sat.python import cp_model

    T = prob.tables
    here = np.flatnonzero(present)
    q, extra = sizes_for(len(here), T)
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
    for pos in prob.groups:
        pos = [i for i in pos if present[i]]
        for i in pos[1:]:
            for t in range(T):
                model.add(x.get((i, t), 0) == x.get((pos[0], t), 0))
    for a, b in np.argwhere(np.triu(prob.apart)):
        if present[a] and present[b]:
            for t in range(T):
                if (a, t) in x and (b, t) in x:
                    model.add_bool_or([x[a, t].Not(), x[b, t].Not()])
    icost = np.rint(cost).astype(np.int64)
    linear = sum(int(icost[i, t]) * v for (i, t), v in x.items() if icost[i, t])
    if keep is None:
        model.minimize(linear)
    else:
        big = int(np.abs(icost[here]).max(initial=0)) * len(here) + 1
        stay = [x[i, keep[i]] for i in here if keep[i] >= 0 and (i, keep[i]) in x]
        model.minimize(big * (len(here) - sum(stay)) + linear)
    if hint is not None:
        for (i, t), v in x.items():
            model.add_hint(v, int(hint[i] == t))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = int(seed) % (2**31)
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.5, time_limit)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(
            f"round {r + 1}: the hard constraints cannot all be met together "
            "(table sizes within one, together groups, accessible tables, apart pairs, "
            "pinned seats and facilitators' tables); relax one of them"
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError(
            f"round {r + 1}: no seating meeting the hard constraints was found in "
            f"{solver.parameters.max_time_in_seconds:g} s; relax a constraint or allow more time"
        )
    out = np.full(len(present), -1, dtype=np.int64)
    for (i, t), v in x.items():
        if solver.value(v):
            out[i] = t
    return out, status == cp_model.OPTIMAL


def _greedy_round(
    prob: Problem,
    r: int,
    present: np.ndarray,
    met: np.ndarray,
    mixing: _Mixing,
    rng: np.random.Generator,
    previous_group_table: dict[int, int],
) -> tuple[np.ndarray, bool]:
    """Seat round r member by member at the cheapest table with room; (assignment, ok)."""
    T, N = prob.tables, len(prob.ids)
    here = np.flatnonzero(present)
    q, extra = sizes_for(len(here), T)
    a = np.full(N, -1, dtype=np.int64)
    cnt = np.zeros(T, dtype=np.int64)
    S = np.zeros((T, prob.F.shape[1]))
    W = (met >= 1).astype(float) + BIG * prob.apart
    D = np.zeros((N, T))
    ok = True

    def room(k: int) -> np.ndarray:
        n_big = int((cnt > q).sum())
        return (cnt + k <= q) | ((cnt + k == q + 1) & (n_big < extra))

    def seat(idx: np.ndarray, t: int) -> None:
        a[idx] = t
        cnt[t] += len(idx)
        S[t] += prob.F[idx].sum(axis=0)
        D[:, t] += W[:, idx].sum(axis=1)

    def mix_increment(rows: np.ndarray) -> np.ndarray:
        E = S - cnt[:, None] * mixing.p
        d = prob.F[rows].sum(axis=0) - len(rows) * mixing.p
        return ((E + d) ** 2 - E**2) @ mixing.w

    # 1. Pinned members not in a group (their seat is fixed).
    pins = prob.fixed[r]
    for i in here:
        if pins[i] >= 0 and prob.group_of[i] < 0:
            seat(np.array([i]), int(pins[i]))
    # 2. Groups, largest first, each at one table suiting all its present members.
    order = sorted(range(len(prob.groups)), key=lambda g: (-len(prob.groups[g]), g))
    for g in order:
        pos = prob.groups[g][present[prob.groups[g]]]
        if len(pos) == 0:
            continue
        pinned_at = {int(pins[i]) for i in pos if pins[i] >= 0}
        suits = prob.allowed[r, pos].all(axis=0) & room(len(pos))
        if pinned_at:
            only = np.zeros(T, dtype=bool)
            if len(pinned_at) == 1:
                only[next(iter(pinned_at))] = True
            suits &= only
        if not suits.any():
            ok = False
            continue
        cost = D[pos].sum(axis=0) + mix_increment(pos) + 0.1 * cnt
        if g in previous_group_table:
            cost[previous_group_table[g]] -= 0.5
        cost[~suits] = np.inf
        t = int(np.argmin(cost))
        previous_group_table[g] = t
        seat(pos, t)
    # 3. Everyone else, the most constrained first, ties in seeded random order.
    rest = np.array([i for i in here if a[i] < 0], dtype=np.int64)
    if len(rest):
        n_allowed = prob.allowed[r, rest].sum(axis=1)
        # Members sharing a clustered value come one after another, so each
        # finds the others' table while it still has room.
        cluster = np.full(len(rest), np.iinfo(np.int64).max)
        for f in prob.features:
            if f.kind == "cluster":
                codes = f.codes[rest]
                cluster = np.where(
                    (codes >= 0) & (cluster == cluster.max()), codes + f.start, cluster
                )
        rest = rest[np.lexsort((rng.permutation(len(rest)), cluster, n_allowed))]
    for i in rest:
        suits = prob.allowed[r, i] & room(1)
        if not suits.any():
            ok = False
            break
        cost = D[i] + mix_increment(np.array([i]))
        cost[~suits] = np.inf
        best = np.flatnonzero(cost <= cost.min() + 1e-9)
        t = int(best[rng.integers(len(best))]) if len(best) > 1 else int(best[0])
        seat(np.array([i]), t)
    if ok and (a[here] < 0).any():  # pragma: no cover - every present member was seated
        ok = False
    if ok and prob.apart.any():
        same = a[:, None] == a[None, :]
        if (prob.apart & same & present[:, None] & present[None, :]).any():
            ok = False
    return a, ok


def _tabu_round(
    prob: Problem,
    r: int,
    a: np.ndarray,
    movable: np.ndarray,
    present: np.ndarray,
    W: np.ndarray,
    mixing: _Mixing,
    rng: np.random.Generator,
    max_iter: int,
    patience: int,
    deadline: float,
    rows: int = 24,
) -> tuple[np.ndarray, float, float, int]:
    """Tabu search on round r; returns (best assignment, its cost, start cost, iterations).

    Each step prices every swap and move of up to ``rows`` members drawn from
    those who sit with someone they already met (or whose values are
    over-represented at their table), and makes the best one not tabu.
    """
    T = prob.tables
    here = np.flatnonzero(present)
    q, extra = sizes_for(len(here), T)
    a = a.copy()
    m = np.flatnonzero(movable & present)
    if len(m) < 2:
        return a, 0.0, 0.0, 0
    P = _onehot(a, T, present)
    D = W @ P
    S = P.T @ mixing.F
    sizes = P.sum(axis=0)
    E = S - sizes[:, None] * mixing.p
    H = mixing.Fw @ E.T
    forbid = np.where(prob.allowed[r], 0.0, BIG)
    Wm = W[np.ix_(m, m)]
    Km = mixing.K[np.ix_(m, m)]
    qdm = mixing.qd[m]
    qpm = mixing.qp[m]
    tabu = np.zeros((len(m), T), dtype=np.int64)
    cur = float((W * (P @ P.T)).sum() / 2.0) + mixing.cost(S, sizes)
    start = best = cur
    best_a = a.copy()
    last = 0
    it = 0
    am = a[m]
    n_m = len(m)
    k = min(rows, n_m)
    pick = np.arange(n_m)
    while it < max_iter and it - last < patience:
        if it % 32 == 0 and time.perf_counter() > deadline:
            break
        it += 1
        Dm = D[m]
        Hm = H[m]
        Z = Dm + 2.0 * Hm + forbid[m]
        z = Z[pick, am]
        hot = np.flatnonzero((Dm[pick, am] > 0.5) | (Hm[pick, am] > 0.25))
        if len(hot) > k:
            xs = rng.choice(hot, size=k, replace=False)
        elif len(hot) == 0:
            xs = rng.choice(n_m, size=k, replace=False)
        else:
            xs = hot
        ta = am[xs]
        # swaps of each chosen member x with every movable y
        delta = (
            Z[xs][:, am]
            + Z[:, ta].T
            - z[xs][:, None]
            - z[None, :]
            - 2.0 * Wm[xs]
            + 2.0 * (qdm[xs][:, None] + qdm[None, :] - 2.0 * Km[xs])
        )
        tabu_hit = (tabu[xs][:, am] > it) | (it < tabu[:, ta].T)
        blocked = (ta[:, None] == am[None, :]) | (tabu_hit & ~(cur + delta < best - 1e-9))
        delta = np.where(blocked, np.inf, delta)
        best_swap = float(delta.min())
        best_move = np.inf
        if extra:
            big = sizes > q
            pE = mixing.pw @ E.T
            hp = Hm[xs] - pE[None, :]
            base = Dm[xs] + forbid[m][xs] + 2.0 * hp
            mv = base - base[np.arange(len(xs)), ta][:, None] + 2.0 * qpm[xs][:, None]
            ok = big[ta][:, None] & ~big[None, :]
            mblocked = (tabu[xs] > it) & ~(cur + mv < best - 1e-9)
            mv = np.where(ok & ~mblocked, mv, np.inf)
            best_move = float(mv.min())
        if not np.isfinite(min(best_swap, best_move)):
            continue
        if best_swap <= best_move:
            cand = np.flatnonzero(delta.ravel() <= best_swap + 1e-9)
            c = int(cand[rng.integers(len(cand))]) if len(cand) > 1 else int(cand[0])
            u, y = divmod(c, n_m)
            x = int(xs[u])
            i, j = m[x], m[y]
            A, B = int(am[x]), int(am[y])
            D[:, A] += W[:, j] - W[:, i]
            D[:, B] += W[:, i] - W[:, j]
            d = mixing.F[j] - mixing.F[i]
            S[A] += d
            S[B] -= d
            a[i], a[j] = B, A
            am[x], am[y] = B, A
            tenure = 4 + int(rng.integers(8))
            tabu[x, A] = it + tenure
            tabu[y, B] = it + tenure
            cur += best_swap
        else:
            cand = np.flatnonzero(mv.ravel() <= best_move + 1e-9)
            c = int(cand[rng.integers(len(cand))]) if len(cand) > 1 else int(cand[0])
            u, B = divmod(c, T)
            x = int(xs[u])
            i = m[x]
            A = int(am[x])
            D[:, A] -= W[:, i]
            D[:, B] += W[:, i]
            S[A] -= mixing.F[i]
            S[B] += mixing.F[i]
            sizes[A] -= 1
            sizes[B] += 1
            a[i] = B
            am[x] = B
            tabu[x, A] = it + 4 + int(rng.integers(8))
            cur += best_move
        for t in (A, B):
            E[t] = S[t] - sizes[t] * mixing.p
            H[:, t] = mixing.Fw @ E[t]
        if cur < best - 1e-9:
            best, best_a, last = cur, a.copy(), it
    return best_a, best, start, it


def _swap_repair(
    prob: Problem,
    r: int,
    a: np.ndarray,
    met: np.ndarray,
    rng: np.random.Generator,
    home: dict,
) -> np.ndarray:
    """Mend round r of a template seating by swaps (sizes never change).

    Gathers each together group (and each clustered value small enough to
    fit a table) at one table, then puts pinned members at their tables,
    members at forbidden tables at allowed ones, and splits apart pairs.
    Each fix swaps the member with the unlocked partner who has met the
    fewest of the member's new table-mates before. ``home`` remembers each
    group's table so it stays put from round to round. May leave a
    violation; the caller checks.
    """
    a = a.copy()
    T = prob.tables
    N = len(a)
    locked = np.zeros(N, dtype=bool)
    allowed = prob.allowed[r]
    cap = -(-N // T)

    def swap_in(i: int, t: int) -> bool:
        """Bring member i to table t by a swap with someone there; False if no one fits."""
        A = a[i]
        at_t = np.flatnonzero((a == t) & ~locked & allowed[:, A])
        if len(at_t) == 0 or not allowed[i, t]:
            return False
        others_A = (a == A) & (np.arange(N) != i)
        others_t = a == t
        # cost: partner meets old acquaintances at A; i meets old ones at t; apart clashes.
        cost = (met[at_t][:, others_A] > 0).sum(axis=1) + BIG * prob.apart[at_t][:, others_A].any(
            axis=1
        )
        clash_i = int((prob.apart[i] & others_t).sum()) - prob.apart[i, at_t].astype(int)
        cost = cost + BIG * (clash_i > 0)
        j = int(at_t[np.argmin(cost + 1e-3 * rng.random(len(at_t)))])
        a[i], a[j] = t, A
        return True

    gathered = [g for g in prob.groups]
    for f in prob.features:
        if f.kind == "cluster":
            for k in range(len(f.labels)):
                pos = np.flatnonzero(f.codes == k)
                if 2 <= len(pos) <= cap:
                    gathered.append(pos)
    for gi, pos in enumerate(gathered):
        pins = {int(prob.fixed[r, i]) for i in pos if prob.fixed[r, i] >= 0}
        fits = allowed[pos].all(axis=0)
        if pins:
            t = next(iter(pins))
        elif gi in home and fits[home[gi]]:
            t = home[gi]
        else:
            count = np.bincount(a[pos], minlength=T).astype(float)
            count[~fits] = -1
            t = int(np.argmax(count + 1e-3 * rng.random(T)))
        home[gi] = t
        locked[pos[a[pos] == t]] = True
        for i in pos:
            if a[i] != t and swap_in(int(i), t):
                locked[i] = True
    for i in np.flatnonzero(prob.fixed[r] >= 0):
        if a[i] != prob.fixed[r, i]:
            swap_in(int(i), int(prob.fixed[r, i]))
        locked[i] = True
    for i in np.flatnonzero(~allowed[np.arange(N), a]):
        for t in rng.permutation(np.flatnonzero(allowed[i])):
            if swap_in(int(i), int(t)):
                break
        locked[i] = True
    for x, y in np.argwhere(np.triu(prob.apart)):
        if a[x] == a[y]:
            mover = y if not locked[y] else x
            for t in rng.permutation(T):
                if (
                    t != a[mover]
                    and not prob.apart[mover, a == t].any()
                    and swap_in(int(mover), int(t))
                ):
                    break
    return a


def _violates(prob: Problem, r: int, a: np.ndarray, present: np.ndarray) -> bool:
    """True if round r's seating breaks a hard constraint."""
    here = np.flatnonzero(present)
    q, extra = sizes_for(len(here), prob.tables)
    sizes = np.bincount(a[here], minlength=prob.tables)
    if sizes.min() < q or sizes.max() > q + (1 if extra else 0):
        return True
    if not prob.allowed[r, here, a[here]].all():
        return True
    for g in prob.groups:
        g = g[present[g]]
        if len(g) and (a[g] != a[g[0]]).any():
            return True
    if prob.apart.any():
        same = (a[:, None] == a[None, :]) & present[:, None] & present[None, :]
        if (prob.apart & same).any():
            return True
    return False


def solve(
    prob: Problem,
    *,
    seed: int,
    time_limit: float,
    progress: ProgressFn | None = None,
    weight_repeat: float = REPEAT_WEIGHT,
) -> SearchResult:
    """Seat every round; hard constraints hold in the result (or an error is raised)."""
    from minipublic.deliberation.tables._template import (
        coset_start,
        difference_rows,
        known_coset_rows,
        match_seats,
        near_rows,
        seat_tables,
    )

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    rng = np.random.default_rng(seed)
    R, N, T = prob.rounds, len(prob.ids), prob.tables
    present = np.ones(N, dtype=bool)
    mixing = _Mixing(prob)
    assign = np.full((R, N), -1, dtype=np.int64)
    group_table: dict[int, int] = {}
    cpsat_rounds = 0
    iterations = 0
    steps: list[str] = []
    s = -(-N // T)
    done = 0
    match_cut = False
    restart_cut = False
    # The repeat-free start suits plans where any member may take any seat:
    # together groups, clustered values and accessible tables pull members
    # to particular tables round after round, which the greedy start handles.
    suits_template = R >= 2 and s <= T
    if suits_template:
        # Keep the attempts with the most repeat-free rows (a few of them),
        # then complete each and keep the one whose rows collide least. The
        # cap is on CPU time, so a busy machine does not cut it short.
        coset_args = {
            "seed": seed,
            "cpu_seconds": COSET_SHARE * time_limit,
            "rng": rng,
            "attempts": COSET_ATTEMPTS,
        }
        # Stored rows that make every round repeat-free need no restarts.
        stored = known_coset_rows(T, s, R)
        full = stored is not None and len(stored) == R - 1
        coset = coset_start(T, s, R, N, 0, **coset_args) if full else None
        tied: list[np.ndarray] = []
        cpu_until = time.process_time() + TEMPLATE_SHARE * time_limit
        for attempt in range(TEMPLATE_RESTARTS if coset is None else 0):
            if attempt and time.process_time() > cpu_until:
                restart_cut = True  # the plan now depends on the machine's speed
                break
            found = difference_rows(T, s, R, rng)
            if not tied or len(found) > len(tied[0]):
                tied = [found]
            elif len(found) == len(tied[0]) and len(tied) < TEMPLATE_KEEP:
                tied.append(found)
            if len(tied[0]) >= min(R, T):  # no set has more than T rows
                break
        exact = len(tied[0]) if tied else 0
        rows, collisions = (tied[0] if tied else np.zeros((0, s), dtype=np.int64)), 0
        tau = spare = None
        orders: list = [None]
        if coset is None and not full:
            # One more repeat-free round from cosets (see coset_rows): stored
            # rows, else a seeded search on its own generator.
            coset = coset_start(T, s, R, N, exact, **coset_args)
        if coset is not None:
            tau, spare, exact, cut = coset
            restart_cut = restart_cut or cut
            # Two fillings of the seats by the sorted members, the better
            # mixed match kept: row by row and column by column, partner
            # columns apart. A coset-round table holds two columns only, so
            # column by column it starts as two narrow stretches of the
            # sorted list; row by row, round 1's tables do. Which ends
            # better depends on the members (benchmarks/tables.py, even
            # family: worst table 0.66 vs 0.51 by default, 0.82 vs 0.90
            # with "mix first" weights).
            cols = np.r_[np.arange(0, s, 2), np.arange(1, s, 2)]
            orders = [
                (cols[None, :] * T + np.arange(T)[:, None]).ravel(),
                (cols[:, None] * T + np.arange(T)[None, :]).ravel(),
            ]
        elif exact < R:
            options = [near_rows(found, T, s, R, rng) for found in tied]
            rows, collisions = min(options, key=lambda option: option[1])
        if tau is None and len(rows) >= 2:
            tau = seat_tables(rows, T)
        if tau is not None:
            now = time.perf_counter()
            share = (
                (MATCH_SHARE if len(orders) == 1 else TWO_MATCH_SHARE)
                * max(0.0, deadline - now)
                / len(orders)
            )
            best_cost, its = np.inf, 0
            for k, order in enumerate(orders):
                found, n_its, cut = match_seats(
                    prob,
                    tau,
                    mixing,
                    rng,
                    deadline=now + (k + 1) * share,
                    max_iter=60 * N // len(orders),
                    patience=10 * N // len(orders),
                    rows=MATCH_ROWS,
                    spare=spare,
                    seat_order=order,
                )
                its += n_its
                match_cut = match_cut or cut
                cost = sum(
                    mixing.cost(_onehot(a, T).T @ mixing.F, np.bincount(a, minlength=T))
                    for a in found
                )
                if cost < best_cost - 1e-9:
                    best_cost, assign[: len(tau)] = cost, found
            iterations += its
            done = len(tau)
            extra = collisions * T
            if coset is not None and done > exact:
                extra = repeat_counts(meeting_matrix(assign[:done], T))[0]
            steps.append(
                f"start from a difference matrix over Z_{T}"
                + (" with a coset round" if coset is not None else "")
                + f": {exact} repeat-free round(s)"
                + (f" and {done - exact} more with {extra} repeat meetings" if done > exact else "")
                + f", members matched to seats by tabu search ({its} steps)"
            )
            if progress:
                progress(0.3, "repeat-free start")
    met = meeting_matrix(assign[:done], T) if done else np.zeros((N, N), dtype=np.int64)
    greedy = 0
    repaired = 0
    group_home: dict = {}
    gather = bool(prob.groups) or any(f.kind == "cluster" for f in prob.features)
    for r in range(R):
        if r >= done:
            a, ok = _greedy_round(prob, r, present, met, mixing, rng, group_table)
            greedy += 1
        else:
            a, ok = assign[r], True
            if gather or _violates(prob, r, a, present):
                a = _swap_repair(prob, r, a, met, rng, group_home)
                repaired += 1
        if not ok or _violates(prob, r, a, present):
            a, _ = _cpsat_round(
                prob,
                r,
                present,
                np.zeros((N, T)),
                a if (a >= 0).all() else None,
                seed + r,
                max(3.0, deadline - time.perf_counter()),
                keep=a if (a >= 0).all() else None,
            )
            cpsat_rounds += 1
        if r >= done:
            P = _onehot(a, T)
            same = P @ P.T
            np.fill_diagonal(same, 0)
            met += same.astype(np.int64)
        else:
            met = met - meeting_matrix(assign[r : r + 1], T) + meeting_matrix(a[None, :], T)
        assign[r] = a
        if progress:
            progress(0.3 + 0.1 * (r + 1) / R, f"first seating, round {r + 1} of {R}")
    if greedy:
        steps.append(f"greedy seating for {greedy} round(s)")
    if repaired:
        steps.append(
            f"{repaired} round(s) mended by swaps (together groups, clustered values, hard constraints)"
        )
    if cpsat_rounds:
        steps.append(f"CP-SAT repair of {cpsat_rounds} round(s) to meet the hard constraints")
    movable = (prob.fixed < 0) & (prob.group_of < 0)[None, :]
    apart_cost = BIG * prob.apart
    polish = 0
    stopped = False
    max_sweeps = 40
    for sweep in range(max_sweeps):
        improved = False
        for r in range(R):
            if time.perf_counter() > deadline:
                stopped = True
                break
            P = _onehot(assign[r], T)
            own = P @ P.T
            np.fill_diagonal(own, 0)
            others = met - own.astype(np.int64)
            W = weight_repeat * (others >= 1) + apart_cost
            new_a, best, start, its = _tabu_round(
                prob,
                r,
                assign[r],
                movable[r],
                present,
                W,
                mixing,
                rng,
                max_iter=4 * N,
                patience=N // 2,
                deadline=deadline,
            )
            polish += its
            if best < start - 1e-9:
                improved = True
                assign[r] = new_a
                P = _onehot(new_a, T)
                new_own = P @ P.T
                np.fill_diagonal(new_own, 0)
                met = others + new_own.astype(np.int64)
        if progress:
            progress(0.4 + 0.6 * min(1.0, (sweep + 1) / max_sweeps), f"improving, pass {sweep + 1}")
        if stopped or not improved:
            break
    iterations += polish
    stopped = stopped or match_cut or restart_cut or time.perf_counter() > deadline
    steps.append(f"tabu search round by round on swaps and moves ({polish} steps)")
    return SearchResult(assign, stopped, iterations, cpsat_rounds, "; ".join(steps))
