"""The opinion map: the whole Polis pipeline plus bridging, as one result."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from minipublic.errors import InputError

from ._bridging import BridgingModel, fit_bridging
from ._clusters import Clustering, cluster_participants, in_conversation
from ._consensus import ConsensusStatement, group_informed_consensus, select_consensus
from ._matrix import VoteMatrix, build_vote_matrix, select_statements
from ._pca import PolisPCA, polis_pca
from ._repness import (
    GroupVotes,
    RepresentativeStatement,
    count_by_group,
    group_votes,
    select_representative,
)
from ._routing import priority as _priority

if TYPE_CHECKING:  # pandas is imported only where a table is asked for
    import pandas as pd

__all__ = ["OpinionMap", "statement_map"]

Progress = Callable[[float, str], None]

_CONTROLLER: list = []


_ONE_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def _single_thread():
    """Limit BLAS / OpenMP to one thread; the library scan is done once per process.

    When the environment already asks every BLAS and OpenMP library for one
    thread (as ``minipublic statements map`` does before NumPy loads), there
    is nothing to limit and threadpoolctl is not imported.
    """
    if all(os.environ.get(v) == "1" for v in _ONE_THREAD_VARIABLES):
        return contextlib.nullcontext()
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1)


def _indexer(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each of ``wanted`` in ``ids``, -1 where absent."""
    import pandas as pd

    return pd.Index(ids).get_indexer(wanted)


def _is_frame(votes) -> bool:
    """A pandas DataFrame? (Without importing pandas: if it is not loaded, no.)"""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(votes, pandas.DataFrame)


@dataclass(frozen=True, eq=False)
class OpinionMap:
    """Opinion groups, coordinates and statement scores of one conversation.

    Attributes
    ----------
    method : str
        ``"polis"`` (PCA + two-level k-means + repness) with Community-Notes
        bridging.
    seed : int
    options : dict
        Every option the map was computed with (``min_votes``, ``base_k``,
        ``max_groups``, ``init``, ``polis_scaling``, ``pick_max``).
    votes : VoteMatrix
        All latest votes, moderated-out statements included (they are kept
        for later updates but not used).
    moderated_out, meta_statements : tuple
    participants : ndarray of shape (n,)
        Participant ids (rows of ``coordinates``, ``groups``...).
    statements : ndarray of shape (m,)
        Statement ids on the map (moderated-out ones excluded).
    pca : PolisPCA
    coordinates : ndarray of shape (n, 2)
        Each participant's place on the map (Polis' scaled PCA projection).
    clustered : ndarray of bool, shape (n,)
        Participants with enough votes to be clustered.
    groups : ndarray of int, shape (n,)
        Opinion group ``0..k-1`` (largest first), ``-1`` when not clustered.
    clustering : Clustering
        Base clusters, group centres and the silhouette of each ``k`` tried.
    group_votes : GroupVotes
        Per-group counts and repness statistics (shape ``(k, m)``).
    representative : dict
        ``{group: [RepresentativeStatement, ...]}``.
    group_consensus, group_consensus_disagree : ndarray of shape (m,)
        Group-informed consensus for agreeing / disagreeing.
    consensus : dict
        ``{"agree": [...], "disagree": [...]}`` Polis consensus statements.
    bridging : BridgingModel or None
    priority : ndarray of shape (m,)
        Routing priority of each statement.
    n_agree, n_disagree, n_pass : ndarray of shape (m,)
        Vote counts over all participants.
    """

    method: str
    seed: int
    options: dict
    votes: VoteMatrix
    moderated_out: tuple
    meta_statements: tuple
    participants: np.ndarray
    statements: np.ndarray
    pca: PolisPCA
    coordinates: np.ndarray
    clustered: np.ndarray
    groups: np.ndarray
    clustering: Clustering
    group_votes: GroupVotes
    representative: dict[int, list[RepresentativeStatement]]
    group_consensus: np.ndarray
    group_consensus_disagree: np.ndarray
    consensus: dict[str, list[ConsensusStatement]]
    bridging: BridgingModel | None
    priority: np.ndarray
    n_agree: np.ndarray
    n_disagree: np.ndarray
    n_pass: np.ndarray
    group_init: dict = field(default_factory=dict, repr=False)

    @property
    def n_groups(self) -> int:
        """Number of opinion groups."""
        return self.clustering.k

    def groups_frame(self) -> pd.DataFrame:
        """``participant, group, x, y`` for every clustered participant."""
        import pandas as pd

        return pd.DataFrame(self.groups_columns())

    def groups_columns(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`groups_frame` as arrays (no pandas)."""
        m = self.clustered
        return {
            "participant": self.participants[m],
            "group": self.groups[m],
            "x": self.coordinates[m, 0],
            "y": self.coordinates[m, 1],
        }

    def statements_frame(self) -> pd.DataFrame:
        """One row per statement: counts, consensus, bridging and per-group repness.

        Columns ``statement, agree, disagree, pass, consensus, bridging,
        bridging_factor, priority`` then, for each group ``g``,
        ``group_g_agree`` (share of the group agreeing, smoothed),
        ``group_g_repness`` (``r_a`` or ``r_d``, whichever test is stronger,
        signed + for agree, - for disagree) and ``group_g_representative``
        (1 when listed as representative).
        """
        import pandas as pd

        return pd.DataFrame(self.statements_columns())

    def statements_columns(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`statements_frame` as arrays (no pandas)."""
        gv = self.group_votes
        m = len(self.statements)
        none = np.full(m, np.nan)
        columns = {
            "statement": self.statements,
            "agree": self.n_agree,
            "disagree": self.n_disagree,
            "pass": self.n_pass,
            "consensus": self.group_consensus,
            "bridging": self.bridging.statement_intercepts if self.bridging else none,
            "bridging_factor": self.bridging.statement_factors if self.bridging else none,
            "priority": self.priority,
        }
        for g in range(self.n_groups):
            agree_side = gv.r_agree_test[g] > gv.r_disagree_test[g]
            columns[f"group_{g}_agree"] = gv.p_agree[g]
            columns[f"group_{g}_repness"] = np.where(agree_side, gv.r_agree[g], -gv.r_disagree[g])
            chosen = {r.statement for r in self.representative.get(g, [])}
            columns[f"group_{g}_representative"] = np.array(
                [int(s in chosen) for s in self.statements], dtype=np.int64
            )
        return columns

    def to_dict(self) -> dict:
        """Plain JSON-ready summary: coordinates, groups and statement scores."""

        def py(x):
            return x.item() if isinstance(x, np.generic) else x

        return {
            "method": self.method,
            "seed": self.seed,
            "options": self.options,
            "n_participants": int(len(self.participants)),
            "n_statements": int(len(self.statements)),
            "participants": [
                {"participant": py(p), "x": float(x), "y": float(y), "group": int(g)}
                for p, (x, y), g, c in zip(
                    self.participants, self.coordinates, self.groups, self.clustered, strict=True
                )
                if c
            ],
            "groups": [
                {
                    "group": g,
                    "size": int(np.sum(self.groups == g)),
                    "x": float(self.clustering.group_centers[g, 0]),
                    "y": float(self.clustering.group_centers[g, 1]),
                    "representative": [
                        {
                            "statement": py(r.statement),
                            "direction": r.direction,
                            "p_success": r.p_success,
                            "repness": r.repness,
                        }
                        for r in self.representative.get(g, [])
                    ],
                }
                for g in range(self.n_groups)
            ],
            "silhouettes": {str(k): v for k, v in self.clustering.silhouettes.items()},
            "consensus": {
                d: [{"statement": py(c.statement), "p_success": c.p_success} for c in lst]
                for d, lst in self.consensus.items()
            },
            "statements": [
                {"statement": py(s), "x": float(x), "y": float(y)}
                for s, (x, y) in zip(self.statements, self.pca.statement_projections, strict=True)
            ],
        }


def _check_options(seed, min_votes, max_groups, base_k, init, pick_max):
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError(f"seed {seed!r} is not a whole number")
    if not isinstance(min_votes, (int, np.integer)) or min_votes < 1:
        raise InputError(f"min_votes={min_votes!r} should be a whole number >= 1")
    if not isinstance(max_groups, (int, np.integer)) or max_groups < 2:
        raise InputError(f"max_groups={max_groups!r} should be a whole number >= 2")
    if not isinstance(base_k, (int, np.integer)) or base_k < 2:
        raise InputError(f"base_k={base_k!r} should be a whole number >= 2")
    if init not in ("polis", "k-means++"):
        raise InputError(f"init={init!r} should be 'polis' or 'k-means++'")
    if not isinstance(pick_max, (int, np.integer)) or pick_max < 1:
        raise InputError(f"pick_max={pick_max!r} should be a whole number >= 1")


def statement_map(
    votes: pd.DataFrame | VoteMatrix,
    *,
    seed: int = 0,
    min_votes: int = 7,
    moderated_out: Sequence = (),
    meta_statements: Sequence = (),
    max_groups: int = 5,
    base_k: int = 100,
    init: str = "k-means++",
    polis_scaling: bool = True,
    refine: bool = True,
    pick_max: int = 5,
    bridging: bool = True,
    k_updates: int = 1,
    progress: Progress | None = None,
) -> OpinionMap:
    """Compute the opinion map of a statement-voting conversation.

    Steps (each documented in its module): latest-vote matrix; PCA of the
    mean-imputed matrix with Polis' sparsity-aware scaling
    (:func:`polis_pca`); participants with at least ``min(min_votes, m)``
    votes clustered by base k-means (k = 100) then silhouette-chosen group
    k-means (k = 2..max_groups); repness and representative statements per
    group; group-informed consensus; Polis consensus statements; routing
    priority; Community-Notes bridging scores.

    Parameters
    ----------
    votes : DataFrame or VoteMatrix
        Long table ``participant, statement, vote[, timestamp]`` (see
        :func:`build_vote_matrix`; latest vote wins) or a built matrix.
    seed : int, default=0
        Seeds the PCA start block, k-means++ (if chosen) and the bridging fit.
    min_votes : int, default=7
        Votes a participant needs to be clustered (Polis uses 7; with fewer
        statements, voting on all of them is enough). As in Polis, votes on
        moderated-out statements count here, and if fewer than 15 people
        qualify the most active others are added.
    moderated_out : sequence, default=()
        Statement ids removed by moderation: left out of every computation.
    meta_statements : sequence, default=()
        Statements about the process itself; they get Polis' fixed routing
        priority.
    max_groups : int, default=5
    base_k : int, default=100
    init : {"k-means++", "polis"}, default="k-means++"
        See :func:`cluster_participants`.
    refine : bool, default=True
        Finish the clustering with k-means over participants, keeping the
        partition that most of 256 k-means++ starts reach (see
        :func:`cluster_participants`); False stops at Polis' base level.
    polis_scaling : bool, default=True
        Count moderated-out statements in the projection scaling as Polis
        does (see :func:`polis_pca`); False uses the plain
        ``sqrt(m / n_i)``.
    pick_max : int, default=5
        Representative statements per group and consensus statements per side.
    bridging : bool, default=True
        Fit the bridging model.
    k_updates : int, default=1
        How the number of groups is chosen, as Polis does it. Polis recomputes
        the map as votes arrive and changes the number of groups only when a
        new number has had the best silhouette at 4 updates in a row (its
        group-count smoother, :func:`smooth_group_k`, which
        :func:`update_map` applies to live updates). A one-off map has no
        update history: with 1 it takes the best silhouette on all the votes,
        which is what Polis' smoother holds once the best count has been
        stable for its last 4 updates. With ``k_updates > 1`` and a vote table
        with timestamps, the last ``k_updates`` updates are replayed instead
        (the votes cast up to 1% apart in time order: 93%, 94%, ..., 100% of
        them for 8) and the smoother run over them. On the four public Polis
        conversations with seeds 0-4, both agree with Polis' own count (2) in
        19 of 20 runs (Brexit, where 2 and 3 groups have almost equal
        silhouettes, is the exception: seed 2 without replay, seed 4 with),
        and the replay costs 8 more clusterings, so it is not the default.
        Replaying evenly spaced states over the whole history (1/8, 2/8, ...
        of the votes) is worse: early Brexit states favour 5 groups, which
        the smoother then keeps (5 groups at seeds 1-4).
    progress : callable, optional
        ``progress(fraction, message)`` is called between steps.

    Returns
    -------
    OpinionMap

    Raises
    ------
    InputError
        Bad votes or options.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(p, s, 1 if (p < 10) == (s < 4) else -1)
    ...         for p in range(20) for s in range(8) if s != p % 8]
    >>> votes = pd.DataFrame(rows, columns=["participant", "statement", "vote"])
    >>> m = statement_map(votes, seed=1)
    >>> m.n_groups, sorted(pd.Series(m.groups).value_counts().tolist())
    (2, [10, 10])
    """
    _check_options(seed, min_votes, max_groups, base_k, init, pick_max)
    if isinstance(k_updates, bool) or not isinstance(k_updates, (int, np.integer)) or k_updates < 1:
        raise InputError(f"k_updates must be a whole number >= 1, not {k_updates!r}")
    if _is_frame(votes):
        matrix = build_vote_matrix(votes)
    elif isinstance(votes, VoteMatrix):
        matrix = votes
    else:
        raise InputError("votes should be a table (participant, statement, vote) or a VoteMatrix")
    for name, ids in (("moderated_out", moderated_out), ("meta_statements", meta_statements)):
        try:
            np.asarray(list(ids), dtype=matrix.statements.dtype)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{name} has ids of another kind than the votes' statement ids: {list(ids)[:5]!r}"
            ) from exc
    options = dict(
        min_votes=int(min_votes),
        max_groups=int(max_groups),
        base_k=int(base_k),
        init=init,
        polis_scaling=bool(polis_scaling),
        refine=bool(refine),
        pick_max=int(pick_max),
        bridging=bool(bridging),
        k_updates=int(k_updates),
    )
    smoother = None
    if (
        k_updates > 1
        and _is_frame(votes)
        and "timestamp" in votes.columns
        and len(votes) > k_updates
    ):
        smoother = _k_history(votes, int(seed), options, tuple(moderated_out))
    return _compute(
        matrix,
        seed=int(seed),
        options=options,
        moderated_out=tuple(moderated_out),
        meta_statements=tuple(meta_statements),
        progress=progress,
        k_smoother=smoother,
    )


#: Share of the votes between two replayed updates (see ``k_updates``).
K_UPDATE_STEP = 0.01


def _k_history(votes: pd.DataFrame, seed: int, options: dict, moderated_out: tuple):
    """The group-count smoother's state after replaying the earlier updates.

    Each update is the pipeline up to the silhouettes (PCA, who is in the
    conversation, base clusters, group clusterings for every ``k``) on the
    votes cast so far; the smoother is fed each update's best ``k``.
    """
    import pandas as pd

    order = np.argsort(pd.to_numeric(votes["timestamp"]).to_numpy(), kind="stable")
    ordered = votes.iloc[order]
    n_updates = options["k_updates"]
    state = None
    with _single_thread():
        for back in range(n_updates - 1, 0, -1):
            prefix = ordered.iloc[: round(len(ordered) * (1 - back * K_UPDATE_STEP))]
            matrix = build_vote_matrix(prefix)
            hidden = (
                np.isin(matrix.statements, np.asarray(moderated_out, dtype=matrix.statements.dtype))
                if moderated_out
                else np.zeros(len(matrix.statements), dtype=bool)
            )
            active = select_statements(matrix, ~hidden)
            if active.shape[0] < 2 or active.shape[1] < 2:
                continue
            pca = polis_pca(
                active, seed=seed, n_hidden=int(hidden.sum()) if options["polis_scaling"] else 0
            )
            clustered = in_conversation(
                matrix.votes_per_participant(), matrix.shape[1], min_votes=options["min_votes"]
            )
            clustering = cluster_participants(
                pca.projections[clustered],
                seed=seed,
                base_k=options["base_k"],
                max_groups=options["max_groups"],
                init=options["init"],
                refine=False,
                k_smoother=state,
            )
            if clustering.silhouettes:
                state = clustering.k_smoother
    return state


def _compute(
    matrix: VoteMatrix,
    *,
    seed: int,
    options: dict,
    moderated_out: tuple,
    meta_statements: tuple,
    progress: Progress | None = None,
    warm: OpinionMap | None = None,
    k_smoother=None,
) -> OpinionMap:
    """The pipeline on a validated matrix; ``warm`` gives warm starts."""
    # The dense steps work on thin (n x 12) or tiny matrices, where BLAS
    # threads cost far more than they save (5x slower measured on 2 cores).
    with _single_thread():
        return _compute_single_thread(
            matrix,
            seed=seed,
            options=options,
            moderated_out=moderated_out,
            meta_statements=meta_statements,
            progress=progress,
            warm=warm,
            k_smoother=k_smoother,
        )


def _compute_single_thread(
    matrix: VoteMatrix,
    *,
    seed: int,
    options: dict,
    moderated_out: tuple,
    meta_statements: tuple,
    progress: Progress | None,
    warm: OpinionMap | None,
    k_smoother=None,
) -> OpinionMap:
    def report(fraction, message):
        if progress is not None:
            progress(fraction, message)

    hidden = (
        np.isin(matrix.statements, np.asarray(moderated_out, dtype=matrix.statements.dtype))
        if len(moderated_out)
        else np.zeros(len(matrix.statements), dtype=bool)
    )
    active = select_statements(matrix, ~hidden)
    n, m = active.shape
    report(0.05, "PCA")
    start = None
    if warm is not None and len(warm.statements):
        pos = _indexer(warm.statements, active.statements)
        start = np.zeros((warm.pca.components.shape[0], m))
        found = pos >= 0
        start[:, found] = warm.pca.components[:, pos[found]]
    pca = polis_pca(
        active,
        seed=seed,
        start=start,
        n_hidden=int(hidden.sum()) if options["polis_scaling"] else 0,
    )
    report(0.35, "clustering")
    previous_in = None
    if warm is not None:
        pos = _indexer(warm.participants, active.participants)
        previous_in = np.zeros(n, dtype=bool)
        previous_in[pos >= 0] = warm.clustered[pos[pos >= 0]]
    n_votes_all = matrix.votes_per_participant()
    clustered = in_conversation(
        n_votes_all, matrix.shape[1], min_votes=options["min_votes"], previous=None
    )
    if previous_in is not None:
        clustered |= previous_in
    clustering = cluster_participants(
        pca.projections[clustered],
        seed=seed,
        base_k=options["base_k"],
        max_groups=options["max_groups"],
        init=options["init"],
        refine=options["refine"],
        base_init=None if warm is None else warm.clustering.base_centers,
        group_init=None if warm is None else warm.group_init,
        k_smoother=k_smoother if warm is None else warm.clustering.k_smoother,
    )
    groups = np.full(n, -1)
    groups[clustered] = clustering.labels
    report(0.55, "statement statistics")
    k = max(clustering.k, 1)
    na, nd, ns = count_by_group(active, groups, k)
    gv = group_votes(na, nd, ns)
    representative = select_representative(gv, active.statements, pick_max=options["pick_max"])
    tot_a = np.bincount(active.indices[active.values == 1], minlength=m)
    tot_d = np.bincount(active.indices[active.values == -1], minlength=m)
    tot_s = np.bincount(active.indices, minlength=m)
    consensus = select_consensus(
        tot_a, tot_d, tot_s, active.statements, pick_max=options["pick_max"]
    )
    is_meta = (
        np.isin(active.statements, np.asarray(meta_statements, dtype=active.statements.dtype))
        if len(meta_statements)
        else None
    )
    prio = _priority(na.sum(0), nd.sum(0), ns.sum(0), pca.extremity, is_meta=is_meta)
    model = None
    if options["bridging"]:
        report(0.7, "bridging")
        model = fit_bridging(active, seed=seed)
    report(1.0, "done")
    group_init = {clustering.k: clustering.group_centers} if clustering.k > 1 else {}
    return OpinionMap(
        method="polis",
        seed=seed,
        options=options,
        votes=matrix,
        moderated_out=moderated_out,
        meta_statements=meta_statements,
        participants=active.participants,
        statements=active.statements,
        pca=pca,
        coordinates=pca.projections,
        clustered=clustered,
        groups=groups,
        clustering=clustering,
        group_votes=gv,
        representative=representative,
        group_consensus=group_informed_consensus(na, ns),
        group_consensus_disagree=group_informed_consensus(nd, ns),
        consensus=consensus,
        bridging=model,
        priority=prio,
        n_agree=tot_a,
        n_disagree=tot_d,
        n_pass=tot_s - tot_a - tot_d,
        group_init=group_init,
    )
