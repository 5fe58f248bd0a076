"""Reliability: Cronbach's alpha, McDonald's omega (total and hierarchical), item-total correlations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.cohesion._cfa import CFAResult, _run_cfa
from minipublic.cohesion._data import check_responses, check_scales, keyed_items, wave_rows
from minipublic.errors import InputError


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def cronbach_alpha(items: np.ndarray | pd.DataFrame) -> float:
    r"""Cronbach's alpha of a complete-case item matrix.

    .. math:: \alpha = \frac{k}{k-1}\Bigl(1 - \frac{\sum_j s_j^2}{s_X^2}\Bigr)

    where :math:`k` is the number of items, :math:`s_j^2` the variance of item
    :math:`j` and :math:`s_X^2` the variance of the sum score. Rows with any
    missing answer are dropped (complete cases).

    Parameters
    ----------
    items : array-like of shape (n_people, k)
        Keyed item answers (reverse keying already applied).

    Returns
    -------
    float
        NaN when there are fewer than 2 items or fewer than 2 complete rows.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika*, 16(3), 297-334.

    Examples
    --------
    >>> round(cronbach_alpha([[1, 2], [2, 3], [3, 3], [4, 5]]), 6)
    0.96
    """
    x = np.asarray(items, dtype=float)
    if x.ndim != 2:
        raise InputError(f"items must be a 2-D table, got shape {x.shape}")
    x = x[~np.isnan(x).any(axis=1)]
    return _alpha(x)


def _omega_fit(x: np.ndarray, names: list[str]) -> tuple[float, CFAResult | None]:
    if x.shape[1] < 3 or x.shape[0] <= x.shape[1]:
        return float("nan"), None
    res = _run_cfa([x], names, {"f": names}, group_labels=["all"])
    par = res.parameters
    lam = par.loc[par.kind == "loading", "estimate"].to_numpy()
    psi = par.loc[par.kind == "factor_covariance", "estimate"].iloc[0]
    theta = par.loc[par.kind == "residual_variance", "estimate"].to_numpy()
    common = lam.sum() ** 2 * psi
    return float(common / (common + theta.sum())), res


def omega_total(items: np.ndarray | pd.DataFrame) -> float:
    r"""McDonald's omega total from a one-factor CFA fitted by maximum likelihood.

    .. math:: \omega_t = \frac{(\sum_j \lambda_j)^2\,\psi}{(\sum_j \lambda_j)^2\,\psi + \sum_j \theta_j}

    on the unstandardised solution (marker identification: :math:`\lambda_1 = 1`,
    factor variance :math:`\psi` free; the same value as with :math:`\psi = 1`),
    :math:`\theta_j` the residual variances. ML with the N-divisor covariance, as
    lavaan's default ``cfa()``; complete cases.

    Parameters
    ----------
    items : array-like of shape (n_people, k)
        Keyed answers; needs ``k >= 3`` (a one-factor model of two items is not identified).

    Returns
    -------
    float
        NaN for fewer than three items.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Lawrence Erlbaum.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal(500)
    >>> x = np.column_stack([f + rng.standard_normal(500) for _ in range(4)])
    >>> 0.7 < omega_total(x) < 0.9
    True
    """
    x = np.asarray(items, dtype=float)
    if x.ndim != 2:
        raise InputError(f"items must be a 2-D table, got shape {x.shape}")
    x = x[~np.isnan(x).any(axis=1)]
    return _omega_fit(x, [f"x{j + 1}" for j in range(x.shape[1])])[0]


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of every scale at one wave.

    Attributes
    ----------
    table : pandas.DataFrame
        ``scale, level, n_items, alpha, omega_total, n`` (``n`` complete cases).
    item_total : pandas.DataFrame
        ``scale, item, r_item_rest, alpha_if_deleted`` (corrected item-total
        correlation: the item against the sum of the other items).
    wave : str
    models : dict
        The one-factor :class:`CFAResult` behind each omega (scales of 3+ items).
    method : str
    """

    table: pd.DataFrame
    item_total: pd.DataFrame
    wave: str
    models: dict
    method: str = "alpha and one-factor ML omega total on complete cases"


def reliability(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    wave: str,
    progress=None,
) -> ReliabilityResult:
    """Cronbach's alpha, omega total and item-total correlations per scale at one wave.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
        Per the data contract.
    wave : str
        Which wave's answers to use (for example ``"T0"``).
    progress : callable, optional
        ``progress(fraction, message)``, called after each scale.

    Returns
    -------
    ReliabilityResult

    See Also
    --------
    cronbach_alpha, omega_total
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    rows = wave_rows(responses, wave)
    return _reliability(rows, scales, str(wave), progress)


def _reliability(rows, scales, wave, progress) -> ReliabilityResult:
    keyed = keyed_items(rows, scales)
    table, item_rows, models = [], [], {}
    groups = list(scales.groupby("scale", sort=False))
    for i, (name, grp) in enumerate(groups):
        names = list(grp["item"])
        x = keyed[names].to_numpy()
        x = x[~np.isnan(x).any(axis=1)]
        omega, model = _omega_fit(x, names)
        if model is not None:
            models[name] = model
        table.append(
            {
                "scale": name,
                "level": grp["level"].iloc[0],
                "n_items": len(names),
                "alpha": _alpha(x),
                "omega_total": omega,
                "n": int(x.shape[0]),
            }
        )
        total = x.sum(axis=1)
        for j, item in enumerate(names):
            rest = total - x[:, j]
            r = np.corrcoef(x[:, j], rest)[0, 1] if len(names) > 1 and x.shape[0] > 2 else np.nan
            others = np.delete(x, j, axis=1)
            item_rows.append(
                {"scale": name, "item": item, "r_item_rest": r, "alpha_if_deleted": _alpha(others)}
            )
        if progress is not None:
            progress((i + 1) / len(groups), f"reliability: {name}")
    return ReliabilityResult(
        table=pd.DataFrame(table), item_total=pd.DataFrame(item_rows), wave=wave, models=models
    )


def omega_hierarchical(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    wave: str,
) -> tuple[float, CFAResult]:
    r"""Omega hierarchical of a general factor over all items, from a bifactor CFA.

    Every item loads on a general factor and on its own scale's specific factor;
    all factors are orthogonal with unit variance (std.lv identification), ML,
    complete cases. Then

    .. math:: \omega_h = \frac{(\sum_j \lambda_{gj})^2}{\mathbf 1^\top \hat\Sigma \mathbf 1}

    with :math:`\hat\Sigma` the model-implied covariance of the items.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
        Per the data contract; every scale needs at least 3 items.
    wave : str

    Returns
    -------
    omega_h : float
    model : CFAResult

    References
    ----------
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_H. *Psychometrika*, 70(1), 123-133.
    Reise, S. P. (2012). The rediscovery of bifactor measurement models.
    *Multivariate Behavioral Research*, 47(5), 667-696.
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    rows = wave_rows(responses, wave)
    sizes = scales.groupby("scale").size()
    if (sizes < 3).any() or len(sizes) < 2:
        raise InputError(
            "omega hierarchical needs at least two scales of three or more items; "
            f"too small: {', '.join(sizes[sizes < 3].index)}"
        )
    names = list(scales["item"])
    x = keyed_items(rows, scales)[names].to_numpy()
    x = x[~np.isnan(x).any(axis=1)]
    pattern = {"general": names}
    for name, grp in scales.groupby("scale", sort=False):
        pattern[name] = list(grp["item"])
    res = _run_cfa([x], names, pattern, group_labels=["all"], std_lv=True, orthogonal=True)
    lam_g = res.loadings.loc[res.loadings.factor == "general", "estimate"].to_numpy()
    par = res.parameters
    lam = np.zeros((len(names), len(pattern)))
    for k, f in enumerate(pattern):
        sel = par[(par.kind == "loading") & (par.lhs == f)]
        for it, est in zip(sel.rhs, sel.estimate, strict=True):
            lam[names.index(it), k] = est
    theta = par.loc[par.kind == "residual_variance", "estimate"].to_numpy()
    sigma = lam @ lam.T + np.diag(theta)
    return float(lam_g.sum() ** 2 / sigma.sum()), res
