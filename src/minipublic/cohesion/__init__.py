"""Cohesion statistics: scale scores, reliability, factor structure and effects of the assembly.

Pure Python (NumPy, SciPy, pandas, statsmodels); no Django. See ``docs/evaluation.md``.
"""

from minipublic.cohesion._cfa import CFAResult
from minipublic.cohesion._data import (
    check_responses,
    check_scales,
    read_responses,
    read_scales,
)
from minipublic.cohesion._effects import (
    EffectsResult,
    SubgroupResult,
    effects,
    subgroup_effects,
)
from minipublic.cohesion._instruments import instrument_bank, instrument_scales, survey_items
from minipublic.cohesion._reliability import (
    ReliabilityResult,
    cronbach_alpha,
    omega_hierarchical,
    omega_total,
    reliability,
)
from minipublic.cohesion._report import (
    plot_change_by_wave,
    plot_forest,
    plot_subgroups,
    summary_markdown,
)
from minipublic.cohesion._scoring import ScaleScores, score_scales
from minipublic.cohesion._simulate import simulate_survey
from minipublic.cohesion._structure import InvarianceResult, cfa, invariance

__all__ = [
    "CFAResult",
    "EffectsResult",
    "InvarianceResult",
    "ReliabilityResult",
    "ScaleScores",
    "SubgroupResult",
    "cfa",
    "check_responses",
    "check_scales",
    "cronbach_alpha",
    "effects",
    "instrument_bank",
    "instrument_scales",
    "invariance",
    "omega_hierarchical",
    "omega_total",
    "plot_change_by_wave",
    "plot_forest",
    "plot_subgroups",
    "read_responses",
    "read_scales",
    "reliability",
    "score_scales",
    "simulate_survey",
    "subgroup_effects",
    "summary_markdown",
    "survey_items",
]
