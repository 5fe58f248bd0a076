"""``minipublic statements map`` and ``similar`` on CSV files."""

import json

import pandas as pd
from typer.testing import CliRunner

from minipublic.cli import app

runner = CliRunner()


def test_map_writes_all_outputs(polis_dir, tmp_path):
    folder = polis_dir("brexit-consensus")
    out = tmp_path / "map"
    result = runner.invoke(
        app,
        [
            "statements",
            "map",
            str(folder / "votes.csv"),
            "--comments",
            str(folder / "comments.csv"),
            "--out",
            str(out),
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    groups = pd.read_csv(out / "groups.csv")
    assert list(groups.columns) == ["participant", "group"]
    statements = pd.read_csv(out / "statements.csv")
    assert list(statements.columns[:7]) == [
        "statement",
        "text",
        "agree",
        "disagree",
        "pass",
        "consensus",
        "bridging",
    ]
    assert any(c.endswith("_repness") for c in statements.columns)
    data = json.loads((out / "map.json").read_text())
    assert data["seed"] == 3 and len(data["participants"]) == len(groups)
    assert (out / "map.svg").read_text().lstrip().startswith("<?xml")
    assert "groups" in result.output


def test_map_reads_participants_votes_and_own_format(tmp_path, polis_dir):
    folder = polis_dir("15-per-hour-seattle")
    result = runner.invoke(
        app, ["statements", "map", str(folder / "participants-votes.csv"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    own = tmp_path / "votes.csv"
    rows = [
        (f"p{p}", f"s{s}", 1 if (p < 10) == (s < 4) else -1) for p in range(20) for s in range(8)
    ]
    pd.DataFrame(rows, columns=["participant", "statement", "vote"]).to_csv(own, index=False)
    result = runner.invoke(app, ["statements", "map", str(own), "--out", str(tmp_path / "own")])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "own" / "groups.csv")["group"]) == {0, 1}


def test_bad_file_is_one_red_line_exit_2(tmp_path):
    bad = tmp_path / "votes.csv"
    bad.write_text("participant,statement,vote\n1,2,1\n1,3,maybe\n")
    result = runner.invoke(app, ["statements", "map", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "row 3" in result.output and "column vote" in result.output
    assert "Traceback" not in result.output


def test_similar_command(tmp_path):
    comments = tmp_path / "statements.csv"
    comments.write_text(
        "statement,text,moderated\n1,We need more cycle lanes in the city centre,1\n"
        "2,Parking should be cheaper,1\n3,We need more cycle lanes in the city center,-1\n"
    )
    result = runner.invoke(
        app,
        [
            "statements",
            "similar",
            str(comments),
            "--text",
            "The city centre needs more cycle lanes",
            "--method",
            "lexical",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cycle lanes" in result.output and "Parking" not in result.output
    assert "method: lexical" in result.output
