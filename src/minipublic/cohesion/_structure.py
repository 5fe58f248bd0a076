"""Factor structure of the three-level model, and measurement invariance across waves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from minipublic.cohesion._cfa import CFAResult, _run_cfa
from minipublic.cohesion._data import check_responses, check_scales, keyed_items, wave_rows
from minipublic.errors import InputError

BY = ("scale", "level")


def _pattern(scales: pd.DataFrame, by: str) -> dict[str, list[str]]:
    if by not in BY:
        raise InputError(f"by must be one of {', '.join(BY)}, got {by!r}")
    return {name: list(grp["item"]) for name, grp in scales.groupby(by, sort=False)}


def cfa(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    wave: str,
    by: str = "scale",
) -> CFAResult:
    r"""Confirmatory factor analysis of the cohesion items at one wave.

    The model is :math:`\Sigma = \Lambda\Psi\Lambda^\top + \Theta`: one factor per
    scale (``by="scale"``, default) or one per level (``by="level"``: macro, meso,
    micro), correlated factors, diagonal residual covariance :math:`\Theta`.
    Estimated by maximum likelihood, minimising

    .. math:: F_{ML} = \log|\Sigma| + \operatorname{tr}(S\Sigma^{-1}) - \log|S| - p

    with :math:`S` the covariance of the complete cases with divisor :math:`N`
    (lavaan's default ``likelihood = "normal"``); marker-variable identification
    (first item of each factor has loading 1). Fit indices as lavaan computes
    them: :math:`\chi^2 = N F_{ML}`; CFI and TLI against the independence model;
    :math:`\mathrm{RMSEA} = \sqrt{\max(\chi^2/(N\,df) - 1/N, 0)}`; SRMR (Bentler)
    the root mean square of :math:`(s_{ij} - \hat\sigma_{ij})/\sqrt{s_{ii}s_{jj}}`
    over :math:`i \ge j`.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
        Per the data contract; reverse keying is applied first.
    wave : str
    by : {"scale", "level"}, default "scale"

    Returns
    -------
    CFAResult

    Notes
    -----
    Items are treated as continuous; rows with any missing item are dropped
    (listwise deletion, lavaan's default), so with many items the sample shrinks.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.
    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
    structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    pattern = _pattern(scales, by)
    rows = wave_rows(responses, wave)
    items = list(scales["item"])
    x = keyed_items(rows, scales)[items].to_numpy()
    x = x[~np.isnan(x).any(axis=1)]
    if x.shape[0] <= len(items):
        raise InputError(
            f"wave {wave!r} has {x.shape[0]} complete cases for {len(items)} items; need more people than items"
        )
    return _run_cfa([x], items, pattern, group_labels=[str(wave)])


@dataclass(frozen=True)
class InvarianceResult:
    """Configural, metric and scalar invariance across waves.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (``configural, metric, scalar``): ``model, chisq, df,
        pvalue, cfi, tli, rmsea, srmr, delta_chisq, delta_df, p_delta`` where the
        deltas compare each model with the one before it.
    models : dict of str to CFAResult
    waves : list of str
    method : str
    """

    table: pd.DataFrame
    models: dict
    waves: list
    method: str


def invariance(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    waves: list[str] | None = None,
    by: str = "scale",
    progress=None,
) -> InvarianceResult:
    r"""Measurement invariance of the factor model across waves (multi-group CFA).

    Three nested models with a mean structure
    (:math:`\mu_g = \nu_g + \Lambda_g\alpha_g`), fitted by ML to each wave as a group:

    - *configural*: same pattern in every wave, all parameters free, factor means 0;
    - *metric*: loadings equal across waves (factor variances free);
    - *scalar*: loadings and intercepts equal; factor means free except in the
      first wave (0).

    Each model is compared with the previous one by the chi-square difference
    :math:`\Delta\chi^2` on :math:`\Delta df` degrees of freedom. When metric and
    scalar invariance hold, changes in scale means across waves can be compared.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
    waves : list of str, optional
        Default: every wave in the order first seen in ``responses``.
    by : {"scale", "level"}, default "scale"
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    InvarianceResult

    Notes
    -----
    The waves are treated as independent groups, as ``lavaan::cfa(group = "wave")``
    does; the same people answer several waves, so the chi-square difference
    tests are approximate (within-person dependence is ignored). Listwise
    deletion within each wave.

    References
    ----------
    Meredith, W. (1993). Measurement invariance, factor analysis and factorial
    invariance. *Psychometrika*, 58(4), 525-543.
    Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions
    and reporting. *Developmental Review*, 41, 71-90.
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    pattern = _pattern(scales, by)
    if waves is None:
        waves = list(pd.unique(responses["wave"]))
    waves = [str(w) for w in waves]
    if len(waves) < 2:
        raise InputError(f"invariance needs at least two waves, got {waves}")
    items = list(scales["item"])
    groups = []
    for w in waves:
        rows = wave_rows(responses, w)
        x = keyed_items(rows, scales)[items].to_numpy()
        x = x[~np.isnan(x).any(axis=1)]
        if x.shape[0] <= len(items):
            raise InputError(f"wave {w!r} has {x.shape[0]} complete cases for {len(items)} items")
        groups.append(x)
    models, rows_out = {}, []
    steps = [("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts"))]
    prev = None
    for i, (name, equal) in enumerate(steps):
        res = _run_cfa(groups, items, pattern, group_labels=waves, meanstructure=True, equal=equal)
        models[name] = res
        row = {
            "model": name,
            **{k: res.fit[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")},
        }
        if prev is None:
            row.update(delta_chisq=np.nan, delta_df=np.nan, p_delta=np.nan)
        else:
            dc = res.fit["chisq"] - prev.fit["chisq"]
            ddf = res.fit["df"] - prev.fit["df"]
            row.update(delta_chisq=dc, delta_df=ddf, p_delta=float(stats.chi2.sf(dc, ddf)))
        rows_out.append(row)
        prev = res
        if progress is not None:
            progress((i + 1) / len(steps), f"invariance: {name}")
    return InvarianceResult(
        table=pd.DataFrame(rows_out),
        models=models,
        waves=waves,
        method="multi-group ML CFA with mean structure; chi-square difference tests",
    )
