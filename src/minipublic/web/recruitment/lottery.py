"""The stage-one (invitation) lottery over an address file, and the files it reads.

Pure computation on pandas frames (no Django), so the same code serves the
site's background task and the tests. The sortition core had no ``invite``
function when this app was written; should one be added, the background task
in :mod:`minipublic.web.recruitment.tasks` is the one place to switch to it.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.errors import InputError
from minipublic.sortition import normalise_address

__all__ = [
    "StageOneLottery",
    "allocate_letters",
    "read_address_table",
    "read_area_weights",
    "stage_one_lottery",
]

ADDRESS_COLUMNS = ("address", "street", "postcode", "area")


def _seed_to_int(seed: int | str) -> int:
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed) % (2**64)
    digest = hashlib.sha256(str(seed).strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, eq=False)
class StageOneLottery:
    """Result of :func:`stage_one_lottery`.

    Attributes
    ----------
    invited : numpy.ndarray of int
        Row positions (0-based, in the input frame) of the invited addresses,
        sorted.
    inclusion_probability : numpy.ndarray of float, shape (n_addresses,)
        Each address's probability of being invited, ``k_a / N_a`` for its
        area ``a``.
    allocation : dict of str to int
        Letters per area, ``k_a``.
    counts : dict of str to int
        Addresses per area, ``N_a``.
    weights : dict of str to float
        Oversampling weight used for each area (1 when none was given).
    n_letters : int
    seed : int or str
    method : str
        ``"stratified-srswor"``: stratified simple random sampling without
        replacement, allocation proportional to ``N_a w_a``.
    """

    invited: np.ndarray
    inclusion_probability: np.ndarray
    allocation: dict[str, int]
    counts: dict[str, int]
    weights: dict[str, float]
    n_letters: int
    seed: int | str
    method: str = "stratified-srswor"


def allocate_letters(counts: dict[str, int], weights: dict[str, float], n_letters: int) -> dict:
    """Split *n_letters* between areas in proportion to ``N_a w_a``, at most ``N_a`` each.

    Parameters
    ----------
    counts : dict of str to int
        Addresses per area, ``N_a >= 0``.
    weights : dict of str to float
        Oversampling weight ``w_a > 0`` per area; missing areas get 1.
    n_letters : int
        Letters to send, ``0 <= n_letters <= sum(N_a)``.

    Returns
    -------
    dict of str to int
        ``k_a`` with ``sum(k_a) = n_letters`` and ``0 <= k_a <= N_a``.

    Notes
    -----
    The target share of area ``a`` is ``q_a = n N_a w_a / sum_b N_b w_b``.
    Areas whose target reaches ``N_a`` get every address and the rest is
    shared again among the others (repeated until no area overflows). The
    remaining fractional targets are rounded by the largest-remainder
    (Hamilton) method, ties broken by area name, so the result is
    deterministic and ``|k_a - q_a| < 1`` for areas below their cap.

    Examples
    --------
    >>> allocate_letters({"a": 100, "b": 100}, {"b": 3.0}, 40)
    {'a': 10, 'b': 30}
    """
    total = sum(counts.values())
    if not 0 <= n_letters <= total:
        raise InputError(f"cannot send {n_letters} letters to {total} addresses")
    alloc = {a: 0 for a in counts}
    open_areas = {a for a, n in counts.items() if n > 0}
    remaining = n_letters
    while remaining > 0 and open_areas:
        mass = {a: counts[a] * float(weights.get(a, 1.0)) for a in open_areas}
        total_mass = sum(mass.values())
        quota = {a: remaining * mass[a] / total_mass for a in open_areas}
        full = {a for a in open_areas if quota[a] >= counts[a]}
        if full:
            for a in full:
                alloc[a] = counts[a]
                remaining -= counts[a]
            open_areas -= full
            continue
        floors = {a: math.floor(quota[a]) for a in open_areas}
        left = remaining - sum(floors.values())
        order = sorted(open_areas, key=lambda a: (-(quota[a] - floors[a]), a))
        for a in order[:left]:
            floors[a] += 1
        for a in open_areas:
            alloc[a] = floors[a]
        remaining = 0
    return alloc


def stage_one_lottery(
    areas: pd.Series | list[str],
    *,
    n_letters: int,
    weights: dict[str, float] | None = None,
    seed: int | str = 0,
) -> StageOneLottery:
    """Choose which addresses get an invitation letter.

    Parameters
    ----------
    areas : sequence of str, length n_addresses
        The area of each address (one address = one household).
    n_letters : int, keyword-only
        How many letters to send.
    weights : dict of str to float, optional
        Per-area oversampling weights (for example from an index of
        deprivation or low turnout); ``2`` means "twice the letters per
        address". Missing areas get 1.
    seed : int or str, default 0
        Seed of the lottery; record it so the draw can be repeated.

    Returns
    -------
    StageOneLottery

    Notes
    -----
    Stratified simple random sampling without replacement: letters are
    allocated to areas by :func:`allocate_letters`, then ``k_a`` of the
    ``N_a`` addresses of area ``a`` are drawn uniformly without replacement
    (a random permutation from ``numpy.random.default_rng(seed)``), so every
    address of area ``a`` is invited with probability ``pi_a = k_a / N_a``
    (Cochran 1977, ch. 5). These stage-one probabilities are kept for the
    evaluation's weights.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. New York: Wiley.
    """
    values = [str(a) for a in areas]
    weights = dict(weights or {})
    for area, w in weights.items():
        if not (isinstance(w, (int, float)) and math.isfinite(w) and w > 0):
            raise InputError(f"weight of area {area!r} must be a positive number, not {w!r}")
    counts: dict[str, int] = {}
    for a in values:
        counts[a] = counts.get(a, 0) + 1
    if not isinstance(n_letters, (int, np.integer)) or isinstance(n_letters, bool):
        raise InputError(f"n_letters must be a whole number, not {n_letters!r}")
    if not 1 <= n_letters <= len(values):
        raise InputError(
            f"n_letters={n_letters} must be between 1 and the number of addresses ({len(values)})"
        )
    return _compute(values, counts, weights, int(n_letters), seed)


def _compute(values, counts, weights, n_letters, seed) -> StageOneLottery:
    """Trusts its input (see :func:`stage_one_lottery`)."""
    alloc = allocate_letters(counts, weights, n_letters)
    rng = np.random.default_rng(_seed_to_int(seed))
    positions: dict[str, list[int]] = {}
    for i, a in enumerate(values):
        positions.setdefault(a, []).append(i)
    invited: list[int] = []
    prob = np.zeros(len(values))
    # Areas in sorted order so the draw does not depend on file order of areas.
    for area in sorted(positions):
        rows = np.asarray(positions[area])
        chosen = rng.permutation(len(rows))[: alloc[area]]
        invited.extend(rows[chosen].tolist())
        prob[rows] = alloc[area] / len(rows)
    return StageOneLottery(
        invited=np.sort(np.asarray(invited, dtype=int)),
        inclusion_probability=prob,
        allocation=alloc,
        counts=counts,
        weights={a: float(weights.get(a, 1.0)) for a in counts},
        n_letters=n_letters,
        seed=seed,
    )


def _read_frame(data: bytes, name: str) -> pd.DataFrame:
    """Read CSV or XLSX bytes as strings; :class:`InputError` when unreadable."""
    lower = name.lower()
    try:
        if lower.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(data), dtype=str)
        else:
            text = data.decode("utf-8-sig")
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text; save it as CSV UTF-8", file=name) from None
    except Exception as exc:  # pandas raises many types for malformed files
        raise InputError(f"cannot read the file ({exc})", file=name) from None
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].astype(str).str.strip()
    return frame


def read_address_table(data: bytes, name: str, *, area_column: str = "area") -> pd.DataFrame:
    """Read an uploaded address file (CSV or XLSX) into ``address, street, postcode, area, row``.

    Required columns: ``address`` and the area column (default ``area``);
    optional ``street`` and ``postcode``. Column names are matched without
    regard to case. Each empty ``address`` or ``area`` cell is an
    :class:`~minipublic.errors.InputError` naming its row (header = row 1);
    the first bad row is reported. Duplicate addresses (after
    :func:`~minipublic.sortition.normalise_address`) are an error too: one
    household, one chance.
    """
    frame = _read_frame(data, name)
    lookup = {c.lower(): c for c in frame.columns}
    wanted = {"address": "address", "area": area_column.strip().lower()}
    for col in wanted.values():
        if col not in lookup:
            raise InputError(
                f"no {col!r} column; the columns are {', '.join(frame.columns) or 'none'}",
                file=name,
                column=col,
            )
    if frame.empty:
        raise InputError("the file has no rows of addresses", file=name)
    out = pd.DataFrame(
        {
            "address": frame[lookup["address"]],
            "street": frame[lookup["street"]] if "street" in lookup else "",
            "postcode": frame[lookup["postcode"]] if "postcode" in lookup else "",
            "area": frame[lookup[wanted["area"]]],
        }
    )
    out["row"] = np.arange(2, len(out) + 2)
    for key in ("address", "area"):
        empty = out.index[out[key] == ""]
        if len(empty):
            row = int(out.loc[empty[0], "row"])
            raise InputError(f"the {key} is empty", file=name, row=row, column=lookup[wanted[key]])
    out["household_key"] = [
        normalise_address(f"{a} {p}") for a, p in zip(out["address"], out["postcode"], strict=True)
    ]
    dup = out["household_key"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        first = out.index[out["household_key"] == out["household_key"].iloc[i]][0]
        raise InputError(
            f"address {out['address'].iloc[i]!r} is listed twice (also row "
            f"{int(out.loc[first, 'row'])})",
            file=name,
            row=int(out["row"].iloc[i]),
            column=lookup["address"],
        )
    out["street"] = [s or _street_of(a) for s, a in zip(out["street"], out["address"], strict=True)]
    return out.reset_index(drop=True)


def _street_of(address: str) -> str:
    """Guess the street from ``"12 High Street, Aberwen"``: the first part without the number."""
    first = address.split(",")[0].strip()
    parts = first.split(" ", 1)
    if len(parts) == 2 and any(ch.isdigit() for ch in parts[0]):
        return parts[1].strip()
    return first


def read_area_weights(data: bytes, name: str) -> dict[str, float]:
    """Read ``area, weight`` rows (CSV or XLSX); :class:`InputError` names a bad row.

    Weights must be positive numbers (for example an index of deprivation
    rescaled so that 1 means "proportional").
    """
    frame = _read_frame(data, name)
    lookup = {c.lower(): c for c in frame.columns}
    for col in ("area", "weight"):
        if col not in lookup:
            raise InputError(
                f"no {col!r} column; the columns are {', '.join(frame.columns) or 'none'}",
                file=name,
                column=col,
            )
    weights: dict[str, float] = {}
    for i, (area, raw) in enumerate(
        zip(frame[lookup["area"]], frame[lookup["weight"]], strict=True), start=2
    ):
        if not area:
            raise InputError("the area is empty", file=name, row=i, column=lookup["area"])
        try:
            w = float(raw)
        except ValueError:
            raise InputError(
                f"weight {raw!r} is not a number", file=name, row=i, column=lookup["weight"]
            ) from None
        if not (math.isfinite(w) and w > 0):
            raise InputError(
                f"weight {raw!r} must be more than 0", file=name, row=i, column=lookup["weight"]
            )
        if area in weights:
            raise InputError(f"area {area!r} is listed twice", file=name, row=i, column="area")
        weights[area] = w
    if not weights:
        raise InputError("the file has no rows", file=name)
    return weights
