"""Live updates: fold a new batch of votes into an existing map.

A new batch changes few cells of a large matrix, so the previous solution is
an excellent start: PCA restarts its subspace iteration from the previous
components (as Polis' ``:start-vectors`` do), base k-means starts from the
previous base centres and group k-means from the previous group centres (as
Polis' ``:last-clusters`` do), and participants already clustered stay
clustered (Polis' sticky ``in-conv``). The result is the fixed point of the
same equations, reached in fewer iterations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minipublic.errors import InputError

from ._map import OpinionMap, Progress, _compute, _is_frame
from ._matrix import VoteMatrix, merge_votes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["update_map"]


def update_map(
    previous: OpinionMap,
    new_votes: pd.DataFrame | VoteMatrix,
    *,
    moderated_out=None,
    progress: Progress | None = None,
) -> OpinionMap:
    """The map after ``new_votes``, warm-started from ``previous``.

    Parameters
    ----------
    previous : OpinionMap
    new_votes : DataFrame or VoteMatrix
        Votes cast since ``previous`` (``participant, statement, vote``); they
        replace earlier votes on the same cells.
    moderated_out : sequence, optional
        New moderation list (default: the previous one).
    progress : callable, optional

    Returns
    -------
    OpinionMap
        With the same seed and options as ``previous``. The number of groups
        follows Polis' group-count smoother: a new best-silhouette count is
        adopted once it has been the best at 4 updates in a row
        (:func:`smooth_group_k`, state in ``clustering.k_smoother``).
    """
    if not isinstance(previous, OpinionMap):
        raise InputError("previous should be an OpinionMap from statement_map")
    if isinstance(new_votes, VoteMatrix):
        new_votes = new_votes.to_frame()
    if not _is_frame(new_votes):
        raise InputError("new_votes should be a table (participant, statement, vote)")
    merged = merge_votes(previous.votes, new_votes.drop(columns=["timestamp"], errors="ignore"))
    return _compute(
        merged,
        seed=previous.seed,
        options=previous.options,
        moderated_out=previous.moderated_out if moderated_out is None else tuple(moderated_out),
        meta_statements=previous.meta_statements,
        progress=progress,
        warm=previous,
    )
