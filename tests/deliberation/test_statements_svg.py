"""map.svg written directly: well-formed, one dot per participant, and matplotlib on request."""

import xml.etree.ElementTree as ET

import pandas as pd
from typer.testing import CliRunner

from minipublic.cli import app
from minipublic.deliberation.statements import statement_map
from minipublic.deliberation.statements._svg import map_svg

NS = "{http://www.w3.org/2000/svg}"


def two_camps():
    rows = [
        (p, s, 1 if (p < 12) == (s < 4) else -1)
        for p in range(24)
        for s in range(8)
        if p != 23 or s < 2
    ]
    return pd.DataFrame(rows, columns=["participant", "statement", "vote"])


def test_direct_svg_has_a_dot_per_participant_and_a_legend():
    m = statement_map(two_camps(), seed=0)
    root = ET.fromstring(map_svg(m).split("\n", 1)[1])
    assert root.tag == f"{NS}svg"
    groups = [g for g in root.iter(f"{NS}g")]
    dots = sum(len(list(g.iter(f"{NS}circle"))) for g in groups)
    assert dots == len(m.participants)
    text = " ".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert f"{m.n_groups} groups" in text and "group A" in text and "group B" in text
    assert "not clustered" in text  # participant 23 voted twice only


def test_cli_svg_options(tmp_path):
    votes = tmp_path / "votes.csv"
    two_camps().to_csv(votes, index=False)
    runner = CliRunner()
    fast = runner.invoke(app, ["statements", "map", str(votes), "--out", str(tmp_path / "a")])
    assert fast.exit_code == 0, fast.output
    assert "<circle" in (tmp_path / "a" / "map.svg").read_text()
    slow = runner.invoke(
        app, ["statements", "map", str(votes), "--out", str(tmp_path / "b"), "--svg", "matplotlib"]
    )
    assert slow.exit_code == 0, slow.output
    assert "matplotlib" in (tmp_path / "b" / "map.svg").read_text()
    for name in ("groups.csv", "statements.csv", "map.json"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    bad = runner.invoke(
        app, ["statements", "map", str(votes), "--out", str(tmp_path), "--svg", "png"]
    )
    assert bad.exit_code == 2 and "Traceback" not in bad.output
