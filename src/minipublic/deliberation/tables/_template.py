"""Repeat-free starting plans from a difference matrix, then members matched to seats.

When there are at least as many tables T as seats per table s, members can
be placed on an s x T grid of seats (x, y) and seated in round k at table
(y + f_k(x)) mod T. Two seats (x, y) and (x', y') share a table in rounds k
and j only if f_k(x) - f_k(x') = f_j(x) - f_j(x') (mod T), so if every
difference f_k - f_j of two rows takes distinct values on the s columns no
pair meets twice. Such rows form a partial difference matrix over Z_T
(Colbourn & Dinitz 2007, ch. VI.17); for prime T the rows f_k(x) = k x serve,
otherwise a seeded backtracking search finds them. The plan then has zero
repeat meetings whatever member sits in which seat, so the members are
matched to seats by a local search that only improves the mixing (and the
penalties of hard constraints), keeping repeats at zero.
"""

from __future__ import annotations

import time

import numpy as np

from minipublic.deliberation.tables._problem import Problem

BIG = 1.0e6


def difference_rows(
    T: int, s: int, R: int, rng: np.random.Generator, budget: int = 5000
) -> np.ndarray:
    """Up to R rows f_0 = 0, f_1, ... in Z_T^s whose pairwise differences are injective.

    Returns an (R', s) int array with R' <= R (fewer when the search budget ran out).

    Examples
    --------
    >>> rows = difference_rows(5, 4, 5, np.random.default_rng(0))
    >>> all(len(set((rows[a] - rows[b]) % 5)) == 4 for a in range(5) for b in range(a))
    True
    """
    if s > T:
        return np.zeros((1, s), dtype=np.int64)
    if all(T % d for d in range(2, int(T**0.5) + 1)) and T >= 2:
        return np.array([[(k * x) % T for x in range(s)] for k in range(min(R, T))])
    rows = [np.zeros(s, dtype=np.int64)]
    while len(rows) < R:
        found = None
        for _attempt in range(2):
            found = _one_row(rows, T, s, rng, budget)
            if found is not None:
                break
        if found is None:
            break
        rows.append(found)
    return np.array(rows)


def near_rows(
    rows: np.ndarray, T: int, s: int, R: int, rng: np.random.Generator, iters: int = 400
) -> tuple[np.ndarray, int]:
    """Extend ``rows`` to R rows whose differences collide as little as possible.

    A collision is two columns x, x' where f_k(x) - f_j(x) = f_k(x') - f_j(x')
    (mod T) for two rows j < k; each makes exactly T pairs of seats meet
    twice. Each added row minimises its collisions with the rows before it
    by tabu search over single entries. Returns (rows, total collisions).
    """
    out = [np.asarray(r, dtype=np.int64) for r in rows]
    total = 0
    cols = np.arange(s)
    values = np.arange(T)
    while len(out) < R:
        prev = np.array(out)  # (J, s)
        J = len(prev)
        row = rng.integers(T, size=s)
        row[0] = 0
        D = (row[None, :] - prev) % T
        counts = np.zeros((J, T), dtype=np.int64)
        for j in range(J):
            counts[j] = np.bincount(D[j], minlength=T)
        cost = int((counts * (counts - 1) // 2).sum())
        best, best_row = cost, row.copy()
        tabu = np.zeros(s, dtype=np.int64)
        jj = np.arange(J)[:, None, None]
        for it in range(1, iters + 1):
            if best == 0:
                break
            new_d = (values[None, None, :] - prev[:, :, None]) % T  # (J, s, T)
            old_d = D[:, :, None]
            gain = counts[jj, new_d] - (counts[jj, old_d] - 1)
            gain = np.where(new_d == old_d, 0, gain).sum(axis=0)  # (s, T)
            gain[0] = np.iinfo(np.int64).max // 4
            gain[cols, row] = np.iinfo(np.int64).max // 4
            blocked = (tabu > it)[:, None] & ~(cost + gain < best)
            gain = np.where(blocked, np.iinfo(np.int64).max // 4, gain)
            low = gain.min()
            if low >= np.iinfo(np.int64).max // 8:
                break
            cand = np.flatnonzero(gain.ravel() == low)
            x, v = divmod(int(cand[rng.integers(len(cand))]), T)
            for j in range(J):
                counts[j, D[j, x]] -= 1
                D[j, x] = (v - prev[j, x]) % T
                counts[j, D[j, x]] += 1
            row[x] = v
            cost += int(low)
            tabu[x] = it + 2 + int(rng.integers(3))
            if cost < best:
                best, best_row = cost, row.copy()
        out.append(best_row)
        total += best
    return np.array(out), total


def _one_row(rows: list[np.ndarray], T: int, s: int, rng, budget: int) -> np.ndarray | None:
    """Backtracking with most-constrained-column-first over bitmasks of forbidden values."""
    full = (1 << T) - 1
    prev = [[int(v) for v in f] for f in rows]
    used = [1 for _ in rows]  # bit d set: difference d already used against row j (column 0: 0)
    row = [0] * s
    free = set(range(1, s))
    nodes = 0
    noise = rng.permutation(s * T).reshape(s, T)

    def rot(mask: int, k: int) -> int:
        k %= T
        return ((mask << k) | (mask >> (T - k))) & full

    def options(x: int) -> int:
        bad = 0
        for f, u in zip(prev, used, strict=True):
            bad |= rot(u, f[x])
        return full & ~bad

    def place() -> bool:
        nonlocal nodes
        if not free:
            return True
        best_x, best_opts, best_n = -1, 0, T + 1
        for x in free:
            o = options(x)
            n = o.bit_count()
            if n < best_n:
                best_x, best_opts, best_n = x, o, n
                if n == 0:
                    return False
        x = best_x
        values = [v for v in range(T) if best_opts >> v & 1]
        values.sort(key=lambda v: noise[x, v])
        free.discard(x)
        for v in values:
            nodes += 1
            if nodes > budget:
                break
            bits = [1 << ((v - f[x]) % T) for f in prev]
            for j, b in enumerate(bits):
                used[j] |= b
            row[x] = v
            if place():
                return True
            for j, b in enumerate(bits):
                used[j] &= ~b
        free.add(x)
        return False

    return np.array(row, dtype=np.int64) if place() else None


def seat_tables(rows: np.ndarray, T: int) -> np.ndarray:
    """(R', s T) table of each seat j = x T + y in each round: (y + f_k(x)) mod T."""
    s = rows.shape[1]
    x = np.repeat(np.arange(s), T)
    y = np.tile(np.arange(T), s)
    return (y[None, :] + rows[:, x]) % T


def match_seats(
    prob: Problem,
    tau: np.ndarray,
    mixing,
    rng: np.random.Generator,
    deadline: float,
    max_iter: int,
    patience: int,
    rows: int = 24,
) -> tuple[np.ndarray, int, bool]:
    """Match members to template seats to balance every table of every round.

    ``tau`` is (R, M) seat -> table with M = s T >= N; the M - N spare seats
    are left empty (they are all in the last column, so each table loses at
    most one). Returns ((R, N) table of each member, steps, whether the
    deadline cut the search). Pairs swap
    seats, which leaves the repeat meetings unchanged; the cost is the
    quadratic mixing term plus BIG for a member at a forbidden table or an
    apart pair at one table.
    """
    R, M = tau.shape
    N, T = len(prob.ids), prob.tables
    # Spare seats hold neutral pseudo-members (features equal to the shares p).
    F = np.vstack([prob.F, np.tile(mixing.p, (M - N, 1))]) if M > N else prob.F
    w = mixing.w
    Fw = F * w
    K = Fw @ F.T
    qd = np.diag(K).copy()
    forbid = np.zeros((R, M, T))
    forbid[:, :N, :] = np.where(prob.allowed[:R], 0.0, BIG)
    has_apart = bool(prob.apart.any())
    Wap = np.zeros((M, M))
    Wap[:N, :N] = BIG * prob.apart
    # Spare seats must stay in the last column (one per table): fix them.
    last_col = np.arange((M // T - 1) * T, M)
    free_seats = np.setdiff1d(np.arange(M), last_col[len(last_col) - (M - N) :])
    seat_of = np.empty(M, dtype=np.int64)
    # Systematic start: members sorted by their features (the heaviest
    # feature first, seeded random order within ties) fill the seats column
    # by column. Every table of every round takes one seat from each column,
    # so each table gets a stratified sample of the sorted list.
    keys = [rng.permutation(N)]
    for f in sorted(prob.features, key=lambda f: f.weight):
        if f.kind == "diversify":
            keys.append(f.codes)
    order = np.lexsort(keys) if len(keys) > 1 else keys[0]
    seat_of[order] = free_seats  # free_seats is sorted: column-major
    seat_of[N:] = last_col[len(last_col) - (M - N) :]
    tab = tau[:, seat_of]  # (R, M)
    s = M // T
    P = np.zeros((R, M, T))
    for r in range(R):
        P[r, np.arange(M), tab[r]] = 1.0
    D = np.einsum("ij,rjt->rit", Wap, P) if has_apart else np.zeros((R, M, T))
    S = np.einsum("rmt,mk->rtk", P, F)
    E = S - s * mixing.p
    H = np.einsum("mk,rtk->rmt", Fw, E)
    Z = D + 2.0 * H + forbid

    def total() -> float:
        mix = float((E * E * w).sum())
        pen = float(np.take_along_axis(forbid, tab[:, :, None], 2).sum())
        if has_apart:
            pen += float(np.take_along_axis(D, tab[:, :, None], 2).sum()) / 2.0
        return mix + pen

    cur = best = total()
    best_tab = tab.copy()
    tabu = np.zeros(M, dtype=np.int64)
    last = it = 0
    k = min(rows, N)
    idx_all = np.arange(M)
    r_ax = np.arange(R)[:, None]
    r_ax3 = np.arange(R)[:, None, None]
    cut = False
    while it < max_iter and it - last < patience:
        if it % 32 == 0 and time.perf_counter() > deadline:
            cut = True
            break
        it += 1
        zself = Z[r_ax, idx_all[None, :], tab]  # (R, M)
        own = zself[:, :N].sum(axis=0)
        hot = np.flatnonzero(own > 0.25)
        if len(hot) > k:
            xs = hot[rng.permutation(len(hot))[:k]]
        elif len(hot) == 0:
            xs = rng.permutation(N)[:k]
        else:
            xs = hot
        tx = tab[:, xs]  # (R, k)
        A1 = Z[r_ax3, xs[None, :, None], tab[:, None, :]]  # Z[r, x, table of y]
        A2 = Z[r_ax3, idx_all[None, None, :], tx[:, :, None]]  # Z[r, y, table of x]
        diff = tx[:, :, None] != tab[:, None, :]
        t2 = 2.0 * (qd[xs][:, None] + qd[None, :] - 2.0 * K[xs]) - 2.0 * Wap[xs]
        delta = (diff * (A1 + A2 - zself[:, xs][:, :, None] - zself[:, None, :] + t2[None])).sum(0)
        hard = (xs[:, None] == idx_all[None, :]) | ~diff.any(0)
        hard[:, N:] = True  # spare seats stay in the last column
        soft = (tabu[None, :] > it) | (tabu[xs][:, None] > it)
        blocked = hard | (soft & ~(cur + delta < best - 1e-9))
        delta = np.where(blocked, np.inf, delta)
        low = float(delta.min())
        if not np.isfinite(low):
            continue
        cand = np.flatnonzero(delta.ravel() <= low + 1e-9)
        c = int(cand[rng.integers(len(cand))]) if len(cand) > 1 else int(cand[0])
        u, j = divmod(c, M)
        i = int(xs[u])
        rs = np.flatnonzero(tab[:, i] != tab[:, j])
        A, B = tab[rs, i].copy(), tab[rs, j].copy()
        if has_apart:
            D[rs, :, A] += (Wap[:, j] - Wap[:, i])[None, :]
            D[rs, :, B] += (Wap[:, i] - Wap[:, j])[None, :]
        d = F[j] - F[i]
        S[rs, A] += d
        S[rs, B] -= d
        for t in (A, B):
            E[rs, t] = S[rs, t] - s * mixing.p
            H[rs, :, t] = E[rs, t] @ Fw.T
            Z[rs, :, t] = D[rs, :, t] + 2.0 * H[rs, :, t] + forbid[rs, :, t]
        tab[rs, i], tab[rs, j] = B, A
        seat_of[i], seat_of[j] = seat_of[j], seat_of[i]
        tenure = 3 + int(rng.integers(6))
        tabu[i] = tabu[j] = it + tenure
        cur += low
        if cur < best - 1e-9:
            best, best_tab, last = cur, tab.copy(), it
    return best_tab[:, :N].copy(), it, cut
