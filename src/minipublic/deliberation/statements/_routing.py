"""Which statement to show a voter next: Polis' comment priority.

For statement ``s`` with ``A`` agrees, ``D`` disagrees, ``S`` votes seen and
``P = S - A - D`` passes among the clustered participants, and extremity
``E`` (length of its PCA projection, see :func:`polis_pca`):

    a = (A + 1) / (S + 2),   p = (P + 1) / (S + 2)
    importance = a * (1 - p) * (1 + E)
    priority   = (importance * (1 + 8 * 2 ** (-S / 5))) ** 2

The last factor lets new statements bubble up (it is 9 with no votes and
tends to 1); squaring "deepens the bias". Meta statements get a fixed
priority ``7 ** 2``. The next statement is drawn at random among those the
voter has not seen, with probability proportional to priority.

References: polismath ``conversation.clj`` (``importance-metric``,
``priority-metric``, ``:comment-priorities``); Small et al. (2021), 3.5.
"""

from __future__ import annotations

import numpy as np

__all__ = ["priority", "draw_statement", "next_statement"]

META_PRIORITY = 7.0


def priority(n_agree, n_disagree, n_seen, extremity, *, is_meta=None) -> np.ndarray:
    """Polis' routing priority (see module docstring) for each statement."""
    A = np.asarray(n_agree, dtype=float)
    D = np.asarray(n_disagree, dtype=float)
    S = np.asarray(n_seen, dtype=float)
    E = np.asarray(extremity, dtype=float)
    P = S - A - D
    a = (A + 1) / (S + 2)
    p = (P + 1) / (S + 2)
    value = a * (1 - p) * (1 + E) * (1 + 8 * np.power(2.0, -S / 5))
    if is_meta is not None:
        value = np.where(np.asarray(is_meta, dtype=bool), META_PRIORITY, value)
    return value**2


def draw_statement(weights: np.ndarray, candidates: np.ndarray, rng: np.random.Generator):
    """Index into ``candidates`` drawn with probability proportional to ``weights``."""
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    if len(candidates) == 0:
        return None
    if not np.isfinite(w).all() or w.sum() <= 0:
        return candidates[int(rng.integers(len(candidates)))]
    return candidates[int(rng.choice(len(candidates), p=w / w.sum()))]


def next_statement(opinion_map, participant=None, *, seen=(), seed: int | None = None, rng=None):
    """The statement to show ``participant`` next, or None when none is left.

    Parameters
    ----------
    opinion_map : OpinionMap
    participant : id, optional
        A participant of the map: statements they already voted on are skipped.
    seen : iterable, default=()
        More statement ids to skip (e.g. votes cast since the map was computed).
    seed : int, optional
        Seeds the draw (reproducible routing); ignored if ``rng`` is given.
    rng : numpy Generator, optional

    Returns
    -------
    statement id or None
        Drawn among unseen statements with probability proportional to
        ``opinion_map.priority``.
    """
    statements = opinion_map.statements
    skip = set(seen)
    if participant is not None:
        votes = opinion_map.votes
        row = np.searchsorted(votes.participants, participant)
        if row < len(votes.participants) and votes.participants[row] == participant:
            cols = votes.indices[votes.indptr[row] : votes.indptr[row + 1]]
            skip.update(votes.statements[cols].tolist())
    mask = (
        ~np.isin(statements, np.array(list(skip), dtype=statements.dtype))
        if skip
        else (np.ones(len(statements), dtype=bool))
    )
    candidates = np.flatnonzero(mask)
    if len(candidates) == 0:
        return None
    generator = rng if rng is not None else np.random.default_rng(seed)
    j = draw_statement(opinion_map.priority[candidates], candidates, generator)
    value = statements[j]
    return value.item() if isinstance(value, np.generic) else value
