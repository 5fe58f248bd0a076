"""The follow-through score: how far the adopted recommendations have been carried out.

Pure Python (no Django), so the rule can be read and tested on its own; the
definition is repeated for users in ``docs/followup.md``.

For each adopted recommendation *i* (``n`` of them):

    s_i = c_i × p_i × f_i

where

* ``c_i`` is the commissioner's answer: 1 for *accepted* and *already
  happening*, 0.5 for *accepted in part*, 0 for *under consideration*,
  *rejected*, *outside our powers*, or no published answer yet;
* ``p_i`` is progress in [0, 1]: the latest status update's percentage, or,
  when the response has weighted sub-items, their weighted mean percentage
  (Σ w_j·pct_j / Σ w_j); *done* counts as 1 and *abandoned* as 0 whatever the
  percentage; no update yet counts as 0;
* ``f_i`` is fidelity of what was done: 1 *as recommended* or not yet judged,
  0.75 *modified*, 0.5 *watered down*.

The score is ``100 × Σ s_i / n`` (0 when nothing was adopted), so 100 means
every recommendation was accepted in full and done as recommended.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CATEGORY_FACTOR = {
    "accepted": 1.0,
    "already_happening": 1.0,
    "accepted_in_part": 0.5,
    "under_consideration": 0.0,
    "rejected": 0.0,
    "outside_powers": 0.0,
}
FIDELITY_FACTOR = {"not_judged": 1.0, "as_recommended": 1.0, "modified": 0.75, "watered_down": 0.5}


@dataclass(frozen=True)
class Item:
    """What the score needs to know about one adopted recommendation.

    ``category`` is ``None`` while no response is published; ``status`` and
    ``percent`` come from the latest status update (``None`` if there is none);
    ``sub_items`` are ``(weight, percent)`` pairs.
    """

    category: str | None
    status: str | None = None
    percent: float | None = None
    fidelity: str = "not_judged"
    sub_items: Sequence[tuple[float, float]] = ()


def progress(item: Item) -> float:
    """``p_i`` of the module docstring, in [0, 1]."""
    if item.status == "done":
        return 1.0
    if item.status == "abandoned":
        return 0.0
    weights = sum(w for w, _pct in item.sub_items)
    if weights > 0:
        return min(1.0, max(0.0, sum(w * pct for w, pct in item.sub_items) / weights / 100))
    if item.percent is None:
        return 0.0
    return min(1.0, max(0.0, item.percent / 100))


def item_score(item: Item) -> float:
    """``s_i = c_i × p_i × f_i``."""
    c = CATEGORY_FACTOR.get(item.category, 0.0) if item.category else 0.0
    return c * progress(item) * FIDELITY_FACTOR.get(item.fidelity, 1.0)


def follow_through_score(items: Iterable[Item]) -> float:
    """``100 × mean(s_i)`` over the adopted recommendations; 0 for none."""
    items = list(items)
    if not items:
        return 0.0
    return 100 * sum(item_score(i) for i in items) / len(items)
