"""Table plans: seat members at small tables for several rounds.

Tables mix the features the organiser chooses, pairs meet again as rarely as
possible, and hard constraints (equal sizes, language groups, accessible
tables, apart pairs, facilitators, pinned seats) always hold. Pure
computation: no Django, no printing.
"""

from minipublic.deliberation.tables._io import (
    read_apart,
    read_facilitators,
    read_members,
    read_pins,
)
from minipublic.deliberation.tables._plan import TablePlan, assign_tables, evaluate_plan, reseat
from minipublic.deliberation.tables._problem import Mix
from minipublic.deliberation.tables._scores import (
    cluster_score,
    diversity_score,
    repeat_lower_bound,
)

__all__ = [
    "Mix",
    "TablePlan",
    "assign_tables",
    "cluster_score",
    "diversity_score",
    "evaluate_plan",
    "read_apart",
    "read_facilitators",
    "read_members",
    "read_pins",
    "repeat_lower_bound",
    "reseat",
]
