"""From target shares to quotas, and from registrants to the sortition core's pool.

Pure helpers (no database writes): the quota editor, the selection task and
the tests share them.

Conversion rule
---------------
For a panel of ``k`` seats, a target share ``s`` (per cent of the panel) and
a tolerance ``t`` (percentage points), the quota is the whole numbers of
people inside ``[k (s - t) / 100, k (s + t) / 100]``, widened outwards:

.. math::

    \\text{min} = \\max\\left(0, \\left\\lfloor \\frac{k (s - t)}{100} \\right\\rfloor\\right),
    \\qquad
    \\text{max} = \\min\\left(k, \\left\\lceil \\frac{k (s + t)}{100} \\right\\rceil\\right)

so a tolerance of 0 gives the floor and the ceiling of the exact share
(the convention of the Sortition Foundation's categories files). The
direction turns a row into a one-sided quota: ``at_least`` keeps the min and
sets max = k (e.g. "at least the population share of people with trust in
government 0-3"), ``at_most`` keeps the max and sets min = 0, ``any`` puts
no limit (min 0, max k) on that value. The arithmetic is done in
:class:`decimal.Decimal`, so ``k s / 100`` that is a whole number is not
rounded the wrong way by binary floating point.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from minipublic.errors import InputError
from minipublic.sortition import Pool, Quota, Quotas, pool_from_frame

__all__ = [
    "DIRECTIONS",
    "NOT_ANSWERED",
    "QuotaLine",
    "bounds_for",
    "pool_counts",
    "pool_from_table",
    "pool_table",
    "quotas_from_lines",
]

#: Directions of a quota row, in the order the editor offers them.
DIRECTIONS = ("range", "at_least", "at_most", "any")

#: Value used in the pool table for a feature a registrant did not answer.
NOT_ANSWERED = "not answered"


def bounds_for(
    share: Decimal | float | str,
    tolerance: Decimal | float | str,
    panel_size: int,
    *,
    direction: str = "range",
) -> tuple[int, int]:
    """Return ``(min, max)`` seats for a target share and tolerance.

    Parameters
    ----------
    share : Decimal, float or str
        Target share of the panel in per cent, 0-100.
    tolerance : Decimal, float or str
        Allowed distance from the share in percentage points, >= 0.
    panel_size : int
        Seats on the panel, ``k >= 1``.
    direction : {"range", "at_least", "at_most", "any"}, default "range"
        See the module docstring.

    Returns
    -------
    tuple of int
        ``(min, max)`` with ``0 <= min <= max <= k``.

    Raises
    ------
    InputError
        Share outside 0-100, negative tolerance, panel size < 1, unknown
        direction.

    Examples
    --------
    >>> bounds_for(40, 2, 100)
    (38, 42)
    >>> bounds_for("33.3", 0, 30)
    (9, 10)
    >>> bounds_for(25, 0, 100, direction="at_least")
    (25, 100)
    """
    if direction not in DIRECTIONS:
        raise InputError(
            f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}",
            column="direction",
        )
    if isinstance(panel_size, bool) or not isinstance(panel_size, int) or panel_size < 1:
        raise InputError(f"panel size {panel_size!r} must be a whole number >= 1", column="size")
    s = Decimal(str(share))
    t = Decimal(str(tolerance))
    if not s.is_finite() or s < 0 or s > 100:
        raise InputError(f"share {share} must be between 0 and 100 per cent", column="share")
    if not t.is_finite() or t < 0:
        raise InputError(f"tolerance {tolerance} must be 0 or more", column="tolerance")
    return _bounds(s, t, panel_size, direction)


def _bounds(s: Decimal, t: Decimal, k: int, direction: str) -> tuple[int, int]:
    lo = max(0, math.floor(k * (s - t) / 100))
    hi = min(k, math.ceil(k * (s + t) / 100))
    if direction == "at_least":
        hi = k
    elif direction == "at_most":
        lo = 0
    elif direction == "any":
        lo, hi = 0, k
    return min(lo, k), max(hi, 0)


@dataclass(frozen=True)
class QuotaLine:
    """One row of the quota editor: a value of a feature with its target."""

    feature: str
    value: str
    share: Decimal
    tolerance: Decimal
    direction: str = "range"


def quotas_from_lines(
    lines: Iterable[QuotaLine], panel_size: int, *, source: str = "quota editor"
) -> Quotas:
    """Convert editor rows to the core's :class:`~minipublic.sortition.Quotas`.

    Each row becomes ``Quota(feature, value, min, max)`` by :func:`bounds_for`;
    ``row`` is the 1-based position in the editor (header = row 1), so core
    errors point at the right line.
    """
    quotas = []
    for i, line in enumerate(lines):
        lo, hi = bounds_for(line.share, line.tolerance, panel_size, direction=line.direction)
        quotas.append(Quota(line.feature, line.value, lo, hi, row=i + 2))
    if not quotas:
        raise InputError("no quotas: add at least one feature", file=source)
    return Quotas(tuple(quotas), source=source)


def pool_table(people: Iterable[tuple[str, str, dict[str, str]]], features: Iterable[str]):
    """Build the core's pool table from ``(pseudonym, household_key, features)`` triples.

    Parameters
    ----------
    people : iterable of (str, str, dict)
        Pseudonym, normalised household key (may be empty) and the answers
        (:meth:`Registrant.features <minipublic.web.recruitment.models.Registrant.features>`).
    features : iterable of str
        Feature columns to keep. A missing answer becomes :data:`NOT_ANSWERED`.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, household, <features>``. A registrant without a
        household key is a household of their own (``solo:<id>``).
    """
    features = list(features)
    rows = []
    for pseudonym, household, answers in people:
        row = {"id": pseudonym, "household": household or f"solo:{pseudonym}"}
        for f in features:
            row[f] = answers.get(f, "") or NOT_ANSWERED
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", "household", *features])


def pool_from_table(table: pd.DataFrame) -> Pool:
    """The core's :class:`~minipublic.sortition.Pool` with the one-per-household rule.

    The rule is passed to the core only when two people in the pool share a
    household: otherwise it constrains nothing, and leaving it out lets the
    core group interchangeable people into types (much faster, same
    probabilities).
    """
    shared = len(table) > 0 and table["household"].duplicated().any()
    return pool_from_frame(
        table, id_column="id", household_columns="household" if shared else None, source="pool"
    )


def pool_counts(table: pd.DataFrame, features: Iterable[str]) -> dict[str, Counter]:
    """Feature -> Counter of values in the pool table."""
    return {f: Counter(table[f]) for f in features if f in table.columns}
