"""``minipublic tables assign`` and ``reseat`` on CSV files: outputs and one-line errors."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from minipublic.cli import app

runner = CliRunner()


@pytest.fixture
def members(tmp_path):
    frame = pd.DataFrame(
        {
            "id": [f"m{i:02d}" for i in range(24)],
            "age": [str(18 + 3 * i) for i in range(24)],
            "area": list("abcd") * 6,
            "trust": ["low", "high", "high"] * 8,
            "lang": ["cy", "cy", "cy"] + [""] * 21,
            "access": ["yes", "", ""] * 2 + [""] * 18,
        }
    )
    path = tmp_path / "members.csv"
    frame.to_csv(path, index=False)
    return path


def run(*args):
    return runner.invoke(app, ["tables", *map(str, args)])


def test_assign_writes_plan_and_summary(members, tmp_path):
    (tmp_path / "apart.csv").write_text("id1,id2\nm05,m06\n")
    (tmp_path / "pins.csv").write_text("round,id,table\n2,m10,4\n,m11,1\n")
    (tmp_path / "fac.csv").write_text("id,table\nfergus,1\nfiona,2\n")
    out = tmp_path / "out"
    result = run(
        "assign", members, "--tables", 4, "--rounds", 3, "--mix", "age,area:2,trust",
        "--together", "lang", "--needs-access", "access", "--accessible-tables", "1,2",
        "--apart", tmp_path / "apart.csv", "--pin", tmp_path / "pins.csv",
        "--facilitators", tmp_path / "fac.csv", "--seed", 4, "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = pd.read_csv(out / "plan.csv")
    assert list(plan.columns) == ["round", "table", "id"]
    assert len(plan) == 24 * 3
    assert plan.groupby(["round", "table"]).size().tolist() == [6] * 12
    at = plan.set_index(["round", "id"])["table"]
    assert at[2, "m10"] == 4 and all(at[r, "m11"] == 1 for r in (1, 2, 3))
    assert all(at[r, "m00"] == at[r, "m01"] == at[r, "m02"] for r in (1, 2, 3))
    assert all(at[r, "m00"] in (1, 2) and at[r, "m03"] in (1, 2) for r in (1, 2, 3))
    summary = (out / "summary.txt").read_text()
    assert "Repeat meetings:" in summary and "lower bound" in summary
    assert "area (diversify, weight 2)" in summary and "fergus at table 1" in summary
    assert "repeat meetings" in result.output

    again = tmp_path / "again"
    result = run(
        "reseat", members, out / "plan.csv", "--round", 2, "--absent", "m04,m07",
        "--together", "lang", "--needs-access", "access", "--accessible-tables", "1,2",
        "--pin", tmp_path / "pins.csv", "--out", again,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    new = pd.read_csv(again / "plan.csv")
    assert len(new) == 24 * 3 - 2
    assert "member(s) moved" in result.output
    assert "Re-seating moved" in (again / "summary.txt").read_text()


def one_error_line(result):
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert "Traceback" not in result.output
    return " ".join(lines)


@pytest.mark.parametrize(
    ("extra", "files", "message"),
    [
        (["--mix", "colour"], {}, "members.csv, row 1, column colour: no column 'colour'"),
        (["--mix", "age:x"], {}, "weight 'x' of 'age' is not a number"),
        (["--needs-access", "trust"], {}, "members.csv, row 2, column trust: 'low' is not yes/no"),
        (
            ["--pin", "pins.csv"],
            {"pins.csv": "round,id,table\n1,m01,9\n"},
            "pins.csv, row 2, column table: 9 is not from 1 to 4",
        ),
        (
            ["--pin", "pins.csv"],
            {"pins.csv": "round,id,table\n1,zz,1\n"},
            "pins.csv, row 2, column id: unknown id 'zz'",
        ),
        (
            ["--pin", "pins.csv"],
            {"pins.csv": "round,who,table\n"},
            "pins.csv, row 1, column id: no 'id' column",
        ),
        (
            ["--apart", "apart.csv"],
            {"apart.csv": "id1,id2\nm01,m01\n"},
            "apart.csv, row 2, column id2: 'm01' is paired with itself",
        ),
        (
            ["--facilitators", "fac.csv"],
            {"fac.csv": "id,table\nm01,1\n"},
            "fac.csv, row 2, column id: facilitator 'm01' is also a member",
        ),
        (
            ["--accessible-tables", "1,x", "--needs-access", "access"],
            {},
            "'x' is not a table number",
        ),
        (["--accessible-tables", "1"], {}, "--accessible-tables needs --needs-access"),
        (["--apart", "missing.csv"], {}, "missing.csv: file not found"),
    ],
)
def test_bad_input_one_line(members, tmp_path, extra, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    extra = [str(tmp_path / x) if x.endswith(".csv") else x for x in extra]
    result = run("assign", members, "--tables", 4, "--rounds", 2, "--out", tmp_path / "o", *extra)
    assert message in one_error_line(result)
    assert not (tmp_path / "o" / "plan.csv").exists()


def test_bad_member_files(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("id,area\nm1,a\n,b\n")
    result = run("assign", path, "--tables", 1, "--out", tmp_path / "o")
    assert "members.csv, row 3, column id: empty id" in one_error_line(result)
    path.write_text("name,area\nm1,a\n")
    result = run("assign", path, "--tables", 1, "--out", tmp_path / "o")
    assert "members.csv, row 1, column id: no 'id' column" in one_error_line(result)
    path.write_text("")
    result = run("assign", path, "--tables", 1, "--out", tmp_path / "o")
    assert "members.csv: the file is empty" in one_error_line(result)
    result = run("assign", tmp_path / "nope.csv", "--tables", 1, "--out", tmp_path / "o")
    assert "file not found" in one_error_line(result)


def test_infeasible_is_one_line(members, tmp_path):
    result = run(
        "assign", members, "--tables", 8, "--out", tmp_path / "o", "--together", "lang",
        "--needs-access", "access", "--accessible-tables", "2",
    )  # fmt: skip
    text = one_error_line(result)
    assert "round 1" in text and "accessible table" in text
