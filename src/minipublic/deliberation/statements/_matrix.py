"""The participants x statements vote matrix, stored sparse.

Votes are agree ``1``, disagree ``-1`` and pass ``0``; a statement a
participant has not seen is simply absent. Passes are *stored* entries (a
pass is a vote, unseen is not), so the matrix keeps its own sparsity pattern
in ``indptr``/``indices`` and never relies on scipy to remember explicit zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from minipublic.errors import InputError

if TYPE_CHECKING:  # pandas and scipy are imported only where used: the CLI never needs them
    import pandas as pd
    import scipy.sparse as sp

__all__ = ["VoteMatrix", "build_vote_matrix"]

VOTE_COLUMNS = ("participant", "statement", "vote")


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Latest vote of each participant on each statement, in CSR form.

    Attributes
    ----------
    participants : ndarray of shape (n_participants,)
        Participant ids, in row order (sorted).
    statements : ndarray of shape (n_statements,)
        Statement ids, in column order (sorted); moderated-out statements
        are not columns.
    indptr, indices : ndarray
        CSR structure: the votes of row ``i`` are at
        ``indices[indptr[i]:indptr[i + 1]]``. Every stored entry is a vote.
    values : ndarray of int8
        ``1`` agree, ``-1`` disagree, ``0`` pass, aligned with ``indices``.
    """

    participants: np.ndarray
    statements: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_participants, n_statements)``."""
        return (len(self.participants), len(self.statements))

    @property
    def n_votes(self) -> int:
        """Number of stored votes (agree, disagree and pass)."""
        return int(len(self.values))

    @property
    def rows(self) -> np.ndarray:
        """Row index of every stored vote (COO form)."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def votes_per_participant(self) -> np.ndarray:
        """Number of votes (pass included) cast by each participant."""
        return np.diff(self.indptr)

    def csr(self, data: np.ndarray | None = None, dtype=np.float64) -> sp.csr_array:
        """The CSR array with ``data`` (default: the votes) on the vote pattern."""
        import scipy.sparse as sp

        if data is None:
            data = self.values
        return sp.csr_array(
            (np.asarray(data, dtype=dtype), self.indices, self.indptr), shape=self.shape
        )

    def indicator(self, vote: int | None = None) -> sp.csr_array:
        """0/1 CSR array: 1 where the participant voted ``vote`` (any vote if None)."""
        mask = np.ones(len(self.values)) if vote is None else (self.values == vote)
        return self.csr(mask.astype(np.float64))

    def to_frame(self) -> pd.DataFrame:
        """Long table ``participant, statement, vote`` of the stored votes."""
        import pandas as pd

        return pd.DataFrame(
            {
                "participant": self.participants[self.rows],
                "statement": self.statements[self.indices],
                "vote": self.values.astype(int),
            }
        )

    def to_dense(self) -> np.ndarray:
        """Dense float matrix with NaN where unseen (for small cases and tests)."""
        out = np.full(self.shape, np.nan)
        out[self.rows, self.indices] = self.values
        return out


def _sorted_ids(ids: Iterable) -> np.ndarray:
    """Unique ids, sorted numerically when all are whole numbers, else as text."""
    import pandas as pd

    if isinstance(ids, pd.Series) and pd.api.types.is_integer_dtype(ids.dtype):
        # Hash-based unique first, then sort only the (few) distinct ids.
        return np.sort(pd.unique(ids.to_numpy(np.int64)))
    series = pd.Series(list(ids), dtype=object)
    numeric = pd.to_numeric(series, errors="coerce")
    if len(series) and numeric.notna().all() and (numeric == np.round(numeric)).all():
        return np.unique(numeric.to_numpy(np.int64))
    return np.array(sorted(set(series.astype(str))), dtype=object)


def _normalise_ids(column: pd.Series, ids: np.ndarray) -> pd.Series:
    import pandas as pd

    if ids.dtype == object:
        return column.astype(str)
    if pd.api.types.is_integer_dtype(column.dtype):
        return column.astype(np.int64)
    return pd.to_numeric(column).astype(np.int64)


def _codes(ids: np.ndarray, column: pd.Series) -> np.ndarray:
    """Position of each value of ``column`` in the sorted ``ids``, which hold them all.

    Whole-number ids in a compact range (the usual 0, 1, 2, ...) go through a
    lookup table, several times faster than a binary search per vote.
    """
    values = _normalise_ids(column, ids)
    if ids.dtype != object:
        return _int_codes(ids, values.to_numpy(np.int64))
    return np.searchsorted(ids, values)


def _int_codes(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``_codes`` for whole-number ids and values (int64 arrays)."""
    if len(ids):
        lo, span = int(ids[0]), int(ids[-1]) - int(ids[0]) + 1
        if span <= 4 * len(ids) + 1024:
            table = np.empty(span, dtype=np.intp)
            table[ids - lo] = np.arange(len(ids))
            return table[values - lo]
    return np.searchsorted(ids, values)


def build_vote_matrix(
    votes: pd.DataFrame,
    *,
    exclude_statements: Sequence | None = None,
    statements: Sequence | None = None,
    file: str | None = None,
) -> VoteMatrix:
    """Build the sparse vote matrix from a long table of votes.

    Parameters
    ----------
    votes : DataFrame
        Columns ``participant``, ``statement``, ``vote`` (1 agree, -1 disagree,
        0 pass) and optionally ``timestamp``. When a participant voted on a
        statement more than once, the latest vote wins: the largest timestamp,
        or the last row when there are no timestamps.
    exclude_statements : sequence, optional
        Moderated-out statement ids: their votes are dropped and they are not
        columns.
    statements : sequence, optional
        Statement ids to keep as columns even when no one has voted on them yet
        (new statements still need a routing priority).
    file : str, optional
        Name used in error messages.

    Returns
    -------
    VoteMatrix

    Raises
    ------
    InputError
        A missing column or a vote that is not -1, 0 or 1 (row numbers count
        the header as row 1, as in a spreadsheet).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"participant": [1, 1, 2], "statement": [10, 10, 11],
    ...                   "vote": [1, -1, 0], "timestamp": [1, 2, 3]})
    >>> m = build_vote_matrix(v)
    >>> m.to_dense().tolist()
    [[-1.0, nan], [nan, 0.0]]
    """
    import pandas as pd

    missing = [c for c in VOTE_COLUMNS if c not in votes.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=file, row=1)
    frame = votes.reset_index(drop=True)
    for column in VOTE_COLUMNS:
        bad = frame[column].isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError("empty value", file=file, row=row + 2, column=column)
    vote = pd.to_numeric(frame["vote"], errors="coerce")
    bad = ~vote.isin([-1, 0, 1])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"vote {frame['vote'].iloc[row]!r} is not 1 (agree), -1 (disagree) or 0 (pass)",
            file=file,
            row=row + 2,
            column="vote",
        )
    timestamps = None
    if "timestamp" in frame.columns:
        ts = pd.to_numeric(frame["timestamp"], errors="coerce")
        if ts.isna().any():
            row = int(np.flatnonzero(ts.isna().to_numpy())[0])
            raise InputError(
                f"timestamp {frame['timestamp'].iloc[row]!r} is not a number",
                file=file,
                row=row + 2,
                column="timestamp",
            )
        timestamps = ts.to_numpy()
    participants = _sorted_ids(frame["participant"])
    stmt_pool = frame["statement"]
    if statements is not None:
        stmt_pool = pd.concat([stmt_pool, pd.Series(list(statements))], ignore_index=True)
    statement_ids = _sorted_ids(stmt_pool) if len(stmt_pool) else np.array([], dtype=np.int64)
    rows = _codes(participants, frame["participant"])
    cols = _codes(statement_ids, frame["statement"])
    values = vote.to_numpy(np.int8)
    if exclude_statements is not None and len(exclude_statements):
        excl = _normalise_ids(pd.Series(list(exclude_statements)), statement_ids).to_numpy()
        pos = np.searchsorted(statement_ids, excl).clip(0, max(len(statement_ids) - 1, 0))
        hidden = np.zeros(len(statement_ids), dtype=bool)
        if len(statement_ids):
            hidden[pos[statement_ids[pos] == excl]] = True
        keep = ~hidden[cols]
        rows, cols, values = rows[keep], cols[keep], values[keep]
        if timestamps is not None:
            timestamps = timestamps[keep]
        # Renumber the columns that stay, and drop participants left without votes.
        cols = (np.cumsum(~hidden) - 1)[cols]
        statement_ids = statement_ids[~hidden]
        voted = np.bincount(rows, minlength=len(participants)) > 0
        rows = (np.cumsum(voted) - 1)[rows]
        participants = participants[voted]
    return _from_codes(participants, statement_ids, rows, cols, values, timestamps)


def _from_codes(
    participants: np.ndarray,
    statements: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    timestamps: np.ndarray | None = None,
) -> VoteMatrix:
    """Assemble a VoteMatrix from (row, col, value) triples; the latest vote wins.

    The latest is the largest timestamp, and among equal timestamps (or
    without them) the last in input order. Assumes ids are sorted and codes
    are valid indices.
    """
    n_cols = max(len(statements), 1)
    key = rows.astype(np.int64) * n_cols + cols.astype(np.int64)
    # A stable sort keeps input order within a cell; the last of each run wins.
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    if timestamps is not None and len(order) > 1:
        # Cells voted on more than once (few): the latest time wins, ties by input order.
        first = np.ones(len(order), dtype=bool)
        first[1:] = sorted_key[1:] != sorted_key[:-1]
        repeated = ~(first & last)
        if repeated.any():
            idx = order[repeated]
            chosen = idx[np.lexsort((idx, timestamps[idx], key[idx]))]
            latest = np.ones(len(chosen), dtype=bool)
            latest[:-1] = key[chosen][1:] != key[chosen][:-1]
            order = order.copy()
            order[np.flatnonzero(last & repeated)] = chosen[latest]
    keep = order[last]
    rows_k = rows[keep]
    cols_k = cols[keep]
    vals_k = values[keep]
    indptr = np.zeros(len(participants) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_k, minlength=len(participants)), out=indptr[1:])
    return VoteMatrix(
        participants=participants,
        statements=statements,
        indptr=indptr,
        indices=cols_k.astype(np.int32),
        values=vals_k.astype(np.int8),
    )


def merge_votes(previous: VoteMatrix, new_votes: pd.DataFrame, *, file=None) -> VoteMatrix:
    """Apply a batch of newer votes on top of ``previous`` (new votes win)."""
    new = build_vote_matrix(new_votes, file=file) if len(new_votes) else None
    if new is None:
        return previous
    import pandas as pd

    old_frame = previous.to_frame()
    new_frame = new.to_frame()
    both = pd.concat([old_frame, new_frame], ignore_index=True)
    return build_vote_matrix(both, statements=list(previous.statements))


def select_statements(votes: VoteMatrix, keep: np.ndarray) -> VoteMatrix:
    """The matrix restricted to the statements (columns) where ``keep`` is True."""
    keep = np.asarray(keep, dtype=bool)
    new_index = np.cumsum(keep) - 1
    entry_keep = keep[votes.indices]
    rows = votes.rows[entry_keep]
    indptr = np.zeros(votes.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=votes.shape[0]), out=indptr[1:])
    return VoteMatrix(
        participants=votes.participants,
        statements=votes.statements[keep],
        indptr=indptr,
        indices=new_index[votes.indices[entry_keep]].astype(np.int32),
        values=votes.values[entry_keep],
    )
