"""Scale scores: reverse keying, scale means, missing-data report."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.cohesion._data import check_responses, check_scales, keyed_items
from minipublic.errors import InputError


@dataclass(frozen=True)
class ScaleScores:
    """Scale scores, one row per person x wave.

    Attributes
    ----------
    scores : pandas.DataFrame
        ``person, wave, arm, selection_probability`` then one column per scale
        (NaN where the scoring rule is not met).
    missing : pandas.DataFrame
        One row per scale x wave: ``scale, wave, n_rows, n_complete, n_scored,
        n_missing_answers, share_missing_answers``.
    scales : pandas.DataFrame
        The checked scales table used.
    min_answered : int or None
        None means complete cases (every item of the scale answered).
    method : str
    """

    scores: pd.DataFrame
    missing: pd.DataFrame
    scales: pd.DataFrame
    min_answered: int | None
    method: str = "mean of reverse-keyed items"


def score_scales(
    responses: pd.DataFrame, scales: pd.DataFrame, *, min_answered: int | None = None
) -> ScaleScores:
    r"""Score every scale for every person x wave.

    Each reverse-keyed item is mapped to :math:`\min + \max - x`; the scale score
    is the mean of the (keyed) items answered,
    :math:`s = \frac{1}{|A|}\sum_{j \in A} x_j`, where :math:`A` is the set of the
    scale's items answered.

    Parameters
    ----------
    responses : pandas.DataFrame
        Long table per the data contract (``person, wave, arm,
        selection_probability``, one column per item).
    scales : pandas.DataFrame
        ``scale, level, item, reverse, min, max``.
    min_answered : int, optional
        By default (None) a score needs every item answered (complete cases),
        the rule the R references use. With an integer ``k`` a score needs at
        least ``k`` items answered (capped at the scale's number of items).

    Returns
    -------
    ScaleScores

    Examples
    --------
    >>> import pandas as pd
    >>> sc = pd.DataFrame({"scale": ["t", "t"], "level": ["macro"] * 2, "item": ["a", "b"],
    ...                    "reverse": [0, 1], "min": [1, 1], "max": [5, 5]})
    >>> r = pd.DataFrame({"person": ["1", "2"], "wave": ["T0", "T0"], "arm": ["member"] * 2,
    ...                   "selection_probability": [0.1, 0.1], "a": [4, 2], "b": [2, None]})
    >>> score_scales(r, sc).scores["t"].tolist()
    [4.0, nan]
    >>> score_scales(r, sc, min_answered=1).scores["t"].tolist()
    [4.0, 2.0]
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    if min_answered is not None and (
        not isinstance(min_answered, int | np.integer) or min_answered < 1
    ):
        raise InputError(f"min_answered must be a positive whole number, got {min_answered!r}")
    return _score(responses, scales, min_answered)


def _score(responses: pd.DataFrame, scales: pd.DataFrame, min_answered: int | None) -> ScaleScores:
    """Score checked input (no validation)."""
    keyed = keyed_items(responses, scales)
    base = responses[["person", "wave", "arm", "selection_probability"]].copy()
    rows = []
    cols = {}
    for name, grp in scales.groupby("scale", sort=False):
        x = keyed[list(grp["item"])].to_numpy()
        answered = ~np.isnan(x)
        k = answered.sum(axis=1)
        need = x.shape[1] if min_answered is None else min(min_answered, x.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(x, axis=1) / k
        mean[k < need] = np.nan
        cols[name] = mean
        for wave in pd.unique(responses["wave"]):
            m = (responses["wave"] == wave).to_numpy()
            rows.append(
                {
                    "scale": name,
                    "wave": wave,
                    "n_rows": int(m.sum()),
                    "n_complete": int((k[m] == x.shape[1]).sum()),
                    "n_scored": int((k[m] >= need).sum()),
                    "n_missing_answers": int((~answered[m]).sum()),
                    "share_missing_answers": float((~answered[m]).mean()) if m.any() else np.nan,
                }
            )
    scores = pd.concat([base, pd.DataFrame(cols, index=base.index)], axis=1)
    return ScaleScores(
        scores=scores, missing=pd.DataFrame(rows), scales=scales, min_answered=min_answered
    )
