"""Statement maps: opinion groups, representative and consensus statements,
bridging scores, statement routing and near-duplicate detection.

The pipeline follows Polis (Small et al. 2021) and adds a Community-Notes
style bridging model. Pure NumPy / SciPy / scikit-learn, sparse throughout.

>>> from minipublic.deliberation.statements import statement_map, read_votes  # doctest: +SKIP
>>> opinion_map = statement_map(read_votes("votes.csv"), seed=0)  # doctest: +SKIP
"""

from ._bridging import BridgingModel, fit_bridging
from ._clusters import (
    Clustering,
    GroupKSmoother,
    cluster_participants,
    in_conversation,
    smooth_group_k,
)
from ._consensus import ConsensusStatement, group_informed_consensus, select_consensus
from ._incremental import update_map
from ._io import read_polis_groups, read_statements, read_votes
from ._map import OpinionMap, statement_map
from ._matrix import VoteMatrix, build_vote_matrix
from ._pca import PolisPCA, polis_pca
from ._repness import GroupVotes, RepresentativeStatement, group_votes, select_representative
from ._routing import next_statement, priority
from ._similar import SimilarStatement, embeddings_available, similar_statements

__all__ = [
    "BridgingModel",
    "Clustering",
    "ConsensusStatement",
    "GroupKSmoother",
    "GroupVotes",
    "OpinionMap",
    "PolisPCA",
    "RepresentativeStatement",
    "SimilarStatement",
    "VoteMatrix",
    "build_vote_matrix",
    "cluster_participants",
    "embeddings_available",
    "fit_bridging",
    "group_informed_consensus",
    "group_votes",
    "in_conversation",
    "next_statement",
    "polis_pca",
    "priority",
    "read_polis_groups",
    "read_statements",
    "read_votes",
    "select_consensus",
    "select_representative",
    "similar_statements",
    "smooth_group_k",
    "statement_map",
    "update_map",
]
