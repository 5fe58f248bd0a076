"""Checked input of the table allocation: members, features and hard constraints.

:func:`build_problem` validates everything a user can get wrong and returns a
:class:`Problem` of plain arrays that the optimiser trusts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.errors import InfeasibleError, InputError

KINDS = ("diversify", "cluster", "ignore")
_TRUE = {"1", "true", "yes", "y", "t", "x"}
_FALSE = {"", "0", "false", "no", "n", "f"}
# Numeric columns with more distinct values than this are cut into quantile bands.
_MAX_NUMERIC_LEVELS = 6
_NUMERIC_BANDS = 4


@dataclass(frozen=True)
class Mix:
    """How one feature is treated when tables are formed.

    Parameters
    ----------
    kind : {"diversify", "cluster", "ignore"}
        ``diversify``: spread each value over the tables in proportion to its
        share of the members; ``cluster``: seat members with the same non-empty
        value together as far as table sizes allow (e.g. sign-language users);
        ``ignore``: the feature plays no part.
    weight : float, default 1.0
        Relative importance of this feature against the other features and
        against repeat meetings (with weight 1, one member too many of a
        value at one table costs about half a repeat meeting; see
        :func:`assign_tables`).
    """

    kind: str
    weight: float = 1.0


@dataclass(frozen=True)
class Feature:
    """One mixed feature after coding: its categories and their columns in ``Problem.F``."""

    name: str
    kind: str
    weight: float
    labels: tuple[str, ...]
    codes: np.ndarray  # (N,) int, index into labels, -1 = blank (cluster only)
    start: int  # first column of this feature in F


@dataclass
class Problem:
    """Validated arrays: everything indexed by member position 0..N-1, table 0..T-1, round 0..R-1."""

    ids: list[str]
    tables: int
    rounds: int
    features: list[Feature]
    F: np.ndarray  # (N, K) one-hot of the diversify/cluster categories
    w: np.ndarray  # (K,) weight per column: > 0 diversify, < 0 cluster
    groups: list[np.ndarray]  # member positions of each "together" group (size >= 2)
    group_of: np.ndarray  # (N,) group index or -1
    group_names: list[str]
    allowed: np.ndarray  # (R, N, T) bool: member may sit at table in round
    fixed: np.ndarray  # (R, N) table pinned by hand, or -1
    apart: np.ndarray  # (N, N) bool
    apart_pairs: list[tuple[str, str]]
    needs_access: np.ndarray  # (N,) bool
    accessible: np.ndarray  # (T,) bool
    facilitators: dict[str, int]  # id -> 0-based table
    source: str


def parse_bool(value: object, *, file: str, row: int, column: str) -> bool:
    """Read yes/no, true/false, 1/0, y/n, x or blank; anything else is an error."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = text.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(
        f"{value!r} is not yes/no (use yes, no, true, false, 1, 0 or leave blank)",
        file=file,
        row=row,
        column=column,
    )


def _code_feature(values: pd.Series, name: str, kind: str, weight: float) -> tuple:
    text = values.fillna("").astype(str).str.strip()
    nonblank = text[text != ""]
    numeric = pd.to_numeric(nonblank, errors="coerce")
    if (
        kind == "diversify"
        and len(nonblank)
        and numeric.notna().all()
        and numeric.nunique() > _MAX_NUMERIC_LEVELS
    ):
        # Quantile bands (by rank so ties fall in one band), labelled by their range.
        bands = pd.qcut(numeric.rank(method="min"), _NUMERIC_BANDS, labels=False, duplicates="drop")
        labels = []
        codes = np.full(len(text), -1, dtype=np.int64)
        for b in sorted(bands.unique()):
            members = numeric[bands == b]
            lo, hi = members.min(), members.max()
            labels.append(f"{lo:g}-{hi:g}")
            codes[np.flatnonzero((text != "").to_numpy())[(bands == b).to_numpy()]] = (
                len(labels) - 1
            )
        if (text == "").any():
            labels.append("(blank)")
            codes[(text == "").to_numpy()] = len(labels) - 1
        return tuple(labels), codes
    if kind == "diversify":
        labels = tuple(sorted(text.unique(), key=lambda v: (v == "", v)))
        lookup = {v: i for i, v in enumerate(labels)}
        codes = text.map(lookup).to_numpy(dtype=np.int64)
        labels = tuple(v if v else "(blank)" for v in labels)
        return labels, codes
    # cluster: blank cells belong to no cluster.
    labels = tuple(sorted(nonblank.unique()))
    lookup = {v: i for i, v in enumerate(labels)}
    codes = text.map(lambda v: lookup.get(v, -1)).to_numpy(dtype=np.int64)
    return labels, codes


def sizes_for(n: int, tables: int) -> tuple[int, int]:
    """``(q, extra)``: every table seats q or q+1 members, exactly ``extra`` seat q+1."""
    return n // tables, n % tables


def build_problem(
    members: pd.DataFrame,
    *,
    tables: int,
    rounds: int,
    mix: Mapping[str, str | Mix],
    together: str | None,
    needs_access: str | None,
    accessible_tables: Collection[int],
    apart: Iterable[tuple[str, str]],
    pinned: Mapping[tuple[int, str], int],
    facilitators: Mapping[str, int],
) -> Problem:
    """Validate the inputs of :func:`assign_tables`; raise :class:`InputError` naming the fault."""
    source = str(members.attrs.get("source", "members")) if members is not None else "members"
    if not isinstance(members, pd.DataFrame) or len(members) == 0:
        raise InputError("no members (the table is empty)", file=source)
    if "id" not in members.columns:
        raise InputError("no 'id' column", file=source, row=1, column="id")
    ids = [("" if pd.isna(v) else str(v)).strip() for v in members["id"]]
    seen: dict[str, int] = {}
    for i, v in enumerate(ids):
        if not v:
            raise InputError("empty id", file=source, row=i + 2, column="id")
        if v in seen:
            raise InputError(
                f"duplicate id {v!r} (rows {seen[v] + 2} and {i + 2})",
                file=source,
                row=i + 2,
                column="id",
            )
        seen[v] = i
    n = len(ids)
    if not isinstance(tables, (int, np.integer)) or tables < 1:
        raise InputError(
            f"the number of tables must be at least 1, not {tables!r}", column="tables"
        )
    if tables > n:
        raise InputError(
            f"{tables} tables for {n} members: some tables would be empty", column="tables"
        )
    if not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise InputError(
            f"the number of rounds must be at least 1, not {rounds!r}", column="rounds"
        )
    tables, rounds = int(tables), int(rounds)

    features: list[Feature] = []
    blocks, weights, start = [], [], 0
    for name, spec in dict(mix).items():
        m = Mix(spec) if isinstance(spec, str) else spec
        if not isinstance(m, Mix) or m.kind not in KINDS:
            kind = getattr(m, "kind", m)
            raise InputError(
                f"feature {name!r}: {kind!r} is not one of diversify, cluster, ignore", column=name
            )
        if not (np.isfinite(m.weight) and m.weight >= 0):
            raise InputError(
                f"feature {name!r}: weight {m.weight!r} must be 0 or more", column=name
            )
        if name not in members.columns:
            raise InputError(
                f"no column {name!r} to mix (columns: {', '.join(map(str, members.columns))})",
                file=source,
                row=1,
                column=name,
            )
        if m.kind == "ignore" or m.weight == 0:
            continue
        labels, codes = _code_feature(members[name].reset_index(drop=True), name, m.kind, m.weight)
        if not labels:
            continue
        onehot = np.zeros((n, len(labels)))
        has = codes >= 0
        onehot[np.flatnonzero(has), codes[has]] = 1.0
        features.append(Feature(name, m.kind, float(m.weight), labels, codes, start))
        blocks.append(onehot)
        sign = 1.0 if m.kind == "diversify" else -1.0
        weights.append(np.full(len(labels), sign * m.weight))
        start += len(labels)
    F = np.hstack(blocks) if blocks else np.zeros((n, 0))
    w = np.concatenate(weights) if weights else np.zeros(0)

    # Together groups (language / interpreter).
    group_of = np.full(n, -1, dtype=np.int64)
    groups: list[np.ndarray] = []
    group_names: list[str] = []
    if together:
        if together not in members.columns:
            raise InputError(f"no column {together!r}", file=source, row=1, column=together)
        vals = members[together].fillna("").astype(str).str.strip().to_numpy()
        for value in sorted(set(vals) - {""}):
            pos = np.flatnonzero(vals == value)
            if len(pos) >= 2:
                group_of[pos] = len(groups)
                groups.append(pos)
                group_names.append(value)

    # Accessible tables.
    accessible = np.zeros(tables, dtype=bool)
    for t in accessible_tables:
        if not isinstance(t, (int, np.integer)) or not 1 <= t <= tables:
            raise InputError(
                f"accessible table {t!r} is not a table number from 1 to {tables}",
                column="accessible_tables",
            )
        accessible[int(t) - 1] = True
    if not accessible.any():
        accessible[:] = True
    need = np.zeros(n, dtype=bool)
    if needs_access:
        if needs_access not in members.columns:
            raise InputError(f"no column {needs_access!r}", file=source, row=1, column=needs_access)
        for i, v in enumerate(members[needs_access].tolist()):
            need[i] = parse_bool(v, file=source, row=i + 2, column=needs_access)

    # Facilitators.
    fac: dict[str, int] = {}
    for fid, t in dict(facilitators).items():
        fid = str(fid).strip()
        if fid in seen:
            raise InputError(
                f"facilitator {fid!r} is also listed as a member", column="facilitators"
            )
        if not isinstance(t, (int, np.integer)) or not 1 <= t <= tables:
            raise InputError(
                f"facilitator {fid!r}: table {t!r} is not from 1 to {tables}", column="facilitators"
            )
        fac[fid] = int(t) - 1

    allowed = np.ones((rounds, n, tables), dtype=bool)
    allowed[:, need, :] &= accessible[None, None, :]

    # Apart pairs (a facilitator in a pair bars the member from that facilitator's table).
    apart_m = np.zeros((n, n), dtype=bool)
    pairs: list[tuple[str, str]] = []
    for k, pair in enumerate(apart):
        try:
            a, b = (str(x).strip() for x in pair)
        except (TypeError, ValueError):
            raise InputError(
                f"apart pair {k + 1} is not two ids: {pair!r}", column="apart"
            ) from None
        if a == b:
            raise InputError(f"apart pair {k + 1} names {a!r} twice", column="apart")
        for x in (a, b):
            if x not in seen and x not in fac:
                raise InputError(f"apart pair {k + 1}: unknown id {x!r}", column="apart")
        if a in fac and b in fac:
            if fac[a] == fac[b]:
                raise InfeasibleError(
                    f"facilitators {a!r} and {b!r} must sit apart but are both at table {fac[a] + 1}"
                )
            continue
        pairs.append((a, b))
        if a in fac or b in fac:
            f, m = (a, b) if a in fac else (b, a)
            allowed[:, seen[m], fac[f]] = False
            continue
        apart_m[seen[a], seen[b]] = apart_m[seen[b], seen[a]] = True

    fixed = np.full((rounds, n), -1, dtype=np.int64)
    for key, t in dict(pinned).items():
        try:
            r, pid = key
        except (TypeError, ValueError):
            raise InputError(f"pin {key!r} is not (round, id)", column="pinned") from None
        pid = str(pid).strip()
        if pid not in seen:
            raise InputError(f"pinned seat for unknown id {pid!r}", column="pinned")
        if not isinstance(r, (int, np.integer)) or not 1 <= r <= rounds:
            raise InputError(
                f"pinned seat of {pid!r}: round {r!r} is not from 1 to {rounds}", column="pinned"
            )
        if not isinstance(t, (int, np.integer)) or not 1 <= t <= tables:
            raise InputError(
                f"pinned seat of {pid!r}: table {t!r} is not from 1 to {tables}", column="pinned"
            )
        i, r, t = seen[pid], int(r) - 1, int(t) - 1
        if not allowed[r, i, t]:
            why = (
                "needs an accessible table"
                if need[i] and not accessible[t]
                else "must sit apart from that table's facilitator"
            )
            raise InfeasibleError(f"{pid!r} is pinned to table {t + 1} in round {r + 1} but {why}")
        fixed[r, i] = t
        allowed[r, i, :] = False
        allowed[r, i, t] = True

    prob = Problem(
        ids=ids,
        tables=tables,
        rounds=rounds,
        features=features,
        F=F,
        w=w,
        groups=groups,
        group_of=group_of,
        group_names=group_names,
        allowed=allowed,
        fixed=fixed,
        apart=apart_m,
        apart_pairs=pairs,
        needs_access=need,
        accessible=accessible,
        facilitators=fac,
        source=source,
    )
    check_obvious(prob, np.ones((rounds, n), dtype=bool))
    return prob


def check_obvious(prob: Problem, present: np.ndarray) -> None:
    """Raise :class:`InfeasibleError` for constraint clashes that can be named simply.

    ``present`` is (R, N) bool: who is seated in each round.
    """
    T = prob.tables
    for r in range(prob.rounds):
        here = present[r]
        q, extra = sizes_for(int(here.sum()), T)
        cap = q + (1 if extra else 0)
        allowed = prob.allowed[r] & here[:, None]
        for g, pos in enumerate(prob.groups):
            pos = pos[here[pos]]
            name = prob.group_names[g]
            if len(pos) > cap:
                raise InfeasibleError(
                    f"round {r + 1}: the {together_label(name)} group has {len(pos)} members "
                    f"but tables seat at most {cap}"
                )
            common = allowed[pos].all(axis=0)
            if len(pos) and not common.any():
                raise InfeasibleError(
                    f"round {r + 1}: no table suits every member of the {together_label(name)} "
                    "group (pinned seats, accessible tables or facilitators clash)"
                )
            inside = prob.apart[np.ix_(pos, pos)]
            if inside.any():
                a, b = np.argwhere(inside)[0]
                raise InfeasibleError(
                    f"{prob.ids[pos[a]]!r} and {prob.ids[pos[b]]!r} must sit apart but are in the "
                    f"same {together_label(name)} group"
                )
        fixed = prob.fixed[r]
        for t in range(T):
            at = np.flatnonzero((fixed == t) & here)
            if len(at) > cap:
                raise InfeasibleError(
                    f"round {r + 1}: {len(at)} members are pinned to table {t + 1}, "
                    f"which seats at most {cap}"
                )
            clash = prob.apart[np.ix_(at, at)]
            if clash.any():
                a, b = np.argwhere(clash)[0]
                raise InfeasibleError(
                    f"round {r + 1}: {prob.ids[at[a]]!r} and {prob.ids[at[b]]!r} must sit apart "
                    f"but are both pinned to table {t + 1}"
                )
        need = prob.needs_access & here
        if prob.needs_access.any():
            n_acc = int(prob.accessible.sum())
            room = n_acc * q + min(extra, n_acc)
            if need.sum() > room:
                raise InfeasibleError(
                    f"round {r + 1}: {int(need.sum())} members need an accessible table but the "
                    f"{n_acc} accessible table(s) seat at most {room}"
                )


def together_label(name: str) -> str:
    return repr(name)


ProgressFn = Callable[[float, str], None]
