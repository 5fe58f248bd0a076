"""The ``minipublic sortition`` commands end to end on CSV files."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from minipublic.cli import app
from minipublic.sortition import synthetic_pool

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sortition")
    sp = synthetic_pool(80, seed=11, panel_size=8, quota_features=("age", "gender", "education"))
    sp.people.to_csv(d / "people.csv", index=False)
    sp.quotas.to_csv(d / "categories.csv", index=False)
    return d


def test_select_verify_replace(files):
    out = files / "run"
    args = ["sortition", "select", str(files / "people.csv"), str(files / "categories.csv")]
    r = runner.invoke(
        app, [*args, "--size", "8", "--seed", "3 1 4", "--out", str(out), "-m", "200"]
    )
    assert r.exit_code == 0, r.output
    panel = pd.read_csv(out / "panel.csv", dtype=str)
    assert len(panel) == 8 and list(panel.columns)[:2] == ["id", "first_name"]
    probs = pd.read_csv(out / "probabilities.csv")
    assert len(probs) == 80 and abs(probs["probability"].sum() - 8) < 1e-6
    dist = pd.read_csv(out / "distribution.csv", dtype=str)
    assert len(dist) == 200 and list(dist.columns) == ["panel", "probability", "ids"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["algorithm"] == "leximin" and manifest["inputs"]["people"]["sha256"]
    assert manifest["draw"]["public_seed"] == "3 1 4"
    r = runner.invoke(app, ["sortition", "verify", str(out), "--seed", "3 1 4"])
    assert r.exit_code == 0 and "VERIFIED" in r.output
    r = runner.invoke(app, ["sortition", "verify", str(out), "--seed", "3 1 5"])
    assert (r.exit_code == 1 and "DOES NOT MATCH" in r.output) or "VERIFIED" in r.output
    # Tampering with the lottery is detected.
    text = (out / "distribution.csv").read_text()
    (out / "distribution.csv").write_text(text.replace("0.005", "0.0050", 1))
    r = runner.invoke(app, ["sortition", "verify", str(out), "--seed", "3 1 4"])
    assert r.exit_code == 1
    (out / "distribution.csv").write_text(text)
    r = runner.invoke(
        app,
        [
            "sortition",
            "replace",
            str(files / "people.csv"),
            str(files / "categories.csv"),
            "--panel",
            str(out / "panel.csv"),
            "--dropped",
            panel["id"][0],
            "--seed",
            "8",
            "--out",
            str(files / "rep"),
            "-m",
            "50",
        ],
    )
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(files / "rep" / "panel.csv")) == 8


def test_two_step_draw(files):
    out = files / "two"
    args = ["sortition", "select", str(files / "people.csv"), str(files / "categories.csv")]
    r = runner.invoke(app, [*args, "--size", "8", "--out", str(out), "-m", "100"])
    assert r.exit_code == 0 and not (out / "panel.csv").exists()
    r = runner.invoke(app, ["sortition", "draw", str(out), "--seed", "42"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["sortition", "verify", str(out), "--seed", "42"])
    assert r.exit_code == 0 and "VERIFIED" in r.output


def test_check_infeasible_and_bad_input(files):
    cats = pd.read_csv(files / "categories.csv")
    cats.loc[cats["value"] == "16-29", ["min", "max"]] = [7, 8]
    cats.loc[cats["value"] == "65+", ["min", "max"]] = [3, 4]
    cats.to_csv(files / "tight.csv", index=False)
    r = runner.invoke(
        app, ["sortition", "check", str(files / "people.csv"), str(files / "tight.csv"), "-k", "8"]
    )
    assert r.exit_code == 1 and "Not feasible" in r.output and "age = 16-29" in r.output
    (files / "bad.csv").write_text("feature,value,min,max\nage,16-29,2,x\n")
    r = runner.invoke(
        app, ["sortition", "check", str(files / "people.csv"), str(files / "bad.csv"), "-k", "8"]
    )
    assert r.exit_code == 2 and "bad.csv, row 2, column max" in r.output
    assert "Traceback" not in r.output


def test_invite_and_followup(files):
    pd.DataFrame({"id": [f"A{i}" for i in range(60)], "ward": ["n"] * 20 + ["s"] * 40}).to_csv(
        files / "addresses.csv", index=False
    )
    pd.DataFrame({"area": ["n"], "weight": [2]}).to_csv(files / "weights.csv", index=False)
    out = files / "inv"
    r = runner.invoke(
        app,
        [
            "sortition",
            "invite",
            str(files / "addresses.csv"),
            "--n",
            "20",
            "--area",
            "ward",
            "--weights",
            str(files / "weights.csv"),
            "--seed",
            "5",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    invited = pd.read_csv(out / "invited.csv")
    assert len(invited) == 20 and set(invited["inclusion_probability"].round(4)) == {0.5, 0.25}
    pd.DataFrame({"id": invited["id"][:2]}).to_csv(files / "resp.csv", index=False)
    r = runner.invoke(
        app, ["sortition", "followup", str(out), "--responses", str(files / "resp.csv")]
    )
    assert r.exit_code == 0, r.output
    fu = pd.read_csv(out / "followup.csv")
    assert set(fu["ward"]) == {"n"} and not set(fu["id"]) & set(invited["id"][:2])
