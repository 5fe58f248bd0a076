"""Effects of taking part: paired change, difference in differences, selection-odds weighting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from minipublic.cohesion._data import check_responses, check_scales, wave_rows
from minipublic.cohesion._scoring import _score
from minipublic.errors import InputError

ESTIMATORS = ("paired", "did", "did_ipw", "did_ipw_attrition")
EFFECT_COLUMNS = [
    "scale",
    "estimator",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "p_holm",
    "p_bh",
    "n_member",
    "n_comparison",
    "df",
    "cohen_d",
    "hedges_g",
    "sd_pre",
]


@dataclass(frozen=True)
class EffectsResult:
    """Effects of the assembly on every scale between two waves.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scale x estimator: ``scale, estimator, estimate, se, ci_low,
        ci_high, p, p_holm, p_bh, n_member, n_comparison, df, cohen_d, hedges_g,
        sd_pre`` (``sd_pre`` the baseline SD that standardises ``cohen_d``).
        Holm and Benjamini-Hochberg adjust across scales within each estimator.
    changes : pandas.DataFrame
        The analysis rows: ``person, arm, selection_probability, scale, pre, post,
        change, weight_ipw, pi_response`` (``pi_response`` only with attrition weights).
    pre, post : str
    estimators : tuple of str
    alpha : float
        1 - confidence level.
    method : str
    """

    table: pd.DataFrame
    changes: pd.DataFrame
    pre: str
    post: str
    estimators: tuple
    alpha: float
    method: str


def _changes(
    scores: pd.DataFrame, scale_names: list[str], pre: str, post: str, extra: pd.DataFrame | None
):
    """Long table of pre/post/change per person x scale (complete in both waves)."""
    a = scores[scores["wave"] == pre].set_index("person")
    b = scores[scores["wave"] == post].set_index("person")
    frames = []
    for s in scale_names:
        d = a[["arm", "selection_probability", s]].rename(columns={s: "pre"})
        d = d.join(b[[s]].rename(columns={s: "post"}), how="left")
        d["scale"] = s
        frames.append(d.reset_index())
    out = pd.concat(frames, ignore_index=True)
    out["change"] = out["post"] - out["pre"]
    if extra is not None:
        out = out.merge(extra, on="person", how="left")
    return out


def _wls_hc2(y, X, w):
    """WLS with HC2 covariance (as sandwich::vcovHC(lm(weights=w), type="HC2"))."""
    fit = sm.WLS(y, X, weights=w).fit(cov_type="HC2", use_t=True)
    return fit.params, fit.cov_params(), float(fit.df_resid)


def _t_row(est, se, df, alpha):
    q = stats.t.ppf(1 - alpha / 2, df)
    p = 2 * stats.t.sf(abs(est / se), df) if se > 0 else np.nan
    return {
        "estimate": est,
        "se": se,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
        "p": p,
        "df": df,
    }


def _hedges(d, nu):
    return d * (1 - 3 / (4 * nu - 1))


def _response_probability(base: pd.DataFrame) -> np.ndarray:
    """Logistic regression of responding at the post wave on arm and the baseline score."""
    X = sm.add_constant(
        np.column_stack([(base["arm"] == "member").to_numpy(float), base["pre"].to_numpy()])
    )
    y = base["post"].notna().to_numpy(float)
    fit = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-12)
    return fit.predict(X)


def _effects_one(d_all: pd.DataFrame, estimators, alpha) -> list[dict]:
    """Effects for one scale; ``d_all`` = pool rows with a baseline score. Trusts its input."""
    base = d_all[d_all["arm"] != "public"]
    if "did_ipw_attrition" in estimators:
        base = base.assign(pi_response=_response_probability(base))
    d = base[base["post"].notna()]
    member = (d["arm"] == "member").to_numpy()
    nm, nc = int(member.sum()), int((~member).sum())
    y = d["change"].to_numpy()
    pre = d["pre"].to_numpy()
    rows = []
    for est in estimators:
        if est == "paired":
            ch = y[member]
            n = len(ch)
            if n < 2:
                r = _t_row(np.nan, np.nan, max(n - 1, 1), alpha)
            else:
                r = _t_row(ch.mean(), ch.std(ddof=1) / np.sqrt(n), n - 1, alpha)
            sd = pre[member].std(ddof=1) if n > 1 else np.nan
            dval = r["estimate"] / sd
            rows.append(
                {
                    **r,
                    "estimator": est,
                    "n_member": nm,
                    "n_comparison": 0,
                    "cohen_d": dval,
                    "hedges_g": _hedges(dval, n - 1),
                    "sd_pre": sd,
                }
            )
            continue
        if nm < 1 or nc < 1 or nm + nc < 3:
            r = _t_row(np.nan, np.nan, 1, alpha)
            rows.append(
                {
                    **r,
                    "estimator": est,
                    "n_member": nm,
                    "n_comparison": nc,
                    "cohen_d": np.nan,
                    "hedges_g": np.nan,
                    "sd_pre": np.nan,
                }
            )
            continue
        p = d["selection_probability"].to_numpy()
        w = np.ones(len(d))
        if est in ("did_ipw", "did_ipw_attrition"):
            w = np.where(member, 1.0, p / (1 - p))
        if est == "did_ipw_attrition":
            w = w / d["pi_response"].to_numpy()
        X = np.column_stack([np.ones(len(d)), member.astype(float)])
        params, cov, df = _wls_hc2(y, X, w)
        r = _t_row(float(params[1]), float(np.sqrt(cov[1, 1])), df, alpha)
        sp = np.sqrt(
            ((nm - 1) * pre[member].var(ddof=1) + (nc - 1) * pre[~member].var(ddof=1))
            / (nm + nc - 2)
        )
        dval = r["estimate"] / sp
        rows.append(
            {
                **r,
                "estimator": est,
                "n_member": nm,
                "n_comparison": nc,
                "cohen_d": dval,
                "hedges_g": _hedges(dval, nm + nc - 2),
                "sd_pre": sp,
            }
        )
    return rows


def _adjust(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["p_holm"] = np.nan
    table["p_bh"] = np.nan
    for _, idx in table.groupby("estimator", sort=False).groups.items():
        p = table.loc[idx, "p"]
        ok = p.notna()
        if ok.sum() == 0:
            continue
        table.loc[p[ok].index, "p_holm"] = multipletests(p[ok], method="holm")[1]
        table.loc[p[ok].index, "p_bh"] = multipletests(p[ok], method="fdr_bh")[1]
    return table


def effects(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    pre: str,
    post: str,
    estimators: tuple[str, ...] = ("paired", "did", "did_ipw"),
    attrition: bool = False,
    min_answered: int | None = None,
    alpha: float = 0.05,
    progress=None,
) -> EffectsResult:
    r"""Effects of taking part in the assembly on each scale between two waves.

    For each scale, the change score is :math:`\Delta_i = s_{i,post} - s_{i,pre}`
    for people scored in both waves (complete cases in both).

    - ``paired``: members' mean change :math:`\bar\Delta`, :math:`SE = sd(\Delta)/\sqrt n`,
      t-based CI and p with :math:`n - 1` df.
    - ``did``: coefficient :math:`\beta` of the member indicator in the least-squares
      regression :math:`\Delta_i = a + \beta\,\mathrm{member}_i + e_i` over members
      and comparison volunteers (members' change minus volunteers' change).
    - ``did_ipw``: the same regression weighted by the odds of selection,
      :math:`w_i = p_i / (1 - p_i)` for comparison volunteers and 1 for members,
      with :math:`p_i` the ``selection_probability``. This reweights volunteers to
      look like those the lottery selected, so :math:`\beta` estimates the effect on
      the selected (ATT) — the design advantage of a lottery with known probabilities.
    - ``did_ipw_attrition`` (with ``attrition=True``): ``did_ipw`` weights divided by
      :math:`\hat\pi_i`, the probability of being scored at the post wave (a row
      with every item of the scale answered) from a logistic
      regression of responding on arm and the baseline score (inverse probability of
      response weighting for drop-out).

    Regression estimators use HC2 robust standard errors
    :math:`V = (X^\top W X)^{-1} X^\top W \operatorname{diag}\bigl(\frac{e_i^2}{1-h_{ii}}\bigr) W X (X^\top W X)^{-1}`
    and t-based CI and p with the residual df :math:`n - 2`. P-values are adjusted
    across scales within each estimator by Holm and by Benjamini-Hochberg.
    Standardised effects: Cohen's :math:`d = \hat\beta / s_{pre}` with
    :math:`s_{pre}` the pooled baseline SD of members and volunteers (members' baseline
    SD for ``paired``), and Hedges' :math:`g = d\,(1 - 3/(4\nu - 1))` with
    :math:`\nu` the df of that SD.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
        Per the data contract.
    pre, post : str
        Waves, e.g. ``"T0"`` and ``"T1"``.
    estimators : tuple of str, default ("paired", "did", "did_ipw")
    attrition : bool, default False
        Add ``did_ipw_attrition``.
    min_answered : int, optional
        Scoring rule (see :func:`score_scales`); default complete cases.
    alpha : float, default 0.05
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    EffectsResult

    Notes
    -----
    Weights are treated as known (the selection probabilities are) or, for
    response weights, as fixed: the extra uncertainty from estimating
    :math:`\hat\pi` is not propagated. People with a post row but no pre row are
    not used. The ``public`` arm is not used in the effects.

    References
    ----------
    Angrist, J. D., & Pischke, J.-S. (2009). *Mostly Harmless Econometrics*.
    Princeton University Press (difference in differences).
    Imbens, G. W. (2004). Nonparametric estimation of average treatment effects
    under exogeneity: a review. *Review of Economics and Statistics*, 86(1), 4-29
    (odds weighting for the effect on the treated).
    MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
    covariance matrix estimators with improved finite sample properties.
    *Journal of Econometrics*, 29(3), 305-325 (HC2).
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics*, 6(2), 65-70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate.
    *Journal of the Royal Statistical Society B*, 57(1), 289-300.
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size
    and related estimators. *Journal of Educational Statistics*, 6(2), 107-128.
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    estimators = tuple(estimators)
    for e in estimators:
        if e not in ESTIMATORS:
            raise InputError(f"unknown estimator {e!r}; choose from {', '.join(ESTIMATORS)}")
    if attrition and "did_ipw_attrition" not in estimators:
        estimators = estimators + ("did_ipw_attrition",)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    wave_rows(responses, pre)
    wave_rows(responses, post)
    if str(pre) == str(post):
        raise InputError(f"pre and post are the same wave {pre!r}")
    scores = _score(responses, scales, min_answered).scores
    return _effects(
        scores, list(pd.unique(scales["scale"])), str(pre), str(post), estimators, alpha, progress
    )


def _effects(scores, scale_names, pre, post, estimators, alpha, progress) -> EffectsResult:
    ch = _changes(scores, scale_names, pre, post, None)
    rows, kept = [], []
    for i, s in enumerate(scale_names):
        d_all = ch[(ch["scale"] == s) & ch["pre"].notna()]
        for r in _effects_one(d_all, estimators, alpha):
            rows.append({"scale": s, **r})
        kept.append(d_all[d_all["post"].notna()])
        if progress is not None:
            progress((i + 1) / len(scale_names), f"effects: {s}")
    table = _adjust(pd.DataFrame(rows))[EFFECT_COLUMNS]
    changes = pd.concat(kept, ignore_index=True)
    p = changes["selection_probability"]
    changes["weight_ipw"] = np.where(changes["arm"] == "member", 1.0, p / (1 - p))
    return EffectsResult(
        table=table.reset_index(drop=True),
        changes=changes,
        pre=pre,
        post=post,
        estimators=estimators,
        alpha=alpha,
        method="change scores; OLS/WLS on member indicator with HC2; Holm and BH across scales",
    )


@dataclass(frozen=True)
class SubgroupResult:
    """Effects inside and outside subgroups, with the interaction test.

    Attributes
    ----------
    table : pandas.DataFrame
        ``scale, subgroup, term, estimate, se, ci_low, ci_high, p, df, n_in, n_out,
        threshold, sd_pre``; ``sd_pre`` is the pooled baseline SD of members and
        volunteers analysed for that scale; ``term`` is ``inside`` (effect for the subgroup), ``outside``
        (effect for everyone else) or ``interaction`` (inside minus outside).
    pre, post : str
    method : str
    """

    table: pd.DataFrame
    pre: str
    post: str
    method: str


def subgroup_effects(
    responses: pd.DataFrame,
    scales: pd.DataFrame,
    *,
    pre: str,
    post: str,
    subgroups: tuple[str, ...] = ("low_trust", "no_point"),
    trust_scale: str = "trust_institutions",
    trust_threshold: float | None = None,
    no_point_column: str = "reason_no_point",
    weighted: bool = True,
    alpha: float = 0.05,
) -> SubgroupResult:
    r"""Effects for people with low baseline trust and for those who said "no point".

    For each scale, fits (weighted by the odds of selection as in ``did_ipw`` when
    ``weighted``) the regression

    .. math:: \Delta_i = a + \beta\,m_i + \gamma\,g_i + \delta\,m_i g_i + e_i

    with :math:`m_i` the member indicator and :math:`g_i` the subgroup indicator,
    HC2 standard errors and t with the residual df (:math:`n - 4`). The effect
    outside the subgroup is :math:`\beta`, inside :math:`\beta + \delta` (SE from
    :math:`c^\top V c`), and the interaction test is the test of :math:`\delta = 0`.

    Subgroups: ``low_trust`` — baseline score on ``trust_scale`` below
    ``trust_threshold`` (default: the median among the people analysed for that
    scale); ``no_point`` — ``no_point_column`` equal to 1 in the baseline row. Any
    other name is taken as a 0/1 column of the baseline row.

    Parameters
    ----------
    responses, scales : pandas.DataFrame
    pre, post : str
    subgroups : tuple of str, default ("low_trust", "no_point")
    trust_scale : str, default "trust_institutions"
    trust_threshold : float, optional
    no_point_column : str, default "reason_no_point"
    weighted : bool, default True
    alpha : float, default 0.05

    Returns
    -------
    SubgroupResult
    """
    scales = check_scales(scales)
    responses = check_responses(responses, scales)
    names = list(pd.unique(scales["scale"]))
    base_rows = wave_rows(responses, pre)
    wave_rows(responses, post)
    cols = {}
    for sg in subgroups:
        if sg == "low_trust":
            if trust_scale not in names:
                raise InputError(f"trust_scale {trust_scale!r} is not a scale in the scales file")
            continue
        col = no_point_column if sg == "no_point" else sg
        if col not in responses.columns:
            raise InputError(f"subgroup {sg!r} needs a column {col!r} in the responses", column=col)
        vals = pd.to_numeric(base_rows[col], errors="coerce")
        bad = vals.notna() & ~vals.isin([0, 1])
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(f"{col} must be 0 or 1, got {base_rows[col].iloc[i]!r}", column=col)
        cols[sg] = col
    scores = _score(responses, scales, None).scores
    extra = scores.loc[
        scores["wave"] == str(pre), ["person", trust_scale if trust_scale in names else "arm"]
    ]
    extra = extra.rename(columns={trust_scale: "trust_pre"}) if trust_scale in names else None
    ch = _changes(scores, names, str(pre), str(post), extra)
    for sg, col in cols.items():
        ch = ch.merge(
            base_rows[["person", col]]
            .rename(columns={col: f"sub_{sg}"})
            .assign(**{f"sub_{sg}": lambda t, c=f"sub_{sg}": pd.to_numeric(t[c], errors="coerce")}),
            on="person",
            how="left",
        )
    rows = []
    for s in names:
        d = ch[(ch["scale"] == s) & ch["change"].notna() & (ch["arm"] != "public")]
        member = (d["arm"] == "member").to_numpy(float)
        pre_v = d["pre"].to_numpy()
        nm, nc = int(member.sum()), int((1 - member).sum())
        sd_pre = (
            np.sqrt(
                (
                    (nm - 1) * pre_v[member == 1].var(ddof=1)
                    + (nc - 1) * pre_v[member == 0].var(ddof=1)
                )
                / (nm + nc - 2)
            )
            if nm > 1 and nc > 1
            else np.nan
        )
        p = d["selection_probability"].to_numpy()
        w = np.where(member == 1, 1.0, p / (1 - p)) if weighted else np.ones(len(d))
        for sg in subgroups:
            if sg == "low_trust":
                thr = (
                    float(np.nanmedian(d["trust_pre"]))
                    if trust_threshold is None
                    else float(trust_threshold)
                )
                g = np.where(d["trust_pre"].isna(), np.nan, (d["trust_pre"] < thr).astype(float))
            else:
                thr = np.nan
                g = d[f"sub_{sg}"].to_numpy(float)
            ok = ~np.isnan(g)
            y, m, gg, ww = d["change"].to_numpy()[ok], member[ok], g[ok], w[ok]
            X = np.column_stack([np.ones(len(y)), m, gg, m * gg])
            n_in, n_out = int((gg == 1).sum()), int((gg == 0).sum())
            if np.linalg.matrix_rank(X) < 4 or len(y) <= 4:
                for term in ("outside", "inside", "interaction"):
                    rows.append(
                        {
                            "scale": s,
                            "subgroup": sg,
                            "term": term,
                            **_t_row(np.nan, np.nan, 1, alpha),
                            "n_in": n_in,
                            "n_out": n_out,
                            "threshold": thr,
                            "sd_pre": sd_pre,
                        }
                    )
                continue
            params, cov, df = _wls_hc2(y, X, ww)
            for term, c in (
                ("outside", [0, 1, 0, 0]),
                ("inside", [0, 1, 0, 1]),
                ("interaction", [0, 0, 0, 1]),
            ):
                c = np.asarray(c, float)
                est = float(c @ params)
                se = float(np.sqrt(c @ cov @ c))
                rows.append(
                    {
                        "scale": s,
                        "subgroup": sg,
                        "term": term,
                        **_t_row(est, se, df, alpha),
                        "n_in": n_in,
                        "n_out": n_out,
                        "threshold": thr,
                        "sd_pre": sd_pre,
                    }
                )
    return SubgroupResult(
        table=pd.DataFrame(rows),
        pre=str(pre),
        post=str(post),
        method=("odds-of-selection weighted " if weighted else "")
        + "interaction regression with HC2",
    )
