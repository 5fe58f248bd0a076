"""Sortition: fair selection of a citizens' panel by lottery.

Pool and quotas in, a fair distribution over panels out (LEXIMIN, Maximin,
Nash, Legacy), rounded to a transparent uniform lottery drawn from a public
seed; plus feasibility explanations, replacements and the stage-one
invitation lottery. Pure computation: no Django, no printing.
"""

from minipublic.sortition._distribution import (
    ALGORITHMS,
    Distribution,
    estimate_seconds,
    find_distribution,
    gini,
)
from minipublic.sortition._feasibility import Feasibility, QuotaChange, check_feasibility
from minipublic.sortition._invite import (
    Invitation,
    follow_up,
    invite,
    read_addresses,
    read_weights,
)
from minipublic.sortition._lottery import (
    Draw,
    Lottery,
    Verification,
    draw,
    lottery_from_frame,
    lottery_index,
    round_lottery,
    verify,
)
from minipublic.sortition._manifest import build_manifest, file_sha256, write_manifest
from minipublic.sortition._pool import (
    Pool,
    Quota,
    Quotas,
    check_pool_quotas,
    normalise_address,
    pool_from_frame,
    quotas_from_frame,
    read_pool,
    read_quotas,
)
from minipublic.sortition._replace import Replacement, replace
from minipublic.sortition._selfselected import FAMILIES, family_pool, selfselected_pool
from minipublic.sortition._synthetic import SyntheticPool, synthetic_pool

__all__ = [
    "ALGORITHMS",
    "FAMILIES",
    "Distribution",
    "Draw",
    "Feasibility",
    "Invitation",
    "Lottery",
    "Pool",
    "Quota",
    "QuotaChange",
    "Quotas",
    "Replacement",
    "SyntheticPool",
    "Verification",
    "build_manifest",
    "check_feasibility",
    "check_pool_quotas",
    "draw",
    "estimate_seconds",
    "family_pool",
    "file_sha256",
    "find_distribution",
    "follow_up",
    "gini",
    "invite",
    "lottery_from_frame",
    "lottery_index",
    "normalise_address",
    "pool_from_frame",
    "quotas_from_frame",
    "read_addresses",
    "read_pool",
    "read_quotas",
    "read_weights",
    "replace",
    "round_lottery",
    "selfselected_pool",
    "synthetic_pool",
    "verify",
    "write_manifest",
]
