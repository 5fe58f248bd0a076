"""Vote counts per group and Polis' representativeness ("repness").

For group ``g`` and statement ``s`` (``n`` = counts among the group's
members, ``n'`` = counts among all *other* clustered participants):

- ``n_a, n_d, n_s``: agrees, disagrees, votes seen (pass included);
- ``p_a = (n_a + 1) / (n_s + 2)`` and ``p_d = (n_d + 1) / (n_s + 2)``
  (Laplace smoothing, +1 / +2);
- ``pat = 2 sqrt(n_s + 1) ((n_a + 1) / (n_s + 1) - 1/2)``: one-proportion
  z-test that ``p_a > 1/2`` (likewise ``pdt``);
- ``r_a = p_a / ((n'_a + 1) / (n'_s + 2))``: how much likelier the group is
  to agree than everyone else (likewise ``r_d``);
- ``rat``: two-proportion z-test of ``(n_a + 1) / (n_s + 1)`` against
  ``(n'_a + 1) / (n'_s + 1)`` with pooled ``p = (n_a + n'_a + 2) / (n_s + n'_s + 2)``:
  ``z = (p1 - p2) / sqrt(p (1 - p) (1/(n_s+1) + 1/(n'_s+1)))``, 0 when ``p = 1``.

A statement represents a group when ``pat`` and ``rat`` (or ``pdt`` and
``rdt``) both exceed the one-sided 90% critical value 1.2816. Polis then
sorts by ``repness * repness-test * p-success * p-test``, puts its "best
agree" statement first, keeps 5 and lists agrees before disagrees.

References: polismath ``repness.clj`` (``comment-stats``,
``add-comparitive-stats``, ``select-rep-comments``) and ``stats.clj``;
Small et al. (2021), section 3.4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GroupVotes", "RepresentativeStatement", "group_votes", "select_representative"]

Z90 = 1.2816


@dataclass(frozen=True, eq=False)
class GroupVotes:
    """Counts and repness statistics, each of shape (n_groups, n_statements)."""

    n_agree: np.ndarray
    n_disagree: np.ndarray
    n_seen: np.ndarray
    p_agree: np.ndarray
    p_disagree: np.ndarray
    p_agree_test: np.ndarray
    p_disagree_test: np.ndarray
    r_agree: np.ndarray
    r_disagree: np.ndarray
    r_agree_test: np.ndarray
    r_disagree_test: np.ndarray


@dataclass(frozen=True)
class RepresentativeStatement:
    """One representative statement of a group, in Polis' terms."""

    statement: object
    group: int
    direction: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False


def prop_test(succ, n):
    """One-proportion z statistic ``2 sqrt(n+1) ((succ+1)/(n+1) - 1/2)``."""
    succ = np.asarray(succ, dtype=float) + 1
    n = np.asarray(n, dtype=float) + 1
    return 2 * np.sqrt(n) * (succ / n - 0.5)


def two_prop_test(succ_in, succ_out, n_in, n_out):
    """Two-proportion z statistic with +1 smoothing (see module docstring)."""
    s1 = np.asarray(succ_in, dtype=float) + 1
    s2 = np.asarray(succ_out, dtype=float) + 1
    n1 = np.asarray(n_in, dtype=float) + 1
    n2 = np.asarray(n_out, dtype=float) + 1
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / denom
    return np.where(pooled >= 1, 0.0, np.nan_to_num(z))


def count_by_group(votes, groups: np.ndarray, k: int):
    """Agree, disagree and seen counts per (group, statement), as (k, m) floats.

    ``votes`` is a :class:`VoteMatrix`; participants with ``groups[i] < 0``
    (not clustered) are left out. One counting pass over the stored votes.
    """
    m = votes.shape[1]
    g = np.repeat(groups, votes.votes_per_participant())  # group of each stored vote
    grouped = g >= 0
    code = g[grouped] * m + votes.indices[grouped]
    values = votes.values[grouped]
    return tuple(
        np.bincount(c, minlength=k * m).reshape(k, m).astype(np.float64)
        for c in (code[values == 1], code[values == -1], code)
    )


def group_votes(n_agree: np.ndarray, n_disagree: np.ndarray, n_seen: np.ndarray) -> GroupVotes:
    """Repness statistics from per-group counts (arrays of shape (k, m))."""
    na, nd, ns = (np.asarray(a, dtype=float) for a in (n_agree, n_disagree, n_seen))
    ra_, rd_, rs_ = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    pa = (na + 1) / (ns + 2)
    pd = (nd + 1) / (ns + 2)
    return GroupVotes(
        n_agree=na.astype(int),
        n_disagree=nd.astype(int),
        n_seen=ns.astype(int),
        p_agree=pa,
        p_disagree=pd,
        p_agree_test=prop_test(na, ns),
        p_disagree_test=prop_test(nd, ns),
        r_agree=pa / ((ra_ + 1) / (rs_ + 2)),
        r_disagree=pd / ((rd_ + 1) / (rs_ + 2)),
        r_agree_test=two_prop_test(na, ra_, ns, rs_),
        r_disagree_test=two_prop_test(nd, rd_, ns, rs_),
    )


def _finalise(gv: GroupVotes, g: int, j: int, statement, best_agree=False):
    if gv.r_agree_test[g, j] > gv.r_disagree_test[g, j]:
        fields = (gv.n_agree, gv.p_agree, gv.p_agree_test, gv.r_agree, gv.r_agree_test, "agree")
    else:
        fields = (
            gv.n_disagree,
            gv.p_disagree,
            gv.p_disagree_test,
            gv.r_disagree,
            gv.r_disagree_test,
            "disagree",
        )
    n, p, pt, r, rt, direction = fields
    return RepresentativeStatement(
        statement=statement,
        group=g,
        direction=direction,
        n_success=int(n[g, j]),
        n_trials=int(gv.n_seen[g, j]),
        p_success=float(p[g, j]),
        p_test=float(pt[g, j]),
        repness=float(r[g, j]),
        repness_test=float(rt[g, j]),
        best_agree=best_agree,
    )


def select_representative(
    gv: GroupVotes, statements: np.ndarray, *, pick_max: int = 5, z: float = Z90
) -> dict[int, list[RepresentativeStatement]]:
    """Polis' ``select-rep-comments``: up to ``pick_max`` statements per group.

    Rules, per group and in statement order: a statement is *sufficient* if
    ``pat > z and rat > z`` or ``pdt > z and rdt > z``. The *best agree* is
    the running best by ``ra*rat*pa*pat`` once the best so far has
    ``ra > 1``, else by ``pa*pat``; a first candidate needs ``pat > z`` or
    ``ra > 1 and pa > 1/2``, and statements no one in the group agreed or
    disagreed with are never candidates. With no sufficient statement, the
    group gets its best agree, else its statement with the largest
    ``max(rat, rdt)``.
    """
    k, m = gv.n_seen.shape
    out: dict[int, list[RepresentativeStatement]] = {}
    metric_agree = (gv.r_agree * gv.r_agree_test * gv.p_agree * gv.p_agree_test).tolist()
    # Python floats compare and multiply as float64 does, without numpy's
    # per-element cost in this loop.
    pat_all, rat_all = gv.p_agree_test.tolist(), gv.r_agree_test.tolist()
    pdt_all, rdt_all = gv.p_disagree_test.tolist(), gv.r_disagree_test.tolist()
    pa_all, ra_all = gv.p_agree.tolist(), gv.r_agree.tolist()
    pd_all, rd_all = gv.p_disagree.tolist(), gv.r_disagree.tolist()
    voted = ((gv.n_agree != 0) | (gv.n_disagree != 0)).tolist()
    for g in range(k):
        sufficient: list[int] = []
        best = None
        best_z = None
        best_agree = None
        pa, ra, metric = pa_all[g], ra_all[g], metric_agree[g]
        for j, (pat, rat, pdt, rdt) in enumerate(
            zip(pat_all[g], rat_all[g], pdt_all[g], rdt_all[g], strict=True)
        ):
            if (pat > z and rat > z) or (pdt > z and rdt > z):
                sufficient.append(j)
            if not sufficient and (best_z is None or max(rat, rdt) > best_z):
                best = _finalise(gv, g, j, statements[j])
                best_z = best.repness_test
            if not voted[g][j]:
                continue
            if best_agree is None:
                take = pat > z or (ra[j] > 1.0 and pa[j] > 0.5)
            elif ra[best_agree] > 1.0:
                take = metric[j] > metric[best_agree]
            else:
                take = pa[j] * pat > pa[best_agree] * pat_all[g][best_agree]
            if take:
                best_agree = j
        head: list[RepresentativeStatement] = []
        if best_agree is not None:
            rep = _finalise(gv, g, best_agree, statements[best_agree], best_agree=True)
            head = [rep]
        elif best is not None:
            head = [best]
        if not sufficient:
            out[g] = head
            continue
        rest = [
            j
            for j in sufficient
            if not (head and head[0].best_agree and statements[j] == head[0].statement)
        ]

        def order(j, g=g):
            # -(repness * repness_test * p_success * p_test) of _finalise's record.
            if rat_all[g][j] > rdt_all[g][j]:
                return -(ra_all[g][j] * rat_all[g][j] * pa_all[g][j] * pat_all[g][j])
            return -(rd_all[g][j] * rdt_all[g][j] * pd_all[g][j] * pdt_all[g][j])

        rest.sort(key=order)
        chosen = [head[0]] if head and head[0].best_agree else []
        chosen += [_finalise(gv, g, j, statements[j]) for j in rest[: pick_max - len(chosen)]]
        out[g] = [r for r in chosen if r.direction == "agree"] + [
            r for r in chosen if r.direction == "disagree"
        ]
    return out
