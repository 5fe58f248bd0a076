"""Instrument bank API, the simulator, plots and the plain-language summary."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from minipublic.cohesion import (
    check_scales,
    effects,
    instrument_bank,
    instrument_scales,
    plot_change_by_wave,
    plot_forest,
    plot_subgroups,
    score_scales,
    simulate_survey,
    subgroup_effects,
    summary_markdown,
    survey_items,
)
from minipublic.errors import InputError


def test_bank_covers_three_levels_with_sources():
    bank = instrument_bank()
    assert {"macro", "meso", "micro", "registration", "policy"} <= set(bank["level"])
    assert bank["text_en"].str.len().min() > 10
    assert bank["source"].str.len().min() > 5
    assert bank["item"].is_unique
    short = instrument_bank(form="short")
    assert set(short["item"]) < set(bank["item"])
    assert {"trust_parliament", "reason_no_point", "trust_people"} <= set(short["item"])
    check_scales(instrument_scales())  # the bank yields a valid scales table
    with pytest.raises(InputError):
        instrument_bank(form="medium")


def test_survey_items_welsh_falls_back_to_english():
    items = survey_items(form="short", language="cy")
    assert all(i["language"] == "en" for i in items)
    assert items[0]["text"] == instrument_bank(form="short")["text_en"].iloc[0]


def test_simulator_is_seeded():
    a, _ = simulate_survey(n_pool=50, n_public=5, seed=4)
    b, _ = simulate_survey(n_pool=50, n_public=5, seed=4)
    c, _ = simulate_survey(n_pool=50, n_public=5, seed=5)
    assert a.equals(b)
    assert not a.equals(c)


def test_plots_and_summary(survey):
    responses, scales = survey
    res = effects(responses, scales, pre="T0", post="T1")
    sub = subgroup_effects(responses, scales, pre="T0", post="T1")
    figs = [
        plot_forest(res),
        plot_change_by_wave(score_scales(responses, scales)),
        plot_subgroups(sub),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    assert len(figs[0].axes[0].lines) > 0
    text = summary_markdown(res, subgroups=sub)
    assert "did_ipw" in text and "do not show" in text
    main = res.table[res.table["estimator"] == "did_ipw"]
    for s in main["scale"]:
        assert f"| {s} |" in text
    assert np.isfinite(main["estimate"]).all()
    # the baseline SD behind the standardised plots is the one behind Cohen's d
    np.testing.assert_allclose(res.table["estimate"] / res.table["sd_pre"], res.table["cohen_d"])
    assert "< 0.001" in text or "0." in text
