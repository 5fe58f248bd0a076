"""Meta-consensus measured by the Deliberative Reason Index (DRI).

Members rate a set of *considerations* (beliefs and values about the issue,
typically 20 to 50 statements on an agree/disagree scale) and rank a few
*options* (3 to 7 policy choices), usually before and after deliberation.
For every pair of members the DRI compares how much they agree on the
considerations with how much they agree on the options. A group reasons
together ("intersubjective consistency") when people who share premises also
share conclusions, and people who differ on premises differ on conclusions,
whatever the conclusions are. That is *meta-consensus*: agreement on what the
disagreement is about, not agreement on the answer.

For one stage (for example ``pre`` or ``post``) and every pair of members
``a``, ``b``:

- ``q`` = Spearman correlation of their consideration ratings;
- ``r`` = Spearman correlation of their option rankings (ties get average
  ranks);
- ``d = |r - q| / sqrt(2)``, the distance of the point ``(q, r)`` from the
  diagonal ``q = r``;
- group ``DRI = 2 * ((1 - mean d) - lambda) / (1 - lambda) - 1`` with
  ``lambda = 1 - sqrt(2) / 2``.

Since ``(1 - lambda) = sqrt(2)/2``, the formula simplifies to
``DRI = 1 - 2 * mean |r - q|``, which is how to check a value by hand.
A member's own DRI is the same formula over the pairs that include them.
Every pair on the diagonal gives 1; the value falls as pairs move away from
it (to -3 when every pair sits at a far corner, ``q = -r = ±1``).

A pair in which one member gave every consideration the same rating (or every
option the same rank) has no correlation: it is left out and counted
(``n_pairs_dropped``).

Random answers can give a positive DRI (Warden, undated, shows this), so each
stage also gets a permutation p-value for "DRI above chance", and two stages
a p-value for "post - pre above chance"; see
:func:`deliberative_reason_index` for exactly how the null distributions are
drawn.

References
----------
.. [1] Niemeyer, S. & Veri, F. (2022). "The Deliberative Reason Index". In
   S. A. Ercan, H. Asenbaum, N. Curato & R. F. Mendonça (eds.), *Research
   Methods in Deliberative Democracy*. Oxford University Press.
.. [2] Niemeyer, S., Veri, F., Dryzek, J. S. & Bächtiger, A. (2024). "How
   Deliberation Happens: Enabling Deliberative Reason". *American Political
   Science Review* 118(1). doi:10.1017/S0003055423000023
.. [3] Phipson, B. & Smyth, G. K. (2010). "Permutation p-values should never
   be zero". *Statistical Applications in Genetics and Molecular Biology*
   9(1), article 39.
.. [4] Warden, J. (undated). "A validity test of the Deliberative Reason Index
   using randomized input". Technical note, social-protocols/dri-in-polis.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from minipublic.errors import InputError, csv_parse_error

__all__ = [
    "LAMBDA",
    "DRIResult",
    "consistency_svg",
    "deliberative_reason_index",
    "dri_from_correlations",
    "read_considerations",
    "read_preferences",
]

#: ``lambda = 1 - sqrt(2)/2`` in the DRI formula (Niemeyer & Veri 2022).
LAMBDA = 1.0 - math.sqrt(2.0) / 2.0
_SQRT2 = math.sqrt(2.0)

_CONSIDERATION_COLUMNS = ("participant", "stage", "consideration", "rating")
_PREFERENCE_COLUMNS = ("participant", "stage", "option", "rank")
# Memory cap for one batch of permutations (number of float64 cells).
_BATCH_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class DRIResult:
    """Deliberative Reason Index of each stage, each member and each pair.

    Attributes
    ----------
    stages : DataFrame
        One row per stage in stage order: ``stage``, ``dri``,
        ``n_participants``, ``n_pairs`` (pairs used), ``n_pairs_dropped``
        (pairs with an undefined correlation), ``p_value`` (permutation
        p-value for "DRI above chance"; NaN with no permutations or no pairs).
    individual : DataFrame
        ``participant``, ``stage``, ``dri``: each member's DRI over the pairs
        that include them (NaN when all their pairs were dropped).
    pairs : DataFrame
        ``stage``, ``a``, ``b``, ``q``, ``r``, ``d`` for every pair used
        (dropped pairs are not listed), ``a`` before ``b`` in order of first
        appearance.
    change_p_value : float or None
        Permutation p-value for "post - pre above chance"; None unless there
        are exactly two stages that can be compared (same considerations and
        options, at least two members who answered both) and permutations > 0.
    seed : int
        Seed of the permutations.
    permutations : int
        Number of permutations drawn for each p-value.
    method : str
        How the numbers were computed, in words, to store beside them.
    change : float or None
        ``dri[post] - dri[pre]`` from :attr:`stages` when there are exactly two
        stages, else None.
    change_stages : tuple of (str, str) or None
        ``(pre, post)``: which stage counts as before and which as after.
    """

    stages: pd.DataFrame
    individual: pd.DataFrame
    pairs: pd.DataFrame
    change_p_value: float | None
    seed: int
    permutations: int
    method: str
    change: float | None = None
    change_stages: tuple[str, str] | None = None


# ---------------------------------------------------------------------------
# formula


def dri_from_correlations(q, r) -> float:
    """DRI of a set of pairs given their ``q`` and ``r`` correlations.

    Parameters
    ----------
    q, r : array_like of float, shape (n_pairs,)
        Correlation of each pair's consideration ratings and of their option
        rankings, each in [-1, 1].

    Returns
    -------
    float
        ``2 * ((1 - mean d) - LAMBDA) / (1 - LAMBDA) - 1`` with
        ``d = |r - q| / sqrt(2)``; NaN for no pairs.

    Examples
    --------
    >>> dri_from_correlations([0.5, -0.2], [0.5, -0.2])
    1.0
    >>> round(dri_from_correlations([1.0], [0.0]), 6)
    -1.0
    """
    q = np.asarray(q, dtype=float)
    r = np.asarray(r, dtype=float)
    if q.size == 0:
        return float("nan")
    return float(_dri_from_mean_d(np.mean(np.abs(r - q)) / _SQRT2))


def _dri_from_mean_d(mean_d):
    return 2.0 * ((1.0 - mean_d) - LAMBDA) / (1.0 - LAMBDA) - 1.0


# ---------------------------------------------------------------------------
# input


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except FileNotFoundError as exc:
        raise InputError("file not found", file=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a CSV file", file=str(path)) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise csv_parse_error(exc, file=str(path)) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError("the file is empty", file=str(path)) from exc


def _clean(frame, columns: tuple[str, ...], file: str) -> pd.DataFrame:
    """Check one long table and return it with stripped labels and float values.

    Row numbers are as a spreadsheet shows them (header = row 1), so position
    ``i`` of the table is row ``i + 2``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError("must be a table (pandas DataFrame)", file=file)
    frame = frame.rename(columns=lambda c: str(c).strip())
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}; the columns must be {','.join(columns)}",
            file=file,
            row=1,
            column=missing[0],
        )
    *labels, value = columns
    out = pd.DataFrame(index=range(len(frame)))
    for column in labels:
        cells = frame[column].reset_index(drop=True)
        if not pd.api.types.is_numeric_dtype(cells):
            cells = cells.map(lambda v: v.strip() if isinstance(v, str) else v)
        empty = cells.isna() | cells.map(lambda v: isinstance(v, str) and v == "")
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError("empty value", file=file, row=i + 2, column=column)
        out[column] = cells.astype(str) if column == "stage" else cells
    raw = frame[value].reset_index(drop=True)
    text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = raw.iloc[i]
        what = "empty" if isinstance(shown, str) and shown.strip() == "" else f"{shown!r}"
        raise InputError(f"{value} {what} is not a number", file=file, row=i + 2, column=value)
    out[value] = numbers.to_numpy()
    dup = out.duplicated(subset=labels, keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        first = rows[0]
        key = tuple(out.loc[first, labels])
        second = next(j for j in rows[1:] if tuple(out.loc[j, labels]) == key)
        raise InputError(
            f"participant {key[0]!r} has two rows for {labels[2]} {key[2]!r} in stage "
            f"{key[1]!r} (the other is row {first + 2})",
            file=file,
            row=int(second) + 2,
            column=labels[2],
        )
    return out


def read_considerations(path: str | Path) -> pd.DataFrame:
    """Read and check ``participant,stage,consideration,rating`` from a CSV file.

    Parameters
    ----------
    path : str or Path
        CSV with a header row; other columns are ignored. ``rating`` is any
        number (for example 1 to 11, strongly disagree to strongly agree).

    Returns
    -------
    DataFrame
        Columns ``participant``, ``stage``, ``consideration`` (text, stripped)
        and ``rating`` (float).

    Raises
    ------
    InputError
        Naming the file, row and column of the first problem.
    """
    path = Path(path)
    return _clean(_read_csv(path), _CONSIDERATION_COLUMNS, str(path))


def read_preferences(path: str | Path) -> pd.DataFrame:
    """Read and check ``participant,stage,option,rank`` from a CSV file.

    ``rank`` 1 is the member's first choice; equal ranks are ties (they get
    average ranks in the correlation). See :func:`read_considerations`.
    """
    path = Path(path)
    return _clean(_read_csv(path), _PREFERENCE_COLUMNS, str(path))


def _stage_order(stages: list[str]) -> list[str]:
    lowered = [s.strip().lower() for s in stages]
    if sorted(lowered) == ["post", "pre"]:
        return [stages[lowered.index("pre")], stages[lowered.index("post")]]
    return stages


def _grid(frame: pd.DataFrame, item: str, value: str, stage: str, file: str):
    """Members x items matrix of one stage; every member must answer every item."""
    part = frame[frame["stage"] == stage]
    members = list(dict.fromkeys(part["participant"]))
    items = list(dict.fromkeys(part[item]))
    table = part.pivot(index="participant", columns=item, values=value)
    table = table.reindex(index=members, columns=items)
    holes = table.isna().to_numpy()
    if holes.any():
        i, j = np.argwhere(holes)[0]
        raise InputError(
            f"participant {members[i]!r} has no {value} for {item} {items[j]!r} in stage "
            f"{stage!r}; every member of a stage must answer every {item} of that stage",
            file=file,
            column=item,
        )
    return members, items, table.to_numpy(dtype=float)


def _standardised_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows turned into centred, unit-length average ranks, and which rows vary.

    The dot product of two such rows is their Spearman correlation (Pearson
    correlation of average ranks). A row with one value throughout has no
    correlation with anything: it is returned as zeros and flagged False.
    """
    from scipy.stats import rankdata

    ranks = rankdata(values, method="average", axis=1)
    centred = ranks - ranks.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred * centred).sum(axis=1))
    varies = norm > 1e-12
    z = np.zeros_like(centred)
    z[varies] = centred[varies] / norm[varies, None]
    return z, varies


@dataclass
class _Stage:
    name: str
    members: list
    considerations: list
    options: list
    zc: np.ndarray  # members x considerations, standardised ranks
    zo: np.ndarray  # members x options
    valid: np.ndarray  # member has a defined correlation on both


def _prepare(considerations, preferences, files) -> list[_Stage]:
    cons = _clean(considerations, _CONSIDERATION_COLUMNS, files[0])
    prefs = _clean(preferences, _PREFERENCE_COLUMNS, files[1])
    if cons.empty:
        raise InputError("no ratings", file=files[0], row=2)
    cons_stages = list(dict.fromkeys(cons["stage"]))
    pref_stages = list(dict.fromkeys(prefs["stage"]))
    for stage in pref_stages:
        if stage not in cons_stages:
            raise InputError(
                f"stage {stage!r} has option rankings but no consideration ratings",
                file=files[1],
                row=int(np.flatnonzero((prefs["stage"] == stage).to_numpy())[0]) + 2,
                column="stage",
            )
    for stage in cons_stages:
        if stage not in pref_stages:
            raise InputError(
                f"stage {stage!r} has consideration ratings but no option rankings",
                file=files[0],
                row=int(np.flatnonzero((cons["stage"] == stage).to_numpy())[0]) + 2,
                column="stage",
            )
    stages = []
    for stage in _stage_order(cons_stages):
        members, c_items, c_values = _grid(cons, "consideration", "rating", stage, files[0])
        p_members, o_items, o_values = _grid(prefs, "option", "rank", stage, files[1])
        for who, here, there, file in (
            (members, set(p_members), "option rankings", files[1]),
            (p_members, set(members), "consideration ratings", files[0]),
        ):
            for member in who:
                if member not in here:
                    raise InputError(
                        f"participant {member!r} has no {there} in stage {stage!r}",
                        file=file,
                        column="participant",
                    )
        for items, what, file in (
            (c_items, "considerations", files[0]),
            (o_items, "options", files[1]),
        ):
            if len(items) < 3:
                raise InputError(
                    f"stage {stage!r} has {len(items)} {what}; the DRI needs at least 3",
                    file=file,
                    column=what[:-1],
                )
        order = {m: i for i, m in enumerate(p_members)}
        o_values = o_values[[order[m] for m in members]]
        zc, vc = _standardised_ranks(c_values)
        zo, vo = _standardised_ranks(o_values)
        stages.append(_Stage(stage, members, c_items, o_items, zc, zo, vc & vo))
    return stages


# ---------------------------------------------------------------------------
# computation


def _pair_values(stage: _Stage):
    n = len(stage.members)
    iu, ju = np.triu_indices(n, 1)
    q = np.clip((stage.zc @ stage.zc.T)[iu, ju], -1.0, 1.0)
    r = np.clip((stage.zo @ stage.zo.T)[iu, ju], -1.0, 1.0)
    used = stage.valid[iu] & stage.valid[ju]
    return iu[used], ju[used], q[used], r[used], int((~used).sum())


def _p_value(observed: float, null: np.ndarray) -> float:
    # Phipson & Smyth (2010): count the observed labelling itself; a small
    # tolerance so a permutation that reproduces the data counts as a tie.
    null = null[np.isfinite(null)]
    if not np.isfinite(observed) or null.size == 0:
        return float("nan")
    return float((1 + np.sum(null >= observed - 1e-12)) / (null.size + 1))


def _stage_null(stage: _Stage, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """DRI of the stage with each member's consideration ratings shuffled.

    Each member's ratings are permuted across the considerations on their own
    (independently of every other member and of the options); the option
    rankings are kept. Shuffling a member's ratings shuffles their average
    ranks in the same way, so the standardised ranks are permuted directly.
    """
    iu, ju, _, r, _ = _pair_values(stage)
    n, m = stage.zc.shape
    out = np.empty(permutations)
    if iu.size == 0:
        out.fill(np.nan)
        return out
    batch = max(1, _BATCH_CELLS // (n * n + n * m))
    for start in range(0, permutations, batch):
        b = min(batch, permutations - start)
        index = rng.permuted(np.broadcast_to(np.arange(m), (b, n, m)), axis=2)
        z = np.take_along_axis(np.broadcast_to(stage.zc, (b, n, m)), index, axis=2)
        q = np.clip((z @ z.transpose(0, 2, 1))[:, iu, ju], -1.0, 1.0)
        out[start : start + b] = _dri_from_mean_d(np.abs(r - q).mean(axis=1) / _SQRT2)
    return out


def _change_setup(pre: _Stage, post: _Stage):
    """Aligned arrays of the members who answered both stages, or a reason why not."""
    if set(pre.considerations) != set(post.considerations) or set(pre.options) != set(post.options):
        return None, "the two stages do not use the same considerations and options"
    both = [m for m in pre.members if m in set(post.members)]
    if len(both) < 2:
        return None, "fewer than two members answered both stages"
    a = {m: i for i, m in enumerate(pre.members)}
    b = {m: i for i, m in enumerate(post.members)}
    ia = [a[m] for m in both]
    ib = [b[m] for m in both]
    ca = [post.considerations.index(c) for c in pre.considerations]
    oa = [post.options.index(o) for o in pre.options]
    arrays = (
        pre.zc[ia],
        post.zc[ib][:, ca],
        pre.zo[ia],
        post.zo[ib][:, oa],
        pre.valid[ia],
        post.valid[ib],
    )
    return arrays, len(both)


def _change_statistics(arrays, swaps: np.ndarray) -> np.ndarray:
    """``DRI(post) - DRI(pre)`` for each row of ``swaps`` (True = member's stages swapped)."""
    zc_pre, zc_post, zo_pre, zo_post, v_pre, v_post = arrays
    n = zc_pre.shape[0]
    iu, ju = np.triu_indices(n, 1)
    s = swaps[:, :, None]
    result = []
    # First the answers labelled "pre" after the swaps, then those labelled "post".
    for c_own, c_other, o_own, o_other, v_own, v_other in (
        (zc_pre, zc_post, zo_pre, zo_post, v_pre, v_post),
        (zc_post, zc_pre, zo_post, zo_pre, v_post, v_pre),
    ):
        zc = np.where(s, c_other, c_own)
        zo = np.where(s, o_other, o_own)
        valid = np.where(swaps, v_other, v_own)
        q = np.clip((zc @ zc.transpose(0, 2, 1))[:, iu, ju], -1.0, 1.0)
        r = np.clip((zo @ zo.transpose(0, 2, 1))[:, iu, ju], -1.0, 1.0)
        used = valid[:, iu] & valid[:, ju]
        count = used.sum(axis=1)
        total = (np.abs(r - q) * used).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_d = np.where(count > 0, total / np.maximum(count, 1), np.nan) / _SQRT2
        result.append(_dri_from_mean_d(mean_d))
    return result[1] - result[0]


def _change_null(arrays, permutations: int, rng: np.random.Generator):
    n, m = arrays[0].shape
    k = arrays[2].shape[1]
    observed = float(_change_statistics(arrays, np.zeros((1, n), dtype=bool))[0])
    out = np.empty(permutations)
    batch = max(1, _BATCH_CELLS // (2 * n * n + 2 * n * (m + k)))
    for start in range(0, permutations, batch):
        b = min(batch, permutations - start)
        swaps = rng.random((b, n)) < 0.5
        out[start : start + b] = _change_statistics(arrays, swaps)
    return observed, out


def deliberative_reason_index(
    considerations: pd.DataFrame,
    preferences: pd.DataFrame,
    *,
    permutations: int = 1000,
    seed: int = 0,
    files: tuple[str, str] = ("considerations", "preferences"),
) -> DRIResult:
    """Deliberative Reason Index of each stage and each member, with permutation p-values.

    Parameters
    ----------
    considerations : DataFrame
        Long table ``participant, stage, consideration, rating``: one row per
        member, stage and consideration. Every member of a stage rates every
        consideration of that stage. Other columns are ignored.
    preferences : DataFrame
        Long table ``participant, stage, option, rank`` (1 = first choice,
        equal ranks are ties); the same members and stages as
        ``considerations``; every member ranks every option of the stage.
    permutations : int, default 1000
        Random permutations drawn for each p-value (0 for none: p-values NaN
        and ``change_p_value`` None).
    seed : int, default 0
        Seed of the permutations; the same data, seed and number of
        permutations give the same p-values.
    files : tuple of (str, str), default ("considerations", "preferences")
        Names used in error messages (the CLI passes the file names). Row
        numbers in errors are as a spreadsheet shows the table: the header is
        row 1, the table's first row is row 2.

    Returns
    -------
    DRIResult

    Raises
    ------
    InputError
        Naming the file (or table), row and column of the first problem:
        missing column, empty label, rating or rank not a number, a duplicated
        answer, a member missing an answer, a stage with fewer than 3
        considerations or options.

    Notes
    -----
    Stages are ordered ``pre`` then ``post`` when they are named so (any
    letter case); otherwise in order of first appearance in
    ``considerations``. With two stages the first is "before" and the second
    "after".

    **DRI above chance (each stage).** The null hypothesis is that the link
    between what members think about the considerations and how they rank the
    options is arbitrary. Each of the ``permutations`` draws shuffles every
    member's ratings across the considerations, independently for each member,
    keeps the option rankings, and recomputes the group DRI over the same
    pairs. ``p = (1 + #{null DRI >= observed DRI}) / (permutations + 1)``
    (Phipson & Smyth 2010), so p is never 0. This is the check Warden (undated)
    argues for: random or arbitrary answers can give DRI well above 0.

    **Change above chance (two stages).** The null hypothesis is that
    deliberation did not change the members' answers' consistency: a
    member's pre and post answers are exchangeable. Each draw swaps, for each
    member who answered both stages and independently with probability 1/2,
    that member's pre answers (ratings and ranking together) with their post
    answers, and recomputes ``DRI(post) - DRI(pre)`` over those members.
    ``change_p_value = (1 + #{null change >= observed change}) /
    (permutations + 1)``. This paired test was chosen over comparing two
    independently shuffled stages because it keeps each member's own answers
    intact and only questions *when* they were given, which is exactly the
    claim "post is higher than pre because of what happened in between". It
    needs the same considerations and options in both stages and at least two
    members in both; the test uses the members who answered both stages
    (``change`` itself is the difference of the two stage DRIs in
    :attr:`DRIResult.stages`, which uses every member of each stage).

    Permutations are drawn with NumPy's PCG64 from
    ``SeedSequence(seed).spawn(n_stages + 1)`` (one stream per stage, the
    last for the change test), in vectorised batches.

    References
    ----------
    .. [1] Niemeyer, S. & Veri, F. (2022). "The Deliberative Reason Index".
       In *Research Methods in Deliberative Democracy*, Oxford University
       Press.
    .. [2] Niemeyer, S., Veri, F., Dryzek, J. S. & Bächtiger, A. (2024). "How
       Deliberation Happens: Enabling Deliberative Reason". *American
       Political Science Review* 118(1).

    Examples
    --------
    >>> import pandas as pd
    >>> cons = pd.DataFrame(
    ...     [(p, "pre", c, v) for p, row in {"ann": [1, 2, 3, 4], "bob": [1, 2, 4, 3],
    ...      "cai": [4, 3, 2, 1]}.items() for c, v in zip("wxyz", row)],
    ...     columns=["participant", "stage", "consideration", "rating"])
    >>> prefs = pd.DataFrame(
    ...     [(p, "pre", o, v) for p, row in {"ann": [1, 2, 3], "bob": [1, 3, 2],
    ...      "cai": [3, 2, 1]}.items() for o, v in zip("ABC", row)],
    ...     columns=["participant", "stage", "option", "rank"])
    >>> result = deliberative_reason_index(cons, prefs, permutations=0)
    >>> round(float(result.stages.loc[0, "dri"]), 4)
    0.6
    """
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)):
        raise InputError(f"permutations must be a whole number, not {permutations!r}")
    if permutations < 0:
        raise InputError(f"permutations must be 0 or more, not {permutations}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be a whole number, not {seed!r}")
    if seed < 0:
        raise InputError(f"seed must be 0 or more, not {seed}")
    permutations = int(permutations)
    seed = int(seed)
    stages = _prepare(considerations, preferences, files)
    streams = [
        np.random.Generator(np.random.PCG64(s))
        for s in np.random.SeedSequence(seed).spawn(len(stages) + 1)
    ]

    stage_rows, individual_rows, pair_frames = [], [], []
    for stage, rng in zip(stages, streams, strict=False):
        iu, ju, q, r, dropped = _pair_values(stage)
        d = np.abs(r - q) / _SQRT2
        dri = float(_dri_from_mean_d(d.mean())) if d.size else float("nan")
        p_value = float("nan")
        if permutations and d.size:
            p_value = _p_value(dri, _stage_null(stage, permutations, rng))
        stage_rows.append(
            {
                "stage": stage.name,
                "dri": dri,
                "n_participants": len(stage.members),
                "n_pairs": int(d.size),
                "n_pairs_dropped": dropped,
                "p_value": p_value,
            }
        )
        n = len(stage.members)
        sums = np.bincount(iu, d, n) + np.bincount(ju, d, n)
        counts = np.bincount(iu, None, n) + np.bincount(ju, None, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            member_dri = np.where(counts > 0, _dri_from_mean_d(sums / counts), np.nan)
        individual_rows.append(
            pd.DataFrame({"participant": stage.members, "stage": stage.name, "dri": member_dri})
        )
        members = np.asarray(stage.members, dtype=object)
        pair_frames.append(
            pd.DataFrame(
                {"stage": stage.name, "a": members[iu], "b": members[ju], "q": q, "r": r, "d": d}
            )
        )

    stage_table = pd.DataFrame(
        stage_rows,
        columns=["stage", "dri", "n_participants", "n_pairs", "n_pairs_dropped", "p_value"],
    )
    method = (
        "Deliberative Reason Index (Niemeyer & Veri 2022; Niemeyer et al. 2024): Spearman "
        "correlations with average ranks for ties, d = |r - q|/sqrt(2), "
        "DRI = 2((1 - mean d) - lambda)/(1 - lambda) - 1 with lambda = 1 - sqrt(2)/2; "
        "pairs with an undefined correlation left out. "
        f"Stage p-values: {permutations} permutations shuffling each member's consideration "
        "ratings independently; p = (1 + #null >= observed)/(permutations + 1). "
    )
    change = change_p = change_stages = None
    if len(stages) == 2:
        pre, post = stages
        change_stages = (pre.name, post.name)
        change = float(stage_table.loc[1, "dri"] - stage_table.loc[0, "dri"])
        arrays, info = _change_setup(pre, post)
        if arrays is None:
            method += f"No change p-value: {info}."
        elif not permutations:
            method += "No change p-value: no permutations."
        else:
            observed, null = _change_null(arrays, permutations, streams[-1])
            change_p = _p_value(observed, null)
            method += (
                f"Change ({post.name} - {pre.name}) p-value: {permutations} permutations "
                f"swapping each of the {info} members' {pre.name} and {post.name} answers "
                "with probability 1/2."
            )
    else:
        method += f"No change p-value: {len(stages)} stage(s), a change needs exactly 2."
    return DRIResult(
        stages=stage_table,
        individual=pd.concat(individual_rows, ignore_index=True),
        pairs=pd.concat(pair_frames, ignore_index=True),
        change_p_value=change_p,
        seed=seed,
        permutations=permutations,
        method=method.strip(),
        change=change,
        change_stages=change_stages,
    )


# ---------------------------------------------------------------------------
# picture


def consistency_svg(result: DRIResult) -> str:
    """The intersubjective-consistency scatter of each stage as one SVG document.

    One panel per stage: each dot is a pair of members, ``q`` (agreement on
    considerations) across, ``r`` (agreement on options) up, both from -1 to
    1. Dots on the dashed diagonal are perfectly consistent pairs.
    """
    size, margin, top, gap = 300.0, 52.0, 56.0, 30.0
    stages = result.stages.to_dict("records")
    width = len(stages) * (size + margin + gap) + gap
    height = top + size + margin + 10
    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" font-family="sans-serif">',
        "<title>Intersubjective consistency: agreement on considerations (q) against "
        "agreement on options (r) for each pair of members</title>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    for k, row in enumerate(stages):
        x0 = gap + margin + k * (size + margin + gap)
        y0 = top

        def sx(v, x0=x0):
            return x0 + (v + 1.0) / 2.0 * size

        def sy(v, y0=y0):
            return y0 + (1.0 - v) / 2.0 * size

        left_out = f", {row['n_pairs_dropped']} left out" if row["n_pairs_dropped"] else ""
        dri = "no pairs" if not np.isfinite(row["dri"]) else f"DRI {row['dri']:.2f}"
        p = "" if not np.isfinite(row["p_value"]) else f", p = {row['p_value']:.3g}"
        parts.append(
            f'<text x="{x0 + size / 2:.1f}" y="22" text-anchor="middle" font-size="15" '
            f'font-weight="bold">{esc(str(row["stage"]))}: {dri}{p}</text>'
        )
        parts.append(
            f'<text x="{x0 + size / 2:.1f}" y="40" text-anchor="middle" font-size="11" '
            f'fill="#555">{row["n_participants"]} members, {row["n_pairs"]} pairs'
            f"{left_out}</text>"
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{size:.1f}" height="{size:.1f}" '
            'fill="none" stroke="#888"/>'
        )
        for t in (-1.0, -0.5, 0.0, 0.5, 1.0):
            parts.append(
                f'<line x1="{sx(t):.1f}" y1="{y0 + size:.1f}" x2="{sx(t):.1f}" '
                f'y2="{y0 + size + 4:.1f}" stroke="#888"/>'
                f'<text x="{sx(t):.1f}" y="{y0 + size + 16:.1f}" text-anchor="middle" '
                f'font-size="10">{t:g}</text>'
                f'<line x1="{x0 - 4:.1f}" y1="{sy(t):.1f}" x2="{x0:.1f}" y2="{sy(t):.1f}" '
                f'stroke="#888"/>'
                f'<text x="{x0 - 6:.1f}" y="{sy(t) + 3:.1f}" text-anchor="end" '
                f'font-size="10">{t:g}</text>'
            )
        parts.append(
            f'<line x1="{sx(0):.1f}" y1="{y0:.1f}" x2="{sx(0):.1f}" y2="{y0 + size:.1f}" '
            'stroke="#ddd"/>'
            f'<line x1="{x0:.1f}" y1="{sy(0):.1f}" x2="{x0 + size:.1f}" y2="{sy(0):.1f}" '
            'stroke="#ddd"/>'
            f'<line x1="{sx(-1):.1f}" y1="{sy(-1):.1f}" x2="{sx(1):.1f}" y2="{sy(1):.1f}" '
            'stroke="#c0392b" stroke-dasharray="5,4"/>'
        )
        parts.append(
            f'<text x="{x0 + size / 2:.1f}" y="{y0 + size + 34:.1f}" text-anchor="middle" '
            'font-size="12">agreement on considerations (q)</text>'
            f'<text transform="translate({x0 - 34:.1f},{y0 + size / 2:.1f}) rotate(-90)" '
            'text-anchor="middle" font-size="12">agreement on options (r)</text>'
        )
        pairs = result.pairs[result.pairs["stage"] == row["stage"]]
        dots = "".join(
            f'<circle cx="{sx(q):.1f}" cy="{sy(r):.1f}" r="2.5"/>'
            for q, r in zip(pairs["q"].to_numpy(), pairs["r"].to_numpy(), strict=True)
        )
        parts.append(f'<g fill="#1f77b4" fill-opacity="0.45">{dots}</g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
