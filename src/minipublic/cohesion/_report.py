"""Report: plots (matplotlib figures) and a plain-language summary of the effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from minipublic.cohesion._effects import EffectsResult, SubgroupResult
from minipublic.cohesion._reliability import ReliabilityResult
from minipublic.cohesion._scoring import ScaleScores

ARM_COLOURS = {"member": "#1b7837", "comparison": "#762a83", "public": "#878787"}


def plot_change_by_wave(scores: ScaleScores, *, waves: list[str] | None = None) -> Figure:
    """Mean scale score by arm and wave with 95 % t confidence intervals, one panel per scale.

    Parameters
    ----------
    scores : ScaleScores
        From :func:`score_scales`.
    waves : list of str, optional
        Order of the waves on the x axis (default: order first seen).

    Returns
    -------
    matplotlib.figure.Figure
    """
    df = scores.scores
    names = list(pd.unique(scores.scales["scale"]))
    waves = list(pd.unique(df["wave"])) if waves is None else list(waves)
    ncol = min(3, len(names))
    nrow = int(np.ceil(len(names) / ncol))
    fig = Figure(figsize=(4.2 * ncol, 3.0 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    x = np.arange(len(waves))
    for ax, s in zip(axes, names, strict=False):
        for j, (arm, colour) in enumerate(ARM_COLOURS.items()):
            sub = df[df["arm"] == arm]
            if sub.empty:
                continue
            means, lo, hi = [], [], []
            for w in waves:
                v = sub.loc[sub["wave"] == w, s].dropna().to_numpy()
                if len(v) < 2:
                    means.append(np.nan), lo.append(np.nan), hi.append(np.nan)
                    continue
                m = v.mean()
                h = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
                means.append(m), lo.append(m - h), hi.append(m + h)
            means, lo, hi = map(np.asarray, (means, lo, hi))
            xs = x + (j - 1) * 0.08
            ax.errorbar(
                xs,
                means,
                yerr=[means - lo, hi - means],
                marker="o",
                capsize=3,
                color=colour,
                label=arm,
            )
        ax.set_title(s.replace("_", " "), fontsize=10)
        ax.set_xticks(x, waves)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.suptitle("Mean scale score by arm and wave (95 % CI)")
    return fig


def plot_forest(result: EffectsResult, *, standardised: bool = True) -> Figure:
    """Forest plot of every estimate with its confidence interval, grouped by scale.

    Parameters
    ----------
    result : EffectsResult
    standardised : bool, default True
        Divide estimates and limits by the baseline SD (``sd_pre``), so scales with
        different answer ranges share one axis (the estimate then equals Cohen's d).

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table.copy()
    if standardised:
        for c in ("estimate", "ci_low", "ci_high"):
            t[c] = t[c] / t["sd_pre"]
    est_names = list(pd.unique(t["estimator"]))
    names = list(pd.unique(t["scale"]))
    fig = Figure(figsize=(7, 0.45 * len(t) + 1.2), layout="constrained")
    ax = fig.subplots()
    colours = ["#2166ac", "#b2182b", "#1b7837", "#e08214"]
    y = 0
    ticks, labels = [], []
    for s in names:
        for k, e in enumerate(est_names):
            r = t[(t["scale"] == s) & (t["estimator"] == e)]
            if r.empty:
                continue
            r = r.iloc[0]
            ax.errorbar(
                [r["estimate"]],
                [y],
                xerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                fmt="o",
                color=colours[k % len(colours)],
                capsize=3,
                label=e if s == names[0] else None,
            )
            ticks.append(y)
            labels.append(f"{s.replace('_', ' ')} · {e}")
            y -= 1
        y -= 0.6
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ticks, labels, fontsize=8)
    unit = "baseline SDs" if standardised else "scale points"
    ax.set_xlabel(f"effect in {unit}, {result.pre} to {result.post} (95 % CI)")
    ax.legend(fontsize=8, loc="best")
    return fig


def plot_subgroups(result: SubgroupResult, *, standardised: bool = True) -> Figure:
    """Effects inside and outside each subgroup (odds-weighted), with CIs.

    Parameters
    ----------
    result : SubgroupResult
    standardised : bool, default True
        Divide by the baseline SD (``sd_pre``) so scales share one axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table[result.table["term"].isin(["inside", "outside"])].copy()
    if standardised:
        for c in ("estimate", "ci_low", "ci_high"):
            t[c] = t[c] / t["sd_pre"]
    groups = list(pd.unique(t["subgroup"]))
    names = list(pd.unique(t["scale"]))
    fig = Figure(figsize=(5 * len(groups), 0.5 * len(names) + 1.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups), sharey=True))
    for ax, g in zip(axes, groups, strict=True):
        for k, (term, colour) in enumerate((("inside", "#b2182b"), ("outside", "#2166ac"))):
            sub = t[(t["subgroup"] == g) & (t["term"] == term)].set_index("scale").reindex(names)
            yy = -np.arange(len(names)) + (0.15 if k == 0 else -0.15)
            ax.errorbar(
                sub["estimate"],
                yy,
                xerr=[sub["estimate"] - sub["ci_low"], sub["ci_high"] - sub["estimate"]],
                fmt="o",
                color=colour,
                capsize=3,
                label=f"{term} {g.replace('_', ' ')}",
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(-np.arange(len(names)), [s.replace("_", " ") for s in names], fontsize=8)
        ax.set_title(g.replace("_", " "))
        ax.set_xlabel("effect in baseline SDs (95 % CI)" if standardised else "effect (95 % CI)")
        ax.legend(fontsize=8)
    return fig


def _fmt(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{x:.2f}"


def _fmt_p(x: float) -> str:
    if not np.isfinite(x):
        return "—"
    return "< 0.001" if x < 0.001 else f"{x:.3f}"


def summary_markdown(
    result: EffectsResult,
    *,
    subgroups: SubgroupResult | None = None,
    reliability: ReliabilityResult | None = None,
) -> str:
    """A short plain-language summary of what the numbers do and do not show.

    Parameters
    ----------
    result : EffectsResult
    subgroups : SubgroupResult, optional
    reliability : ReliabilityResult, optional

    Returns
    -------
    str
        Markdown text.
    """
    t = result.table
    lines = [
        f"# Cohesion effects, {result.pre} to {result.post}",
        "",
        "## What was estimated",
        "",
        "- **paired**: the average change in members' scores (no comparison group: it also "
        "contains anything else that changed over the same time).",
        "- **did**: members' change minus the change of registered volunteers who were not selected.",
        "- **did_ipw**: the same, with volunteers weighted by their odds of selection, so they "
        "resemble the people the lottery picked. This is the main estimate of the assembly's effect "
        "on its members.",
    ]
    if "did_ipw_attrition" in set(t["estimator"]):
        lines.append(
            "- **did_ipw_attrition**: did_ipw also weighted for who answered the later survey."
        )
    lines += ["", "## Results (did_ipw, adjusted for testing several scales)", ""]
    main = t[t["estimator"] == "did_ipw"] if "did_ipw" in set(t["estimator"]) else t
    lines.append("| scale | effect | 95 % CI | p (Holm) | Hedges' g | members | volunteers |")
    lines.append("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in main.itertuples(index=False):
        lines.append(
            f"| {r.scale} | {_fmt(r.estimate)} | {_fmt(r.ci_low)} to {_fmt(r.ci_high)} | "
            f"{_fmt_p(r.p_holm)} | {_fmt(r.hedges_g)} | {r.n_member} | {r.n_comparison} |"
        )
    sig = main[main["p_holm"] < result.alpha]
    lines += [""]
    if len(sig):
        ups = [s for s, e in zip(sig["scale"], sig["estimate"], strict=True) if e > 0]
        downs = [s for s, e in zip(sig["scale"], sig["estimate"], strict=True) if e < 0]
        if ups:
            lines.append(
                f"Members' scores rose more than comparable volunteers' on: {', '.join(ups)}."
            )
        if downs:
            lines.append(
                f"Members' scores fell relative to comparable volunteers on: {', '.join(downs)}."
            )
    else:
        lines.append(
            "No scale shows a change that is clearly different from the volunteers' after "
            "allowing for testing several scales. This is not proof of no effect: the panel "
            "may be too small to detect one."
        )
    if subgroups is not None:
        inter = subgroups.table[subgroups.table["term"] == "interaction"]
        hits = inter[inter["p"] < result.alpha]
        lines += ["", "## Subgroups", ""]
        if len(hits):
            for r in hits.itertuples(index=False):
                lines.append(
                    f"- {r.scale}: the effect for the {r.subgroup.replace('_', ' ')} group differs "
                    f"from the rest by {_fmt(r.estimate)} (p = {_fmt_p(r.p)}, not adjusted)."
                )
        else:
            lines.append(
                "No subgroup difference reaches p < 0.05 (not adjusted for multiple tests)."
            )
    if reliability is not None:
        low = reliability.table[reliability.table["alpha"] < 0.7]
        lines += ["", "## Reliability", ""]
        lines.append(
            "Scales with Cronbach's alpha below 0.7 (treat with care): "
            + (", ".join(low["scale"]) if len(low) else "none")
            + "."
        )
    lines += [
        "",
        "## What these numbers do not show",
        "",
        "- Effects are for the people selected, compared with volunteers who registered "
        "but were not selected; they do not say what would happen to the wider public.",
        "- The weighting relies on the recorded selection probabilities being right, and "
        "on volunteers' trends being a fair stand-in for what members' would have been.",
        "- People who missed a survey wave are left out of that comparison; if drop-out "
        "is related to the outcome the estimates can be biased (see did_ipw_attrition).",
        "- Scale scores treat the answer categories as equally spaced numbers.",
        "",
    ]
    return "\n".join(lines)
