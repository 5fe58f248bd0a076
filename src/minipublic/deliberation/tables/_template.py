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


def _one_row(
    rows: list[np.ndarray], T: int, s: int, rng, budget: int, m: int | None = None
) -> np.ndarray | None:
    """Backtracking with most-constrained-column-first over bitmasks of forbidden values.

    With ``m``, columns 2i and 2i + 1 are partners and the row must also
    keep ``f(2i + 1) - f(2i)`` off 1 (mod m) (see :func:`coset_rows`).
    """
    full = (1 << T) - 1
    prev = [[int(v) for v in f] for f in rows]
    used = [1 for _ in rows]  # bit d set: difference d already used against row j (column 0: 0)
    row = [0] * s
    free = set(range(1, s))
    nodes = 0
    noise = rng.permutation(s * T).reshape(s, T)
    residue = [sum(1 << v for v in range(T) if v % m == c) for c in range(m)] if m else []

    def rot(mask: int, k: int) -> int:
        k %= T
        return ((mask << k) | (mask >> (T - k))) & full

    def options(x: int) -> int:
        bad = 0
        for f, u in zip(prev, used, strict=True):
            bad |= rot(u, f[x])
        partner = x ^ 1
        if m and partner < s and partner not in free:
            # odd x: f(x) != f(partner) + 1; even x: f(x) != f(partner) - 1 (mod m)
            bad |= residue[(row[partner] + (1 if x % 2 else -1)) % m]
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


def coset_modulus(T: int, s: int) -> int | None:
    """m = 2T / s when a coset round fits s seats a table at T tables (else None).

    It needs s even and h = s / 2 dividing T with m = T / h >= 2: then the
    multiples of m form the subgroup of Z_T of order h, and a table of the
    coset round takes one coset of it (h seats) from each of two partner
    columns (see :func:`coset_tables`).
    """
    if s < 2 or s % 2 or T % (s // 2):
        return None
    m = T // (s // 2)
    return m if m >= 2 else None


def coset_rows(
    T: int, s: int, R: int, rng: np.random.Generator, *, budget: int = 5000, attempts: int = 1
) -> np.ndarray | None:
    """R - 1 difference rows that leave room for a repeat-free coset round, or None.

    Besides the difference-matrix property (every two rows' difference is
    injective on the s columns), partner columns a = 2i and b = 2i + 1 must
    keep ``f_k(b) - f_k(a)`` off 1 (mod m) in every row, m from
    :func:`coset_modulus`. Two seats (a, y) and (b, y') meet in round k
    exactly when ``y - y' = f_k(b) - f_k(a)``, and the coset round seats
    them together exactly when ``y - y' = 1`` (mod m), so no pair that
    meets in the coset round met before. Each attempt builds the rows one
    by one by seeded backtracking (``budget`` nodes a row) and starts again
    when a row cannot be completed. The coset round is the "subgroup" idea
    of the difference-matrix constructions of transversal designs with a
    resolution class added (Colbourn & Dinitz 2007, ch. III.3 and VI.17).
    """
    m = coset_modulus(T, s)
    if m is None or R < 2:
        return None
    for _ in range(attempts):
        rows = [np.zeros(s, dtype=np.int64)]
        while len(rows) < R - 1:
            row = _one_row(rows, T, s, rng, budget, m)
            if row is None:
                break
            rows.append(row)
        if len(rows) == R - 1:
            return np.array(rows)
    return None


def coset_tables(T: int, s: int) -> np.ndarray:
    """(s T,) table of each seat j = x T + y in the coset round.

    Columns 2i and 2i + 1 share the m tables i m, ..., i m + m - 1: seat
    (2i, y) sits at table ``i m + (y mod m)`` and seat (2i + 1, y) at
    ``i m + ((y + 1) mod m)``, so each table takes the h seats of one coset
    of the subgroup of order h from each of the two columns.
    """
    m = coset_modulus(T, s)
    if m is None:
        raise ValueError(f"no coset round for {s} seats at {T} tables")
    x = np.repeat(np.arange(s), T)
    y = np.tile(np.arange(T), s)
    return (x // 2) * m + (y + x % 2) % m


#: Difference rows found by :func:`coset_rows` ahead of time for sizes where the
#: search takes longer than a plan may: (T, s) -> rows. Each entry is checked
#: by the tests (and again by :func:`known_coset_rows`) before use.
#: (15, 10): 150 members at 15 tables, 7 rows + the coset round = 8
#: repeat-free rounds (15 s of search on one core, 5 400 attempts).
KNOWN_COSET_ROWS: dict[tuple[int, int], list[list[int]]] = {
    (15, 10): [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 6, 5, 13, 7, 3, 12, 11, 10, 4],
        [0, 2, 13, 10, 14, 8, 6, 12, 1, 3],
        [0, 11, 9, 14, 4, 1, 7, 10, 3, 6],
        [0, 5, 10, 1, 3, 9, 4, 6, 8, 13],
        [0, 3, 6, 8, 9, 2, 5, 1, 13, 10],
        [0, 12, 7, 3, 11, 13, 10, 4, 2, 1],
    ],
}
#: How each entry of :data:`KNOWN_COSET_ROWS` was found:
#: ``coset_rows(T, s, len(rows) + 1, np.random.default_rng(seed), attempts=n)``
#: with (T, s) -> (seed, n); a test repeats the search.
KNOWN_SEEDS: dict[tuple[int, int], tuple[int, int]] = {(15, 10): (1, 5400)}


def known_coset_rows(T: int, s: int, R: int) -> np.ndarray | None:
    """Up to R - 1 stored rows for (T, s), when some are stored and valid."""
    rows = KNOWN_COSET_ROWS.get((T, s))
    if rows is None or R < 2:
        return None
    out = np.array(rows[: R - 1], dtype=np.int64)
    return out if coset_rows_valid(out, T) else None


def coset_start(
    T: int,
    s: int,
    R: int,
    N: int,
    exact: int,
    *,
    seed: int,
    cpu_seconds: float,
    rng: np.random.Generator,
    attempts: int,
) -> tuple[np.ndarray, np.ndarray, int, bool] | None:
    """A template with a coset round, when it has more repeat-free rounds than ``exact``.

    Takes the stored rows for (T, s) (:data:`KNOWN_COSET_ROWS`) when there are
    R - 1 of them, else searches for R - 1 rows (at most ``attempts`` seeded
    attempts on their own generator and ``cpu_seconds`` of CPU time), else
    takes the stored rows there are. Rows short of R - 1 are completed by
    :func:`near_rows` (with ``rng``), whose rounds may repeat meetings.
    Returns ``(tau, spare, repeat_free, cut)``: seat -> table for the R
    rounds (the coset round last), the empty seats (:func:`spare_seats`),
    how many rounds are repeat-free, and whether the CPU cap cut the search;
    or None when this does not beat ``exact`` or the empty seats cannot be
    placed.
    """
    if coset_modulus(T, s) is None or exact >= R:
        return None
    rows = known_coset_rows(T, s, R)
    cut = False
    if rows is None or len(rows) < R - 1:
        search = np.random.default_rng([seed, 1])
        until = time.process_time() + cpu_seconds
        for _ in range(attempts):
            if time.process_time() > until:
                cut = True  # a faster machine might have found rows
                break
            found = coset_rows(T, s, R, search, attempts=1)
            if found is not None:
                rows = found
                break
    if rows is None or len(rows) + 1 <= exact:
        return None
    repeat_free = len(rows) + 1
    if len(rows) < R - 1:
        rows, _ = near_rows(rows, T, s, R - 1, rng)
    tau = np.vstack([seat_tables(rows, T), coset_tables(T, s)[None, :]])
    spare = spare_seats(tau, s * T - N)
    if spare is None:
        return None
    return tau, spare, repeat_free, cut


def coset_rows_valid(rows: np.ndarray, T: int) -> bool:
    """True when ``rows`` is a difference matrix over Z_T whose partner columns suit the coset round."""
    R, s = rows.shape
    m = coset_modulus(T, s)
    if m is None:
        return False
    for k in range(R):
        for j in range(k):
            if len(set(((rows[k] - rows[j]) % T).tolist())) != s:
                return False
    return not (((rows[:, 1::2] - rows[:, 0::2]) % m) == 1 % m).any()


def spare_seats(tau: np.ndarray, count: int, budget: int = 20000) -> np.ndarray | None:
    """``count`` seats no two of which ever share a table, or None.

    Left empty, they take at most one seat from any table in any round, so
    table sizes stay within one of each other. Seats are tried from the last
    backwards (for a plan from difference rows alone the last ``count`` seats
    of the last column, which never meet, are the answer), by depth-first
    search with at most ``budget`` steps.
    """
    R, M = tau.shape
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    chosen: list[int] = []
    taken = np.zeros((R, int(tau.max()) + 1), dtype=bool)
    steps = 0
    rounds = np.arange(R)

    def extend(start: int) -> bool:
        nonlocal steps
        if len(chosen) == count:
            return True
        for j in range(start, -1, -1):
            steps += 1
            if steps > budget:
                return False
            if taken[rounds, tau[:, j]].any():
                continue
            taken[rounds, tau[:, j]] = True
            chosen.append(j)
            if extend(j - 1):
                return True
            chosen.pop()
            taken[rounds, tau[:, j]] = False
        return False

    return np.array(sorted(chosen), dtype=np.int64) if extend(M - 1) else None


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
    spare: np.ndarray | None = None,
    seat_order: np.ndarray | None = None,
) -> tuple[np.ndarray, int, bool]:
    """Match members to template seats to balance every table of every round.

    ``tau`` is (R, M) seat -> table with M = s T >= N; the M - N ``spare``
    seats are left empty (by default the last ones of the last column; no
    two of them may ever share a table, so each table loses at most one).
    Members sorted by their features fill the other seats in ``seat_order``
    (default column by column: seats 0, 1, ..., M - 1). Returns ((R, N) table of each member, steps, whether the
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
    # Spare seats stay where they are (at most one per table): fix them.
    if spare is None:
        spare = np.arange(N, M)
    spare = np.asarray(spare, dtype=np.int64)
    fill = np.arange(M) if seat_order is None else np.asarray(seat_order, dtype=np.int64)
    free_seats = fill[~np.isin(fill, spare)]
    seat_of = np.empty(M, dtype=np.int64)
    # Systematic start: members sorted by their features (the heaviest
    # feature first, seeded random order within ties) fill the seats in
    # seat order. Column by column, every table of a round of difference
    # rows takes one seat from each column, so a stratified sample of the
    # sorted list (see solve for the order used with a coset round).
    keys = [rng.permutation(N)]
    for f in sorted(prob.features, key=lambda f: f.weight):
        if f.kind == "diversify":
            keys.append(f.codes)
    order = np.lexsort(keys) if len(keys) > 1 else keys[0]
    seat_of[order] = free_seats
    seat_of[N:] = spare
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
