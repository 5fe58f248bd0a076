"""Stage-one invitation lottery over an address file, stratified by area with oversampling."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from minipublic.errors import InputError
from minipublic.sortition._distribution import seed_to_int
from minipublic.sortition._pool import _read_table

__all__ = ["Invitation", "follow_up", "invite", "read_addresses", "read_weights"]


@dataclass(frozen=True, eq=False)
class Invitation:
    """Result of :func:`invite`.

    Attributes
    ----------
    invited : pandas.DataFrame
        The drawn addresses (all their columns) plus ``weight`` and
        ``inclusion_probability``.
    allocation : pandas.DataFrame
        Per area: ``area, addresses, weight, invited, inclusion_probability``.
    n : int
    area_column, id_column : str
    seed : int
    method : str
    source, sha256 : str or None
        Address file name and hash.
    """

    invited: pd.DataFrame
    allocation: pd.DataFrame
    n: int
    area_column: str
    id_column: str
    seed: int
    method: str
    source: str | None = None
    sha256: str | None = None

    def to_dict(self) -> dict:
        """JSON-able form (the allocation; the invited list is a table)."""
        return {
            "n": self.n,
            "area_column": self.area_column,
            "id_column": self.id_column,
            "seed": self.seed,
            "method": self.method,
            "source": self.source,
            "sha256": self.sha256,
            "allocation": self.allocation.to_dict("records"),
        }


def read_addresses(path: str | Path) -> tuple[pd.DataFrame, str, str]:
    """Read an address file; returns (table, file name, SHA-256)."""
    path = Path(path)
    frame = _read_table(path)
    return frame, path.name, hashlib.sha256(path.read_bytes()).hexdigest()


def read_weights(path: str | Path) -> dict[str, float]:
    """Read ``area,weight`` (CSV or XLSX) into a dict."""
    path = Path(path)
    frame = _read_table(path)
    frame.columns = [c.lower() for c in frame.columns]
    for col in ("area", "weight"):
        if col not in frame.columns:
            raise InputError(
                f"missing column {col!r} (expected area,weight)", file=path.name, row=1, column=col
            )
    weights: dict[str, float] = {}
    for i, (area, w) in enumerate(zip(frame["area"], frame["weight"], strict=True)):
        try:
            value = float(str(w).strip())
        except ValueError:
            raise InputError(
                f"weight {w!r} is not a number", file=path.name, row=i + 2, column="weight"
            ) from None
        if not value > 0:
            raise InputError(
                f"weight {w!r} must be more than 0", file=path.name, row=i + 2, column="weight"
            )
        area = str(area).strip()
        if area in weights:
            raise InputError(
                f"area {area!r} is listed twice", file=path.name, row=i + 2, column="area"
            )
        weights[area] = value
    return weights


def _allocate(sizes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Integers ``n_a <= N_a`` summing to n, proportional to ``w_a N_a`` (capped, largest remainder)."""
    alloc = np.zeros(len(sizes))
    free = np.ones(len(sizes), dtype=bool)
    remaining = float(n)
    for _ in range(len(sizes) + 1):
        share = weights * sizes * free
        if share.sum() == 0:
            break
        target = remaining * share / share.sum()
        over = free & (target >= sizes)
        if not over.any():
            alloc[free] = target[free]
            break
        alloc[over] = sizes[over]
        remaining -= sizes[over].sum()
        free &= ~over
    base = np.floor(alloc + 1e-9).astype(np.int64)
    rest = n - base.sum()
    order = np.argsort(-(alloc - base), kind="stable")
    for a in order:
        if rest <= 0:
            break
        if base[a] < sizes[a]:
            base[a] += 1
            rest -= 1
    return base


def invite(
    addresses: pd.DataFrame,
    n: int,
    *,
    area_column: str,
    weights: Mapping[str, float] | None = None,
    seed: int | str = 0,
    id_column: str | None = None,
    source: str | None = None,
    sha256: str | None = None,
) -> Invitation:
    """Draw ``n`` addresses, stratified by area, oversampling some areas.

    Parameters
    ----------
    addresses : pandas.DataFrame
        One row per address, with an area column.
    n : int
        Addresses to invite.
    area_column : str
    weights : mapping, optional
        Area -> oversampling weight (default 1; e.g. 2 in areas of low
        turnout or high deprivation). Areas not listed get 1.
    seed : int or str, default 0
    id_column : str, optional
        Address id column (default ``id`` if present, else the first column).
    source, sha256 : str, optional
        Recorded in the result.

    Returns
    -------
    Invitation

    Notes
    -----
    Area ``a`` with ``N_a`` addresses and weight ``w_a`` gets
    ``n_a ~ n w_a N_a / sum_b w_b N_b`` invitations (capped at ``N_a``, the
    excess shared out again; rounded by largest remainder), drawn by simple
    random sampling without replacement within the area. Every address in
    area ``a`` is invited with probability ``pi_a = n_a / N_a``, which is
    recorded so that later analyses can weight by ``1 / pi_a``. Oversampled
    areas (``w_a > 1``) are where the follow-up door-knocking list comes
    from (:func:`follow_up`).
    """
    name = source or "addresses"
    if addresses is None or len(addresses) == 0:
        raise InputError("the address table is empty", file=name)
    table = addresses.copy()
    table.columns = [str(c).strip() for c in table.columns]
    table = table.fillna("").astype(str)
    if area_column not in table.columns:
        raise InputError(f"no area column {area_column!r}", file=name, row=1, column=area_column)
    if id_column is None:
        id_column = "id" if "id" in table.columns else table.columns[0]
    if id_column not in table.columns:
        raise InputError(f"no id column {id_column!r}", file=name, row=1, column=id_column)
    dup = table[id_column].duplicated()
    if dup.any():
        row = int(np.nonzero(dup.to_numpy())[0][0]) + 2
        raise InputError(
            f"duplicate id {table[id_column].iloc[row - 2]!r}", file=name, row=row, column=id_column
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n {n!r} must be a whole number >= 1", column="n")
    if n > len(table):
        raise InputError(f"n = {n} is more than the {len(table)} addresses", column="n")
    weights = dict(weights or {})
    areas = sorted(table[area_column].unique())
    unknown = sorted(set(weights) - set(areas))
    if unknown:
        raise InputError(f"weights given for unknown area(s): {', '.join(unknown)}", column="area")
    for a, w in weights.items():
        if not w > 0:
            raise InputError(f"weight of area {a!r} must be more than 0", column="weight")
    seed_int = seed_to_int(seed)
    rng = np.random.default_rng(seed_int)
    sizes = np.array([(table[area_column] == a).sum() for a in areas], dtype=float)
    w = np.array([float(weights.get(a, 1.0)) for a in areas])
    alloc = _allocate(sizes, w, int(n))
    chosen = []
    for a, n_a in zip(areas, alloc, strict=True):
        rows = np.nonzero((table[area_column] == a).to_numpy())[0]
        if n_a > 0:
            chosen.extend(sorted(rng.choice(rows, size=int(n_a), replace=False).tolist()))
    invited = table.iloc[sorted(chosen)].copy()
    prob = {a: n_a / s for a, n_a, s in zip(areas, alloc, sizes, strict=True)}
    wmap = dict(zip(areas, w, strict=True))
    invited["weight"] = invited[area_column].map(wmap)
    invited["inclusion_probability"] = invited[area_column].map(prob)
    allocation = pd.DataFrame(
        {
            "area": areas,
            "addresses": sizes.astype(int),
            "weight": w,
            "invited": alloc,
            "inclusion_probability": [prob[a] for a in areas],
        }
    )
    return Invitation(
        invited.reset_index(drop=True),
        allocation,
        int(n),
        area_column,
        id_column,
        seed_int,
        "stratified simple random sampling without replacement, weighted allocation",
        source,
        sha256,
    )


def follow_up(
    invitation: Invitation, responded: Iterable[str], *, min_weight: float = 1.0
) -> pd.DataFrame:
    """Door-knocking list: invited addresses that did not respond, in oversampled areas.

    Parameters
    ----------
    invitation : Invitation
    responded : iterable of str
        Ids of addresses that registered.
    min_weight : float, default 1.0
        Areas with weight strictly above this are followed up.

    Returns
    -------
    pandas.DataFrame
        The invited rows (with ``weight`` and ``inclusion_probability``).
    """
    done = {str(r).strip() for r in responded}
    inv = invitation.invited
    mask = (~inv[invitation.id_column].isin(done)) & (inv["weight"] > min_weight)
    return inv[mask].reset_index(drop=True)
