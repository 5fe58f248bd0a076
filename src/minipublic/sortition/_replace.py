"""Replacements for panel members who drop out, by a fair and transparent lottery."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from minipublic.errors import InfeasibleError, InputError
from minipublic.sortition._distribution import _compute as _distribution
from minipublic.sortition._distribution import seed_to_int
from minipublic.sortition._feasibility import QuotaChange, _validate, relax_bounds
from minipublic.sortition._lottery import Draw, draw, round_lottery
from minipublic.sortition._model import build_instance
from minipublic.sortition._pool import Pool, Quota, Quotas

__all__ = ["Replacement", "replace"]


@dataclass(frozen=True, eq=False)
class Replacement:
    """Result of :func:`replace`.

    Attributes
    ----------
    panel_before : tuple of str
    dropped : tuple of str
    kept : tuple of str
    replacements : tuple of str
        The people drawn to fill the dropped seats.
    panel_after : tuple of str
    quota_changes : tuple of QuotaChange
        Bounds (for the whole panel) that had to be widened because no choice
        of replacements could meet them; empty when all quotas still hold.
    probabilities : dict
        Candidate id -> probability of being drawn as a replacement.
    draw : Draw
        The public-seed draw over the replacement lottery.
    algorithm : str
    m : int
    lottery_sha256 : str
    seed : int
        Seed of the lottery rounding.
    """

    panel_before: tuple[str, ...]
    dropped: tuple[str, ...]
    kept: tuple[str, ...]
    replacements: tuple[str, ...]
    panel_after: tuple[str, ...]
    quota_changes: tuple[QuotaChange, ...]
    probabilities: dict
    draw: Draw
    algorithm: str
    m: int
    lottery_sha256: str
    seed: int

    def to_dict(self) -> dict:
        """JSON-able form."""
        return {
            "panel_before": list(self.panel_before),
            "dropped": list(self.dropped),
            "kept": list(self.kept),
            "replacements": list(self.replacements),
            "panel_after": list(self.panel_after),
            "quota_changes": [c.to_dict() for c in self.quota_changes],
            "probabilities": dict(self.probabilities),
            "draw": self.draw.to_dict(),
            "algorithm": self.algorithm,
            "m": self.m,
            "lottery_sha256": self.lottery_sha256,
            "seed": self.seed,
        }


def replace(
    pool: Pool,
    quotas: Quotas,
    panel: Iterable[str],
    dropped: Iterable[str],
    *,
    public_seed: str,
    algorithm: str = "leximin",
    m: int = 1000,
    seed: int | str = 0,
    exclude: Iterable[str] = (),
    progress: Callable[[float, str], None] | None = None,
) -> Replacement:
    """Draw replacements for dropped-out panel members.

    Parameters
    ----------
    pool : Pool
        The full pool the panel was drawn from.
    quotas : Quotas
        The quotas of the whole panel.
    panel : iterable of str
        Ids of the selected panel.
    dropped : iterable of str
        Ids (in the panel) who dropped out.
    public_seed : str
        Public seed of the replacement draw (see :func:`draw`).
    algorithm : str, default "leximin"
    m : int, default 1000
        Panels in the replacement lottery.
    seed : int or str, default 0
        Seed of the lottery rounding.
    exclude : iterable of str
        Pool members who can no longer serve (e.g. already asked, declined).
    progress : callable, optional

    Returns
    -------
    Replacement

    Notes
    -----
    The kept members count towards the quotas: the replacements must meet
    ``lo_q - kept_q <= sum <= hi_q - kept_q``. When no set of replacements can,
    the bounds are widened by the smallest total amount (the L1 relaxation of
    :func:`check_feasibility`), so the new panel stays as close to the
    quotas as the remaining pool allows. A fair distribution (default
    LEXIMIN) over the candidates is then rounded to a uniform lottery and
    drawn from the public seed, exactly as for the first selection.
    Candidates exclude everyone already on the panel, everyone in
    ``exclude`` and, with the household rule, the households of kept members.
    """
    _validate(pool, quotas, 1)
    panel = [str(i) for i in panel]
    dropped = [str(i) for i in dropped]
    ids = set(pool.ids)
    for i in panel:
        if i not in ids:
            raise InputError(f"panel member {i!r} is not in the pool", column="id")
    for i in dropped:
        if i not in panel:
            raise InputError(f"dropped id {i!r} is not on the panel", column="id")
    if not dropped:
        raise InputError("nobody dropped out: nothing to replace")
    kept = [i for i in panel if i not in set(dropped)]
    blocked = set(panel) | {str(i) for i in exclude}
    hh = pool.households
    if hh is not None:
        kept_hh = {hh[j] for j, pid in enumerate(pool.ids) if pid in set(kept) and hh[j]}
        blocked |= {pid for j, pid in enumerate(pool.ids) if hh[j] in kept_hh}
    candidates = pool.subset(pid for pid in pool.ids if pid not in blocked)
    d = len(dropped)
    if len(candidates) < d:
        raise InfeasibleError(
            f"only {len(candidates)} people can still be drawn, fewer than the {d} seats to fill"
        )
    kept_pool = pool.subset(kept)
    shifted = []
    for q in quotas.quotas:
        have = int((kept_pool.table[q.feature] == q.value).sum()) if len(kept_pool) else 0
        shifted.append(Quota(q.feature, q.value, q.min - have, q.max - have, q.row))
    # Bounds may be negative now; the relaxation below repairs them minimally.
    inst = build_instance(
        candidates,
        Quotas(tuple(Quota(q.feature, q.value, 0, d, q.row) for q in shifted)),
        d,
    )
    inst.lo = np.array([q.min for q in shifted], dtype=np.int64)
    inst.hi = np.array([q.max for q in shifted], dtype=np.int64)
    relaxed = relax_bounds(inst)
    if relaxed is None:
        raise InfeasibleError(f"no {d} people in the remaining pool can be drawn (household rule)")
    new_lo, new_hi = np.maximum(relaxed[0], 0), relaxed[1]
    changes = []
    new_quotas = []
    for q, orig, lo_q, hi_q in zip(shifted, quotas.quotas, new_lo, new_hi, strict=True):
        have = orig.min - q.min
        if lo_q != max(q.min, 0) or hi_q != q.max:
            changes.append(
                QuotaChange(
                    q.feature, q.value, orig.min, orig.max, int(lo_q) + have, int(hi_q) + have
                )
            )
        new_quotas.append(Quota(q.feature, q.value, int(lo_q), int(max(hi_q, lo_q)), q.row))
    sub_quotas = Quotas(tuple(new_quotas), quotas.source, quotas.sha256)
    inst = build_instance(candidates, sub_quotas, d)
    dist = _distribution(inst, candidates, sub_quotas, algorithm, seed_to_int(seed), 1000, progress)
    lottery = round_lottery(dist, m=m, seed=seed)
    result = draw(lottery, public_seed)
    after = tuple(kept) + tuple(result.panel)
    return Replacement(
        panel_before=tuple(panel),
        dropped=tuple(dropped),
        kept=tuple(kept),
        replacements=tuple(result.panel),
        panel_after=after,
        quota_changes=tuple(changes),
        probabilities=dict(zip(dist.ids, map(float, dist.probabilities), strict=True)),
        draw=result,
        algorithm=algorithm,
        m=m,
        lottery_sha256=lottery.sha256,
        seed=seed_to_int(seed),
    )
