"""Consensus: group-informed consensus and Polis' overall consensus statements.

*Group-informed consensus* of statement ``s`` over the opinion groups
``g = 1..k`` (Polis' ``group-aware-consensus``):

    C_agree(s) = prod_g (n_a(g, s) + 1) / (n_s(g, s) + 2)

the product of each group's smoothed probability of agreeing; it is high only
when *every* group tends to agree, so a statement one large group loves and
another rejects scores low. ``C_disagree`` uses ``n_d``. With ``k`` groups it
lies in ``(0, 1)`` and shrinks with ``k``: compare statements within one map.

*Consensus statements* (Polis' ``select-consensus-comments``) ignore groups:
over all participants, statements with ``p_a > 1/2`` and ``pat > 1.2816``
ranked by ``p_a * pat`` (top 5), and likewise for disagreement.

References: polismath ``conversation.clj`` (``:group-aware-consensus``) and
``repness.clj`` (``consensus-stats``, ``select-consensus-comments``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._repness import Z90, prop_test

__all__ = ["ConsensusStatement", "group_informed_consensus", "select_consensus"]


@dataclass(frozen=True)
class ConsensusStatement:
    """A statement most participants agree (or disagree) with."""

    statement: object
    direction: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


def group_informed_consensus(n_success: np.ndarray, n_seen: np.ndarray) -> np.ndarray:
    """``prod_g (n_success[g] + 1) / (n_seen[g] + 2)`` for each statement (column)."""
    return np.prod((np.asarray(n_success) + 1.0) / (np.asarray(n_seen) + 2.0), axis=0)


def select_consensus(
    n_agree: np.ndarray,
    n_disagree: np.ndarray,
    n_seen: np.ndarray,
    statements: np.ndarray,
    *,
    pick_max: int = 5,
    z: float = Z90,
) -> dict[str, list[ConsensusStatement]]:
    """Polis' consensus statements from overall counts (1-D arrays of length m)."""
    out: dict[str, list[ConsensusStatement]] = {}
    ns = np.asarray(n_seen, dtype=float)
    for direction, n in (("agree", n_agree), ("disagree", n_disagree)):
        n = np.asarray(n, dtype=float)
        p = (n + 1) / (ns + 2)
        t = prop_test(n, ns)
        ok = np.flatnonzero((p > 0.5) & (t > z))
        order = ok[np.argsort(-(p[ok] * t[ok]), kind="stable")][:pick_max]
        out[direction] = [
            ConsensusStatement(
                statements[j], direction, int(n[j]), int(ns[j]), float(p[j]), float(t[j])
            )
            for j in order
        ]
    return out
