"""Effects against R (t.test, lm + sandwich HC2, glm, p.adjust) and a simulation with a known effect."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from minipublic.cohesion import effects, subgroup_effects
from minipublic.errors import InputError


@pytest.mark.parametrize("post", ["T1", "T2"])
def test_effects_match_r(survey, r_ref, post):
    responses, scales = survey
    ref = r_ref("r_effects.csv")
    ref = ref[ref["post"] == post]
    res = effects(responses, scales, pre="T0", post=post, attrition=True)
    m = ref.merge(res.table, on=["scale", "estimator"], suffixes=("_r", ""))
    assert len(m) == len(ref) == len(res.table)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-6)
    for c in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[c], m[f"{c}_r"], atol=1e-4)
    for c in ("p", "p_holm", "p_bh"):
        np.testing.assert_allclose(m[c], m[f"{c}_r"], atol=1e-3)
    np.testing.assert_array_equal(m["n_member"], m["n_member_r"])
    np.testing.assert_array_equal(m["n_comparison"], m["n_comparison_r"])
    np.testing.assert_allclose(m["cohen_d"], m["d"], atol=1e-6)
    np.testing.assert_allclose(m["hedges_g"], m["g"], atol=1e-6)
    # the R p-values are not all tiny: the comparison is informative
    assert (ref["p"] > 0.01).sum() >= 3


def test_subgroups_match_r(survey, r_ref):
    responses, scales = survey
    ref = r_ref("r_subgroups.csv")
    ref = ref[ref["post"] == "T1"]
    res = subgroup_effects(responses, scales, pre="T0", post="T1")
    m = ref.merge(res.table, on=["scale", "subgroup", "term"], suffixes=("_r", ""))
    assert len(m) == len(ref) == len(res.table)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-6)
    np.testing.assert_allclose(m["se"], m["se_r"], atol=1e-4)
    np.testing.assert_allclose(m["p"], m["p_r"], atol=1e-3)
    np.testing.assert_array_equal(m["df"], m["df_r"])
    np.testing.assert_array_equal(m["n_in"], m["n_in_r"])
    low = m["subgroup"] == "low_trust"
    np.testing.assert_allclose(m.loc[low, "threshold"], m.loc[low, "threshold_r"])


def test_paired_hand_worked():
    scales = pd.DataFrame(
        {"scale": ["s"], "level": ["micro"], "item": ["y"], "reverse": [0], "min": [0], "max": [10]}
    )
    pre = [2, 3, 4, 5]
    post = [3, 5, 4, 8]  # changes 1, 2, 0, 3: mean 1.5, sd sqrt(5/3)
    rows = []
    for i, (a, b) in enumerate(zip(pre, post, strict=True)):
        rows.append(
            {"person": str(i), "wave": "T0", "arm": "member", "selection_probability": 0.5, "y": a}
        )
        rows.append(
            {"person": str(i), "wave": "T1", "arm": "member", "selection_probability": 0.5, "y": b}
        )
    rows.append(
        {"person": "c", "wave": "T0", "arm": "comparison", "selection_probability": 0.5, "y": 1}
    )
    t = effects(pd.DataFrame(rows), scales, pre="T0", post="T1", estimators=("paired",)).table.iloc[
        0
    ]
    assert t["estimate"] == pytest.approx(1.5)
    assert t["se"] == pytest.approx(np.sqrt(5 / 3) / 2)
    assert t["df"] == 3
    assert t["cohen_d"] == pytest.approx(1.5 / np.std(pre, ddof=1))


def test_did_ipw_recovers_known_effect_where_naive_is_biased():
    """Selection and change both depend on z: naive DiD is biased, odds weighting is not."""
    rng = np.random.default_rng(7)
    n, tau = 6000, 1.0
    z = rng.standard_normal(n)
    p = expit(-1.0 + 1.2 * z)
    member = rng.random(n) < p
    y0 = rng.normal(50, 5, n)
    y1 = y0 + 2.0 * z + tau * member + rng.standard_normal(n)
    arm = np.where(member, "member", "comparison")
    persons = [f"p{i}" for i in range(n)]
    df = pd.concat(
        [
            pd.DataFrame(
                {"person": persons, "wave": "T0", "arm": arm, "selection_probability": p, "y": y0}
            ),
            pd.DataFrame(
                {"person": persons, "wave": "T1", "arm": arm, "selection_probability": p, "y": y1}
            ),
        ]
    )
    scales = pd.DataFrame(
        {
            "scale": ["s"],
            "level": ["macro"],
            "item": ["y"],
            "reverse": [0],
            "min": [-100],
            "max": [200],
        }
    )
    t = effects(df, scales, pre="T0", post="T1").table.set_index("estimator")
    naive, ipw = t.loc["did"], t.loc["did_ipw"]
    assert abs(ipw["estimate"] - tau) < 4 * ipw["se"]
    assert abs(naive["estimate"] - tau) > 10 * naive["se"]
    assert ipw["ci_low"] < tau < ipw["ci_high"]


def test_bad_effect_options(survey):
    responses, scales = survey
    with pytest.raises(InputError, match="no rows for wave 'T9'"):
        effects(responses, scales, pre="T0", post="T9")
    with pytest.raises(InputError, match="unknown estimator"):
        effects(responses, scales, pre="T0", post="T1", estimators=("magic",))
    with pytest.raises(InputError, match="same wave"):
        effects(responses, scales, pre="T0", post="T0")
    with pytest.raises(InputError, match="needs a column"):
        subgroup_effects(responses, scales, pre="T0", post="T1", subgroups=("renter",))
