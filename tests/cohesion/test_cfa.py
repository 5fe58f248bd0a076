"""The ML CFA engine: gradient, an exact population case, and lavaan's loadings and fit indices."""

import numpy as np
import pandas as pd
import pytest

from minipublic.cohesion import cfa, invariance
from minipublic.cohesion._cfa import _build_spec, _objective, _start


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    items = ["a", "b", "c", "d", "e", "f"]
    spec = _build_spec(
        items,
        {"F1": items[:3], "F2": items[3:]},
        2,
        meanstructure=True,
        equal=("loadings", "intercepts"),
    )
    S, M = [], []
    for _ in range(2):
        x = rng.standard_normal((50, 6)) + rng.standard_normal((50, 1))
        S.append(np.cov(x.T, bias=True))
        M.append(x.mean(0))
    theta = _start(spec, S, M, std_lv=False) + 0.05 * rng.standard_normal(spec.n_free)
    w = np.array([0.4, 0.6])
    f, g = _objective(theta, spec, S, M, w)
    num = np.zeros_like(theta)
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = 1e-6
        num[i] = (
            _objective(theta + e, spec, S, M, w)[0] - _objective(theta - e, spec, S, M, w)[0]
        ) / 2e-6
    np.testing.assert_allclose(g, num, atol=1e-6)


def _compare_cfa(res, r_ref, by):
    ref_l = r_ref(f"r_cfa_{by}_T0_loadings.csv")
    m = ref_l.merge(res.loadings, on=["factor", "item"], suffixes=("_r", ""))
    assert len(m) == len(ref_l)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-3)
    np.testing.assert_allclose(m["std_all"], m["std_all_r"], atol=1e-3)
    fit = r_ref(f"r_cfa_{by}_T0_fit.csv").set_index("measure")["value"]
    assert res.fit["df"] == fit["df"]
    assert res.n[0] == r_ref(f"r_cfa_{by}_T0_fit.csv")["n"].iloc[0]
    for k in ("chisq", "cfi", "tli", "rmsea", "srmr"):
        assert res.fit[k] == pytest.approx(fit[k], abs=1e-2), k
    assert res.fit["chisq_baseline"] == pytest.approx(fit["baseline.chisq"], abs=1e-2)


@pytest.mark.parametrize("by", ["scale", "level"])
def test_cfa_matches_lavaan(survey, r_ref, by):
    responses, scales = survey
    res = cfa(responses, scales, wave="T0", by=by)
    assert res.converged
    _compare_cfa(res, r_ref, by)


def test_invariance_matches_lavaan(survey, r_ref):
    responses, scales = survey
    ref = r_ref("r_invariance.csv").set_index("model")
    res = invariance(responses, scales)
    assert res.waves == ref["groups"].iloc[0].split(";")
    t = res.table.set_index("model")
    for model in ("configural", "metric", "scalar"):
        assert t.loc[model, "df"] == ref.loc[model, "df"]
        for k in ("chisq", "cfi", "tli", "rmsea", "srmr"):
            assert t.loc[model, k] == pytest.approx(ref.loc[model, k], abs=1e-2), (model, k)
    for model in ("metric", "scalar"):
        assert t.loc[model, "delta_chisq"] == pytest.approx(ref.loc[model, "delta_chisq"], abs=1e-2)
        assert t.loc[model, "delta_df"] == ref.loc[model, "delta_df"]
        assert t.loc[model, "p_delta"] == pytest.approx(ref.loc[model, "p_delta"], abs=1e-3)
    assert all(m.converged for m in res.models.values())
    # Metric model: one loading table shared by every wave.
    ld = res.models["metric"].loadings.pivot(index="item", columns="group", values="estimate")
    np.testing.assert_allclose(ld.max(axis=1), ld.min(axis=1), atol=1e-12)


def test_exact_population_model_has_zero_chisq():
    """Covariance generated exactly by a two-factor model: chi-square 0, CFI 1, RMSEA 0."""
    from minipublic.cohesion._cfa import _run_cfa

    lam = np.array([[1, 0], [0.8, 0], [0.7, 0], [0, 1], [0, 1.2], [0, 0.5]])
    psi = np.array([[1.0, 0.3], [0.3, 0.8]])
    sigma = lam @ psi @ lam.T + np.diag([0.5, 0.4, 0.6, 0.3, 0.5, 0.7])
    rng = np.random.default_rng(2)
    z = rng.standard_normal((300, 6))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    x = z @ np.linalg.cholesky(sigma).T
    items = list("abcdef")
    res = _run_cfa([x], items, {"F1": items[:3], "F2": items[3:]}, group_labels=["all"])
    assert res.fit["chisq"] == pytest.approx(0.0, abs=1e-6)
    assert res.fit["rmsea"] == 0.0
    assert res.fit["cfi"] == pytest.approx(1.0)
    est = res.loadings.set_index("item")["estimate"]
    np.testing.assert_allclose(est.to_numpy(), [1, 0.8, 0.7, 1, 1.2, 0.5], atol=1e-5)
    par = res.parameters
    cov = par[(par.kind == "factor_covariance") & (par.lhs == "F2") & (par.rhs == "F1")]["estimate"]
    assert float(cov.iloc[0]) == pytest.approx(0.3, abs=1e-5)
    assert isinstance(res.parameters, pd.DataFrame)
