"""Replacement lottery: who takes the seat of a panel member who declined.

Pure computation (no database), so the rule can be tested by brute force and
re-run by anyone from the recorded inputs.

Rule
----
1. The *remaining panel* is the panel without the person who declined.
2. A *candidate* is anyone in the pool who is not on the panel, has not been
   on it before, and does not share a household with anyone remaining.
3. The *eligible* candidates are those whose joining makes the remaining
   panel meet every quota. When there is none, they are the candidates whose
   joining leaves the smallest total quota violation (people short of a min
   plus people over a max), and the result says so.
4. The eligible ids are sorted and one is drawn with the same public rule as
   the panel: ``index = int(SHA-256(seed)) mod n``
   (:func:`minipublic.sortition.lottery_index`), so the draw can be checked
   from the seed and the sorted list.

Someone with exactly the decliner's features is always eligible in step 3
when the full panel met the quotas, so a like-for-like replacement is always
possible when the pool has one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from minipublic.errors import InfeasibleError, InputError
from minipublic.sortition import Quotas, lottery_index

__all__ = ["Replacement", "replacement_lottery"]


@dataclass(frozen=True)
class Replacement:
    """Result of :func:`replacement_lottery`.

    Attributes
    ----------
    declined : str
        Id of the person who declined.
    replacement : str
        Id of the person drawn.
    eligible : tuple of str
        The sorted eligible ids the draw was made from.
    meets_quotas : bool
        Whether the new panel meets every quota.
    violation : int
        Total quota violation of the new panel (0 when ``meets_quotas``).
    seed : str
    digest : str
        SHA-256 of the seed, hex.
    index : int
        ``int(digest, 16) mod len(eligible)``.
    method : str
    """

    declined: str
    replacement: str
    eligible: tuple[str, ...]
    meets_quotas: bool
    violation: int
    seed: str
    digest: str
    index: int
    method: str = "uniform over candidates keeping the quotas; index = SHA-256(seed) mod n"

    def to_dict(self) -> dict:
        """JSON-able form."""
        d = dict(self.__dict__)
        d["eligible"] = list(self.eligible)
        return d


def _violation(counts: Counter, quotas: Quotas) -> int:
    total = 0
    for q in quotas.quotas:
        c = counts[(q.feature, q.value)]
        total += max(0, q.min - c) + max(0, c - q.max)
    return total


def replacement_lottery(
    panel: Mapping[str, Mapping[str, str]],
    declined: str,
    candidates: Mapping[str, Mapping[str, str]],
    quotas: Quotas,
    *,
    seed: str,
    households: Mapping[str, str] | None = None,
) -> Replacement:
    """Draw the replacement for one panel member who declined.

    Parameters
    ----------
    panel : mapping of str to mapping
        Current panel: id -> feature -> value (quota features at least).
    declined : str
        Id (in ``panel``) of the person who declined.
    candidates : mapping of str to mapping
        People who may replace them: id -> feature -> value. Ids on the
        panel are ignored.
    quotas : Quotas
        The quotas the panel was selected under.
    seed : str
        Seed of the draw (e.g. announced, or recorded with the decision).
    households : mapping of str to str, optional
        Id -> household key for panel and candidates; a candidate sharing a
        household with a remaining panel member is not eligible.

    Returns
    -------
    Replacement

    Raises
    ------
    InputError
        ``declined`` not on the panel, or an empty seed.
    InfeasibleError
        No candidate at all (everyone is on the panel or in a panel
        member's household).
    """
    if declined not in panel:
        raise InputError(f"{declined!r} is not on the panel")
    if str(seed).strip() == "":
        raise InputError("the seed of the replacement draw is empty", column="seed")
    households = households or {}
    remaining = [i for i in panel if i != declined]
    taken = {households.get(i) for i in remaining if households.get(i)}
    pool = sorted(
        c
        for c in candidates
        if c not in panel and not (households.get(c) and households.get(c) in taken)
    )
    if not pool:
        raise InfeasibleError("nobody in the pool can take the seat")
    return _compute(panel, remaining, declined, pool, candidates, quotas, str(seed).strip())


def _compute(panel, remaining, declined, pool, candidates, quotas, seed) -> Replacement:
    features = quotas.features
    base: Counter = Counter()
    for i in remaining:
        for f in features:
            base[(f, panel[i].get(f, ""))] += 1
    scored = []
    for c in pool:
        counts = base.copy()
        for f in features:
            counts[(f, candidates[c].get(f, ""))] += 1
        scored.append((_violation(counts, quotas), c))
    best = min(v for v, _ in scored)
    eligible = tuple(c for v, c in scored if v == best)
    index, digest = lottery_index(seed, len(eligible))
    return Replacement(declined, eligible[index], eligible, best == 0, best, seed, digest, index)
