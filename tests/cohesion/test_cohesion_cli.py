"""The ``minipublic cohesion`` commands on the committed fixtures."""

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from minipublic.cli import app

FIX = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def test_reliability_command(tmp_path, r_ref):
    out = tmp_path / "rel"
    res = runner.invoke(
        app,
        [
            "cohesion",
            "reliability",
            str(FIX / "responses.csv"),
            str(FIX / "scales.csv"),
            "--wave",
            "T0",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out / "reliability.csv")
    assert list(got.columns) == ["scale", "alpha", "omega_total", "n"]
    ref = r_ref("r_reliability_T0.csv")
    np.testing.assert_allclose(got["alpha"], ref["alpha"], atol=1e-4)
    # full precision, not rounded figures
    first = (out / "reliability.csv").read_text().splitlines()[1].split(",")[1]
    assert len(first.replace("0.", "")) >= 10


def test_effects_command(tmp_path, r_ref):
    out = tmp_path / "eff"
    res = runner.invoke(
        app,
        [
            "cohesion",
            "effects",
            str(FIX / "responses.csv"),
            str(FIX / "scales.csv"),
            "--pre",
            "T0",
            "--post",
            "T1",
            "--out",
            str(out),
            "--plots",
            "svg",
        ],
    )
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out / "effects.csv")
    assert list(got.columns) == [
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
    ]
    assert set(got["estimator"]) == {"paired", "did", "did_ipw"}
    ref = r_ref("r_effects.csv")
    m = ref[ref["post"] == "T1"].merge(got, on=["scale", "estimator"], suffixes=("_r", ""))
    assert len(m) == len(got)
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], atol=1e-6)
    for name in (
        "summary.md",
        "forest.svg",
        "change_by_wave.svg",
        "subgroups.svg",
        "subgroups.csv",
    ):
        assert (out / name).is_file(), name


def test_cfa_command(tmp_path):
    out = tmp_path / "cfa"
    res = runner.invoke(
        app,
        [
            "cohesion",
            "cfa",
            str(FIX / "responses.csv"),
            str(FIX / "scales.csv"),
            "--wave",
            "T0",
            "--by",
            "level",
            "--no-invariance",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    fit = pd.read_csv(out / "cfa_fit.csv")
    assert {"chisq", "df", "cfi", "tli", "rmsea", "srmr"} <= set(fit.columns)
    assert not (out / "invariance.csv").exists()


def test_bad_input_is_one_red_line(tmp_path):
    res = runner.invoke(
        app,
        [
            "cohesion",
            "reliability",
            str(FIX / "responses.csv"),
            str(FIX / "scales.csv"),
            "--wave",
            "T9",
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 2
    assert "no rows for wave 'T9'" in res.output
    assert "Traceback" not in res.output


def test_instruments_and_simulate(tmp_path):
    res = runner.invoke(
        app, ["cohesion", "instruments", "--form", "short", "--out", str(tmp_path / "bank.csv")]
    )
    assert res.exit_code == 0, res.output
    assert "text_en" in pd.read_csv(tmp_path / "bank.csv").columns
    res = runner.invoke(
        app,
        [
            "cohesion",
            "simulate",
            "--out",
            str(tmp_path / "sim"),
            "--n-pool",
            "80",
            "--n-public",
            "10",
            "--seed",
            "2",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "sim" / "responses.csv").is_file()
