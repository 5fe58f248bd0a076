"""``minipublic statements dri`` on CSV files."""

import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from minipublic.cli import app
from minipublic.deliberation.dri import (
    deliberative_reason_index,
    read_considerations,
    read_preferences,
)

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    cons, prefs = [], []
    for stage in ("pre", "post"):
        for p in range(12):
            x = rng.uniform(-1, 1)
            noise = 1.5 if stage == "pre" else 0.2
            ratings = np.round(6 + 4 * x * np.linspace(-1, 1, 10) + rng.normal(0, noise, 10))
            ranks = np.argsort(np.argsort(-(x * np.linspace(-1, 1, 4) + rng.normal(0, noise, 4))))
            cons += [(f"m{p}", stage, f"c{c}", ratings[c]) for c in range(10)]
            prefs += [(f"m{p}", stage, f"o{o}", ranks[o] + 1) for o in range(4)]
    c = tmp_path / "considerations.csv"
    o = tmp_path / "preferences.csv"
    pd.DataFrame(cons, columns=["participant", "stage", "consideration", "rating"]).to_csv(
        c, index=False
    )
    pd.DataFrame(prefs, columns=["participant", "stage", "option", "rank"]).to_csv(o, index=False)
    return c, o


def test_writes_dri_individual_and_plot(files, tmp_path):
    c, o = files
    out = tmp_path / "out"
    args = ["statements", "dri", str(c), str(o), "--out", str(out), "--seed", "4"]
    result = runner.invoke(app, [*args, "--permutations", "200"])
    assert result.exit_code == 0, result.output
    dri = pd.read_csv(out / "dri.csv")
    assert list(dri.columns) == [
        "stage",
        "dri",
        "n_participants",
        "n_pairs",
        "n_pairs_dropped",
        "p_value",
    ]
    assert dri["stage"].tolist() == ["pre", "post"]
    individual = pd.read_csv(out / "individual.csv")
    assert list(individual.columns) == ["participant", "stage", "dri"]
    assert len(individual) == 24
    # Full precision: the CSV holds exactly the values the function returns.
    expected = deliberative_reason_index(
        read_considerations(c), read_preferences(o), permutations=200, seed=4
    )
    assert dri["dri"].tolist() == expected.stages["dri"].tolist()
    assert dri["p_value"].tolist() == expected.stages["p_value"].tolist()
    assert individual["dri"].tolist() == expected.individual["dri"].tolist()
    pairs = pd.read_csv(out / "pairs.csv")
    assert list(pairs.columns) == ["stage", "a", "b", "q", "r", "d"] and len(pairs) == 2 * 66
    svg = (out / "consistency.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<circle") == 2 * 66
    assert "pre: DRI" in svg and "post: DRI" in svg
    assert "Change post - pre" in result.output and "Seed 4" in result.output
    assert math.isclose(expected.change, dri["dri"][1] - dri["dri"][0])


def test_bad_rating_is_one_line_exit_2(files, tmp_path):
    c, o = files
    lines = c.read_text().splitlines()
    lines[5] = "m0,pre,c4,lots"
    c.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["statements", "dri", str(c), str(o), "--out", str(out)])
    assert result.exit_code == 2
    assert "row 6" in result.output and "column rating" in result.output
    assert "'lots' is not a number" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written


def test_missing_file_and_missing_column(files, tmp_path):
    c, o = files
    result = runner.invoke(
        app, ["statements", "dri", str(tmp_path / "nope.csv"), str(o), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "nope.csv: file not found" in result.output
    o.write_text("participant,stage,option\nm0,pre,o1\n")
    result = runner.invoke(app, ["statements", "dri", str(c), str(o), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "preferences.csv, row 1, column rank: missing column 'rank'" in result.output
    assert "Traceback" not in result.output


def test_negative_permutations_rejected(files, tmp_path):
    c, o = files
    result = runner.invoke(
        app,
        ["statements", "dri", str(c), str(o), "--out", str(tmp_path), "--permutations", "-1"],
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
