"""What a table plan achieves: repeat meetings, their lower bound, and mixing scores."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd

from minipublic.deliberation.tables._problem import Problem, sizes_for


def repeat_counts(meetings: np.ndarray) -> tuple[int, int]:
    """``(repeat_meetings, pairs_met)`` from the (N, N) matrix of times each pair met.

    ``repeat_meetings`` is the sum over pairs of max(0, times met - 1).
    """
    upper = meetings[np.triu_indices(len(meetings), 1)]
    return int(np.maximum(upper - 1, 0).sum()), int((upper > 0).sum())


def repeat_lower_bound(
    n: int,
    tables: int,
    rounds: int,
    *,
    group_sizes: list[int] | tuple[int, ...] = (),
    apart_pairs: int = 0,
    present: list[int] | None = None,
) -> int:
    """Fewest repeat meetings any plan can have (a valid lower bound, not always attained).

    Parameters
    ----------
    n : int
        Members.
    tables, rounds : int
        Tables per round and rounds.
    group_sizes : sequence of int
        Sizes of the groups that must sit together every round.
    apart_pairs : int
        Pairs of members who may never meet.
    present : list of int, optional
        Members seated in each round (default ``n`` in every round).

    Returns
    -------
    int
        The largest of two counting bounds. With tables of q or q+1 seats a
        round creates exactly M_r = (T - e) C(q, 2) + e C(q+1, 2) meetings
        (e = n mod T) but at most C(n, 2) - apart_pairs distinct pairs exist,
        so repeats >= sum_r M_r - (C(n, 2) - apart_pairs). Per member: someone
        in a together group of size g meets its g - 1 partners every round
        (C(g, 2)(R - 1) forced repeats per group) and at least q - g others
        per round, of whom only n - g are distinct; half the sum over members
        of the surplus max(0, R (q - g) - (n - g)) adds to the forced repeats.
        Third, by pigeonhole, a table of s = a T + b members in a later round
        holds at least b C(a+1, 2) + (T - b) C(a, 2) pairs who shared a table
        in the first round. These are the counting arguments behind the
        social golfer problem's bounds on rounds without a repeat (Harvey
        2003; Triska and Musliu 2012).

    References
    ----------
    .. [1] W. Harvey, "The fully social golfer problem", SymCon 2003.
    .. [2] M. Triska, N. Musliu, "An improved SAT formulation for the social
       golfer problem", Annals of Operations Research 194 (2012) 427-438.

    Examples
    --------
    >>> repeat_lower_bound(9, 3, 5)  # 9 people in 3 threes meet 8 others: 5 rounds give 10 meetings
    9
    >>> repeat_lower_bound(8, 2, 2)  # each later table of 4 holds 2 pairs from one first table
    4
    """
    per_round = present or [n] * rounds
    total = 0
    for k in per_round:
        q, e = sizes_for(k, tables)
        total += (tables - e) * comb(q, 2) + e * comb(q + 1, 2)
    aggregate = total - (comb(n, 2) - apart_pairs)
    q_min = min(sizes_for(k, tables)[0] for k in per_round)
    forced = sum(comb(g, 2) * (rounds - 1) for g in group_sizes)
    singles = n - sum(group_sizes)
    surplus = singles * max(0, rounds * (q_min - 1) - (n - 1))
    for g in group_sizes:
        surplus += g * max(0, rounds * (q_min - g) - (n - g))
    member = forced + (surplus + 1) // 2
    # Pigeonhole: a later table of s members drawn from the T tables of the
    # first round holds at least b C(a+1, 2) + (T - b) C(a, 2) pairs who met
    # there (s = a T + b), and each such pair adds a repeat.
    pigeon = 0
    for k in per_round[1:]:
        q, e = sizes_for(k, tables)
        for size, count in ((q + 1, e), (q, tables - e)):
            a, b = divmod(size, tables)
            pigeon += count * (b * comb(a + 1, 2) + (tables - b) * comb(a, 2))
    return max(0, aggregate, member, pigeon)


def _max_deviation(counts_all: np.ndarray, s: int) -> float:
    """Largest sum_k |n_k - s p_k| any table of s members can have, given value totals."""
    n = counts_all.sum()
    # Put everyone in the smallest set of values whose members can fill the table:
    # deviation = 2 (s - s/n * sum of their totals); subset sum over totals.
    reach = np.zeros(int(n) + 1, dtype=bool)
    reach[0] = True
    for c in counts_all.astype(int):
        if c:
            reach[c:] |= reach[:-c].copy()
    feasible = np.flatnonzero(reach[s:]) + s
    smallest = feasible[0] if len(feasible) else n
    return 2.0 * (s - s * smallest / n)


def _min_deviation(expected: np.ndarray, s: int, caps: np.ndarray) -> float:
    """Smallest sum_k |n_k - e_k| over integer n_k with sum s (largest remainders)."""
    base = np.minimum(np.floor(expected), caps)
    left = int(s - base.sum())
    frac = expected - base
    order = np.argsort(-frac, kind="stable")
    n = base.copy()
    for k in order:
        if left <= 0:
            break
        if n[k] < caps[k]:
            n[k] += 1
            left -= 1
    return float(np.abs(n - expected).sum())


def diversity_score(counts: np.ndarray, totals: np.ndarray) -> float:
    """Score in [0, 1] of one table's make-up on one feature (1 = as even as the numbers allow).

    With s seated, value totals N_k among the n seated this round and
    expected counts e_k = s N_k / n, the deviation is D = sum_k |n_k - e_k|
    (twice the total-variation distance between the table and the room, as in
    the representativeness measures of Flanigan et al. 2021). The score is
    1 - (D - D_min) / (D_max - D_min), where D_min is the best rounding of the
    expected counts and D_max the most lopsided table the totals allow.

    Examples
    --------
    >>> diversity_score(np.array([2, 2]), np.array([10, 10]))
    1.0
    >>> diversity_score(np.array([4, 0]), np.array([10, 10]))
    0.0
    """
    s = int(counts.sum())
    n = totals.sum()
    if s == 0 or n == 0:
        return 1.0
    expected = s * totals / n
    dev = float(np.abs(counts - expected).sum())
    lo = _min_deviation(expected, s, totals)
    hi = _max_deviation(totals, s)
    if hi - lo <= 1e-9:
        return 1.0
    return float(np.clip(1.0 - (dev - lo) / (hi - lo), 0.0, 1.0))


def cluster_score(counts: np.ndarray, totals: np.ndarray, s: int) -> float:
    """Score in [0, 1] of how well one table keeps members with the same value together.

    Each clustered member at the table counts the others with the same value
    there, out of the most there could be (min(N_k, s) - 1); the score is the
    mean over those members (1 when the table holds no clustered member).

    Examples
    --------
    >>> cluster_score(np.array([3, 0]), np.array([3, 5]), 6)
    1.0
    """
    have = counts > 0
    if not have.any():
        return 1.0
    most = np.minimum(totals, s) - 1
    frac = np.where(most > 0, (counts - 1) / np.maximum(most, 1), 1.0)
    return float((counts[have] * frac[have]).sum() / counts[have].sum())


def mixing_frame(prob: Problem, assign: np.ndarray, present: np.ndarray) -> pd.DataFrame:
    """One row per round, table and mixed feature: kind, score in [0, 1], size, counts."""
    rows = []
    for r in range(prob.rounds):
        here = present[r]
        for f in prob.features:
            codes = f.codes
            totals = np.bincount(codes[here & (codes >= 0)], minlength=len(f.labels))
            for t in range(prob.tables):
                at = here & (assign[r] == t)
                s = int(at.sum())
                c = np.bincount(codes[at & (codes >= 0)], minlength=len(f.labels))
                score = (
                    diversity_score(c, totals)
                    if f.kind == "diversify"
                    else cluster_score(c, totals, s)
                )
                rows.append(
                    {
                        "round": r + 1,
                        "table": t + 1,
                        "feature": f.name,
                        "kind": f.kind,
                        "score": round(score, 4),
                        "size": s,
                        "counts": {f.labels[k]: int(c[k]) for k in range(len(f.labels)) if c[k]},
                    }
                )
    return pd.DataFrame(
        rows, columns=["round", "table", "feature", "kind", "score", "size", "counts"]
    )
