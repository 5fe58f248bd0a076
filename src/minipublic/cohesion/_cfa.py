"""Confirmatory factor analysis by maximum likelihood (the engine behind ω, CFA and invariance).

Conventions follow lavaan's defaults (Rosseel 2012) so results can be checked
against it: estimator ML with ``likelihood = "normal"`` (sample covariance with
divisor N, chi-square = N x F_ML), marker-variable identification (the first
item of each factor has loading 1, factor variances free; ``std.lv = FALSE``),
correlated factors, listwise deletion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats


@dataclass(frozen=True)
class _Spec:
    """Index tables of a (multi-group) CFA: -1 marks a fixed entry."""

    items: list[str]
    factors: list[str]
    lam_idx: list[np.ndarray]  # per group, p x m
    lam_fix: list[np.ndarray]
    psi_idx: list[np.ndarray]  # m x m, symmetric indices
    psi_fix: list[np.ndarray]
    theta_idx: list[np.ndarray]  # p
    nu_idx: list[np.ndarray] | None  # p
    alpha_idx: list[np.ndarray] | None  # m
    n_free: int


def _build_spec(
    items: list[str],
    pattern: dict[str, list[str]],
    n_groups: int,
    *,
    meanstructure: bool,
    equal: tuple[str, ...] = (),
    std_lv: bool = False,
    orthogonal: bool = False,
) -> _Spec:
    factors = list(pattern)
    p, m = len(items), len(factors)
    pos = {it: j for j, it in enumerate(items)}
    counter = [0]

    def new() -> int:
        counter[0] += 1
        return counter[0] - 1

    lam_idx, lam_fix, psi_idx, psi_fix, theta_idx, nu_idx, alpha_idx = [], [], [], [], [], [], []
    for g in range(n_groups):
        li = np.full((p, m), -1)
        lf = np.zeros((p, m))
        for k, f in enumerate(factors):
            for r, it in enumerate(pattern[f]):
                j = pos[it]
                if r == 0 and not std_lv:
                    lf[j, k] = 1.0
                elif g > 0 and "loadings" in equal:
                    li[j, k] = lam_idx[0][j, k]
                else:
                    li[j, k] = new()
        pi = np.full((m, m), -1)
        pf = np.zeros((m, m))
        for k in range(m):
            if std_lv:
                pf[k, k] = 1.0
            else:
                pi[k, k] = new()
        if not orthogonal:
            for k in range(m):
                for k2 in range(k):
                    pi[k, k2] = pi[k2, k] = new()
        ti = np.array([new() for _ in range(p)])
        lam_idx.append(li)
        lam_fix.append(lf)
        psi_idx.append(pi)
        psi_fix.append(pf)
        theta_idx.append(ti)
        if meanstructure:
            if g > 0 and "intercepts" in equal:
                nu_idx.append(nu_idx[0].copy())
                alpha_idx.append(np.array([new() for _ in range(m)]))
            else:
                nu_idx.append(np.array([new() for _ in range(p)]))
                alpha_idx.append(np.full(m, -1))
    return _Spec(
        items=list(items),
        factors=factors,
        lam_idx=lam_idx,
        lam_fix=lam_fix,
        psi_idx=psi_idx,
        psi_fix=psi_fix,
        theta_idx=theta_idx,
        nu_idx=nu_idx if meanstructure else None,
        alpha_idx=alpha_idx if meanstructure else None,
        n_free=counter[0],
    )


def _fill(idx: np.ndarray, fix: np.ndarray | None, theta: np.ndarray) -> np.ndarray:
    out = np.zeros(idx.shape) if fix is None else fix.copy()
    free = idx >= 0
    out[free] = theta[idx[free]]
    return out


def _matrices(spec: _Spec, theta: np.ndarray, g: int):
    lam = _fill(spec.lam_idx[g], spec.lam_fix[g], theta)
    psi = _fill(spec.psi_idx[g], spec.psi_fix[g], theta)
    th = theta[spec.theta_idx[g]]
    if spec.nu_idx is not None:
        nu = theta[spec.nu_idx[g]]
        alpha = _fill(spec.alpha_idx[g], None, theta)
    else:
        nu = alpha = None
    return lam, psi, th, nu, alpha


def _implied(spec: _Spec, theta: np.ndarray, g: int):
    lam, psi, th, nu, alpha = _matrices(spec, theta, g)
    sigma = lam @ psi @ lam.T + np.diag(th)
    mu = None if nu is None else nu + lam @ alpha
    return sigma, mu


def _objective(theta, spec, S, M, w):
    """Sum over groups of w_g * F_ML,g and its gradient (w_g = N_g / N)."""
    f = 0.0
    grad = np.zeros_like(theta)
    for g in range(len(S)):
        lam, psi, th, nu, alpha = _matrices(spec, theta, g)
        sigma = lam @ psi @ lam.T + np.diag(th)
        try:
            c = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros_like(theta)
        logdet = 2.0 * np.log(np.diag(c)).sum()
        inv = np.linalg.inv(sigma)
        A = S[g]
        if nu is not None:
            d = M[g] - (nu + lam @ alpha)
            A = A + np.outer(d, d)
        p = len(th)
        _, logdet_s = np.linalg.slogdet(S[g])
        fg = logdet + np.trace(A @ inv) - logdet_s - p
        f += w[g] * fg
        G = inv - inv @ A @ inv
        glam = 2.0 * G @ lam @ psi
        gpsi = lam.T @ G @ lam
        if nu is not None:
            v = inv @ d
            glam = glam - 2.0 * np.outer(v, alpha)
            np.add.at(grad, spec.nu_idx[g], w[g] * (-2.0 * v))
            ai = spec.alpha_idx[g]
            ga = -2.0 * lam.T @ v
            np.add.at(grad, ai[ai >= 0], w[g] * ga[ai >= 0])
        li = spec.lam_idx[g]
        np.add.at(grad, li[li >= 0], w[g] * glam[li >= 0])
        pi = spec.psi_idx[g]
        # a free off-diagonal psi appears twice (k,l) and (l,k): summing over
        # both entries of the full matrix gives the derivative of the symmetric parameter
        np.add.at(grad, pi[pi >= 0], w[g] * gpsi[pi >= 0])
        np.add.at(grad, spec.theta_idx[g], w[g] * np.diag(G))
    return f, grad


def _start(spec: _Spec, S, M, *, std_lv: bool) -> np.ndarray:
    theta = np.zeros(spec.n_free)
    pos = {it: j for j, it in enumerate(spec.items)}
    for g in range(len(S)):
        s = S[g]
        for k in range(len(spec.factors)):
            js = np.flatnonzero((spec.lam_idx[g][:, k] >= 0) | (spec.lam_fix[g][:, k] != 0))
            sub = s[np.ix_(js, js)]
            vals, vecs = np.linalg.eigh(sub)
            load = vecs[:, -1] * np.sqrt(max(vals[-1], 1e-6))
            if load.sum() < 0:
                load = -load
            if std_lv:
                scale, var = 1.0, 1.0
                if len(spec.factors) > 1 and len(js) == len(spec.items):
                    load = load * 0.8  # a general factor: leave room for the specific ones
            else:
                marker = next(i for i, j in enumerate(js) if spec.lam_fix[g][j, k] != 0)
                scale = load[marker] if abs(load[marker]) > 1e-6 else 1.0
                var = scale**2
            for i, j in enumerate(js):
                if spec.lam_idx[g][j, k] >= 0:
                    theta[spec.lam_idx[g][j, k]] = load[i] / scale
            if spec.psi_idx[g][k, k] >= 0:
                theta[spec.psi_idx[g][k, k]] = var
        theta[spec.theta_idx[g]] = 0.5 * np.diag(s)
        if spec.nu_idx is not None:
            theta[spec.nu_idx[g]] = M[g]
    del pos
    return theta


@dataclass(frozen=True)
class _Fit:
    spec: _Spec
    theta: np.ndarray
    fmin: float
    converged: bool
    n_iter: int
    message: str


def _fit(spec: _Spec, S, M, N, *, std_lv: bool, maxiter: int = 20000) -> _Fit:
    """Minimise the ML discrepancy (trusts its input: S are N-divisor covariances)."""
    w = np.asarray(N, dtype=float) / float(np.sum(N))
    theta0 = _start(spec, S, M, std_lv=std_lv)
    res = optimize.minimize(
        _objective,
        theta0,
        args=(spec, S, M, w),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": maxiter, "maxcor": 30, "ftol": 1e-15, "gtol": 1e-10},
    )
    # Polish with BFGS from the L-BFGS solution: tighter final gradient.
    res2 = optimize.minimize(
        _objective,
        res.x,
        args=(spec, S, M, w),
        jac=True,
        method="BFGS",
        options={"maxiter": 2000, "gtol": 1e-9},
    )
    best = res2 if res2.fun <= res.fun else res
    gnorm = float(np.max(np.abs(_objective(best.x, spec, S, M, w)[1]))) if spec.n_free else 0.0
    converged = gnorm < 1e-5
    return _Fit(
        spec, best.x, float(best.fun), converged, int(res.nit + res2.nit), str(best.message)
    )


def _moments(groups: list[np.ndarray]):
    S, M, N = [], [], []
    for x in groups:
        n = x.shape[0]
        mean = x.mean(axis=0)
        xc = x - mean
        S.append(xc.T @ xc / n)  # divisor N: lavaan likelihood = "normal"
        M.append(mean)
        N.append(n)
    return S, M, N


def _standardise(groups: list[np.ndarray]):
    """Divide every item by its pooled SD to condition the optimiser (ML is scale invariant)."""
    allx = np.vstack(groups)
    sd = allx.std(axis=0)
    sd[sd == 0] = 1.0
    return [x / sd for x in groups], sd


@dataclass(frozen=True)
class CFAResult:
    """A fitted confirmatory factor model.

    Attributes
    ----------
    loadings : pandas.DataFrame
        ``group, factor, item, estimate, std_all`` (unstandardised loading and
        completely standardised loading).
    parameters : pandas.DataFrame
        Every parameter: ``group, kind, lhs, rhs, estimate, free`` with ``kind`` one
        of ``loading, factor_covariance, residual_variance, intercept, factor_mean``.
    fit : dict
        ``chisq, df, pvalue, chisq_baseline, df_baseline, cfi, tli, rmsea, srmr,
        n, n_groups, n_free``.
    groups : list of str
        Group labels (waves for an invariance model; ``["all"]`` otherwise).
    n : list of int
        Complete cases used per group (listwise deletion).
    method : str
    converged : bool
    iterations : int
    """

    loadings: pd.DataFrame
    parameters: pd.DataFrame
    fit: dict
    groups: list[str]
    n: list[int]
    method: str
    converged: bool
    iterations: int
    pattern: dict = field(default_factory=dict)


def _fit_indices(fit: _Fit, S, M, N) -> dict:
    spec = fit.spec
    G = len(S)
    p = len(spec.items)
    ntot = float(np.sum(N))
    meanstructure = spec.nu_idx is not None
    chisq = ntot * fit.fmin
    n_moments = G * (p * (p + 1) // 2 + (p if meanstructure else 0))
    df = n_moments - spec.n_free
    # Baseline (independence) model: diagonal covariance, free means, per group.
    chisq_b = 0.0
    for g in range(G):
        _, logdet_s = np.linalg.slogdet(S[g])
        chisq_b += N[g] * (np.log(np.diag(S[g])).sum() - logdet_s)
    df_b = G * p * (p - 1) // 2
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1.0 if t2 == 0 else 1.0 - t1 / t2
    tli = (chisq_b / df_b - chisq / df) / (chisq_b / df_b - 1.0) if df > 0 else 1.0
    rmsea = np.sqrt(max(chisq / ntot / df - 1.0 / ntot, 0.0)) * np.sqrt(G) if df > 0 else 0.0
    srmr = 0.0
    low = np.tril_indices(p)
    for g in range(G):
        sigma, mu = _implied(spec, fit.theta, g)
        sd = np.sqrt(np.diag(S[g]))
        r = ((S[g] - sigma) / np.outer(sd, sd))[low]
        terms = list(r**2)
        if meanstructure:
            terms += list(((M[g] - mu) / sd) ** 2)
        srmr += N[g] / ntot * np.sqrt(np.mean(terms))
    return {
        "chisq": float(chisq),
        "df": int(df),
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "chisq_baseline": float(chisq_b),
        "df_baseline": int(df_b),
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": float(rmsea),
        "srmr": float(srmr),
        "n": int(ntot),
        "n_groups": G,
        "n_free": spec.n_free,
    }


def _run_cfa(
    groups: list[np.ndarray],
    items: list[str],
    pattern: dict[str, list[str]],
    *,
    group_labels: list[str],
    meanstructure: bool = False,
    equal: tuple[str, ...] = (),
    std_lv: bool = False,
    orthogonal: bool = False,
) -> CFAResult:
    """Fit a CFA on complete-case arrays (one per group). Trusts its input."""
    zgroups, sd = _standardise(groups)
    S, M, N = _moments(zgroups)
    spec = _build_spec(
        items,
        pattern,
        len(groups),
        meanstructure=meanstructure,
        equal=equal,
        std_lv=std_lv,
        orthogonal=orthogonal,
    )
    fit = _fit(spec, S, M, N, std_lv=std_lv)
    fitstats = _fit_indices(fit, S, M, N)
    # Back to the items' own units: x = D x*, marker loadings stay 1.
    factors = spec.factors
    pos = {it: j for j, it in enumerate(items)}
    marker_sd = np.array([1.0 if std_lv else sd[pos[pattern[f][0]]] for f in factors])
    load_rows, par_rows = [], []
    for g, label in enumerate(group_labels):
        lam, psi, th, nu, alpha = _matrices(spec, fit.theta, g)
        lam = sd[:, None] * lam / marker_sd[None, :]
        psi = psi * np.outer(marker_sd, marker_sd)
        th = th * sd**2
        sigma = lam @ psi @ lam.T + np.diag(th)
        for k, f in enumerate(factors):
            for it in pattern[f]:
                j = pos[it]
                est = lam[j, k]
                std_all = est * np.sqrt(psi[k, k]) / np.sqrt(sigma[j, j])
                load_rows.append(
                    {"group": label, "factor": f, "item": it, "estimate": est, "std_all": std_all}
                )
                par_rows.append(
                    {
                        "group": label,
                        "kind": "loading",
                        "lhs": f,
                        "rhs": it,
                        "estimate": est,
                        "free": bool(spec.lam_idx[g][j, k] >= 0),
                    }
                )
        for k, f in enumerate(factors):
            for k2 in range(k + 1):
                if spec.psi_idx[g][k, k2] >= 0 or k == k2:
                    par_rows.append(
                        {
                            "group": label,
                            "kind": "factor_covariance",
                            "lhs": f,
                            "rhs": factors[k2],
                            "estimate": psi[k, k2],
                            "free": bool(spec.psi_idx[g][k, k2] >= 0),
                        }
                    )
        for j, it in enumerate(items):
            par_rows.append(
                {
                    "group": label,
                    "kind": "residual_variance",
                    "lhs": it,
                    "rhs": it,
                    "estimate": th[j],
                    "free": True,
                }
            )
        if nu is not None:
            nu_o = nu * sd
            alpha_o = alpha * marker_sd
            for j, it in enumerate(items):
                par_rows.append(
                    {
                        "group": label,
                        "kind": "intercept",
                        "lhs": it,
                        "rhs": "",
                        "estimate": nu_o[j],
                        "free": True,
                    }
                )
            for k, f in enumerate(factors):
                par_rows.append(
                    {
                        "group": label,
                        "kind": "factor_mean",
                        "lhs": f,
                        "rhs": "",
                        "estimate": alpha_o[k],
                        "free": bool(spec.alpha_idx[g][k] >= 0),
                    }
                )
    method = (
        "ML (likelihood normal, N-divisor covariance), "
        + ("std.lv identification" if std_lv else "marker-variable identification")
        + (", orthogonal factors" if orthogonal else "")
        + (", mean structure" if meanstructure else "")
        + (f", equal {'+'.join(equal)}" if equal else "")
        + ", listwise deletion"
    )
    return CFAResult(
        loadings=pd.DataFrame(load_rows),
        parameters=pd.DataFrame(par_rows),
        fit=fitstats,
        groups=list(group_labels),
        n=[int(x) for x in N],
        method=method,
        converged=fit.converged,
        iterations=fit.n_iter,
        pattern={k: list(v) for k, v in pattern.items()},
    )
