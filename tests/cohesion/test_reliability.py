"""Alpha, omega total, omega hierarchical and item-total correlations against psych / lavaan."""

import numpy as np
import pytest

from minipublic.cohesion import cronbach_alpha, omega_hierarchical, omega_total, reliability


def test_alpha_hand_worked():
    # items (1,2,3,4) and (2,3,3,5): variances 5/3 and 5/3*... computed by hand:
    # var(x1)=1.6667, var(x2)=1.5833, var(sum)=6.25 -> alpha = 2*(1 - 3.25/6.25) = 0.96
    x = np.array([[1, 2], [2, 3], [3, 3], [4, 5]], dtype=float)
    assert cronbach_alpha(x) == pytest.approx(2 * (1 - (5 / 3 + 19 / 12) / (25 / 4)))


def test_omega_exact_one_factor_population():
    """Data whose covariance is exactly a one-factor model give omega from its parameters."""
    lam = np.array([1.0, 0.8, 0.6, 0.7])
    theta = np.array([0.5, 0.4, 0.6, 0.3])
    sigma = np.outer(lam, lam) + np.diag(theta)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((400, 4))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    x = z @ np.linalg.cholesky(sigma).T  # sample covariance equals sigma exactly
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    assert omega_total(x) == pytest.approx(expected, abs=1e-7)


def test_reliability_matches_psych_and_lavaan(survey, r_ref):
    responses, scales = survey
    ref = r_ref("r_reliability_T0.csv").set_index("scale")
    res = reliability(responses, scales, wave="T0").table.set_index("scale")
    assert list(res.index) == list(ref.index)
    np.testing.assert_allclose(res["alpha"], ref["alpha"], atol=1e-4)
    np.testing.assert_allclose(res["omega_total"], ref["omega_total"], atol=1e-4)  # NaN for 2 items
    np.testing.assert_array_equal(res["n"], ref["n"])
    items = r_ref("r_item_total_T0.csv")
    it = reliability(responses, scales, wave="T0").item_total
    m = items.merge(it, on=["scale", "item"], suffixes=("_r", ""))
    assert len(m) == len(items)
    np.testing.assert_allclose(m["r_item_rest"], m["r_item_rest_r"], atol=1e-6)
    # alpha of a single remaining item is undefined: NaN here (psych prints a number)
    ok = m["alpha_if_deleted"].notna()
    sizes = scales.groupby("scale").size()
    assert set(m.loc[~ok, "scale"]) == set(sizes[sizes == 2].index)
    np.testing.assert_allclose(
        m.loc[ok, "alpha_if_deleted"], m.loc[ok, "alpha_if_deleted_r"], atol=1e-6
    )


def test_omega_hierarchical_matches_lavaan_bifactor(survey, r_ref):
    responses, scales = survey
    ref = r_ref("r_omega_h_T0.csv").iloc[0]
    keep = ref["scales"].split(";")
    sub = scales[scales["scale"].isin(keep)]
    omega_h, model = omega_hierarchical(responses[responses.columns], sub, wave="T0")
    assert model.n[0] == ref["n"]
    assert model.fit["chisq"] == pytest.approx(ref["chisq"], abs=1e-2)
    assert omega_h == pytest.approx(ref["omega_h"], abs=1e-4)


def test_progress_callback_is_called(survey):
    responses, scales = survey
    seen = []
    reliability(responses, scales, wave="T0", progress=lambda f, m: seen.append(f))
    assert seen[-1] == pytest.approx(1.0)
    assert len(seen) == scales["scale"].nunique()
