"""``minipublic statements map`` as a whole process: what it imports, how it starts.

The command reads and writes without pandas, maps without scipy's package and
starts without typer (``cli/_map.py``); these tests fail if a module-level
import brings any of them back, or if the quick paths stop giving the same
files as the checked ones.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from minipublic.cli import _map
from minipublic.deliberation.statements import _io, read_statements, read_votes, statement_map

# What the brief forbids on both paths, and (map only) what the quick start avoids.
HEAVY = ["pandas", "scipy", "sklearn", "matplotlib", "rich"]
STARTUP = ["typer", "pydantic", "threadpoolctl"]

# Polis' math export layout (darwin/export.clj): two camps, latest vote wins.
VOTES_HEADER = "timestamp,datetime,comment-id,voter-id,vote\n"
COMMENTS_HEADER = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
)


def polis_files(tmp_path):
    rng = np.random.default_rng(0)
    rows, t = [], 1_500_000_000_000
    for p in range(40):
        for s in range(12):
            if rng.random() < 0.8:
                t += 1000
                vote = 1 if (p < 20) == (s < 6) else -1
                # Some noise, as in real votes (a perfectly two-valued matrix
                # sends ARPACK to a random restart, which scipy handles).
                vote = rng.choice([vote, -vote, 0], p=[0.8, 0.1, 0.1])
                rows.append(f'{t},"Mon Jul 17 2017, 10:00",{s},{p},{vote}\n')
    votes = tmp_path / "votes.csv"
    votes.write_text(VOTES_HEADER + "".join(rows))
    comments = tmp_path / "comments.csv"
    comments.write_text(
        COMMENTS_HEADER
        + "".join(
            f'1,d,{s},0,0,0,{-1 if s == 11 else 1},"Statement {s}, ""quoted"""\n' for s in range(12)
        )
    )
    return votes, comments


def run_main(argv, *, env_extra=None):
    """Run the console script's ``main()`` in a fresh process; report sys.modules at exit."""
    code = (
        "import atexit, json, sys\n"
        f"heavy = {[*HEAVY, *STARTUP, 'numpy']!r}\n"
        "atexit.register(lambda: print('MODULES ' + json.dumps("
        "[m for m in heavy if m in sys.modules]), file=sys.stderr))\n"
        f"sys.argv = ['minipublic', *{argv!r}]\n"
        "from minipublic.cli import main\n"
        "main()\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")
    }
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return proc, json.loads(line[len("MODULES ") :])


def test_help_through_the_console_script_imports_nothing_heavy():
    for argv in (["--help"], ["statements", "--help"], ["statements", "map", "--help"]):
        proc, loaded = run_main(argv)
        assert proc.returncode == 0, proc.stderr
        assert [m for m in loaded if m in HEAVY or m == "numpy"] == [], (argv, loaded)
    assert "statements" in proc.stdout or "--out" in proc.stdout


def test_top_level_help_lists_every_group_in_plain_text():
    proc, loaded = run_main(["--help"])
    for group in ("sortition", "statements", "cohesion", "tables", "evaluation", "assembly"):
        assert group in proc.stdout
    assert "\x1b[" not in proc.stdout and "╭" not in proc.stdout  # no rich boxes or colours
    assert "numpy" not in loaded


def test_map_process_imports_no_heavy_library(tmp_path):
    votes, comments = polis_files(tmp_path)
    out = tmp_path / "out"
    proc, loaded = run_main(
        ["statements", "map", str(votes), "--comments", str(comments), "--out", str(out)]
    )
    assert proc.returncode == 0, proc.stderr
    assert loaded == ["numpy"]
    assert "2 groups" in proc.stdout
    assert (out / "groups.csv").exists() and (out / "map.svg").exists()


def test_map_process_on_real_conversations_imports_no_heavy_library(tmp_path, polis_dir):
    for name in ("brexit-consensus", "vtaiwan.uberx"):
        folder = polis_dir(name)
        for source in ("votes.csv", "participants-votes.csv"):
            proc, loaded = run_main(
                [
                    "statements",
                    "map",
                    str(folder / source),
                    "--comments",
                    str(folder / "comments.csv"),
                    "--out",
                    str(tmp_path / name),
                ]
            )
            assert proc.returncode == 0, proc.stderr
            assert loaded == ["numpy"], (name, source, loaded)


def test_bad_file_through_the_console_script_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "votes.csv"
    bad.write_text(VOTES_HEADER + "1,d,0,1,1\n2,d,0,2,maybe\n")
    proc, _ = run_main(["statements", "map", str(bad), "--out", str(tmp_path / "o")])
    assert proc.returncode == 2
    assert "row 3" in proc.stderr and "column vote" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_quick_options_match_the_typer_command():
    import typer.main

    from minipublic.cli import app

    command = typer.main.get_command(app).commands["statements"].commands["map"]
    options = {
        opt: p for p in command.params for opt in p.opts if opt.startswith("--") and opt != "--help"
    }
    assert set(options) == set(_map.OPTIONS)
    for opt, (name, kind, default) in _map.OPTIONS.items():
        param = options[opt]
        assert param.name == name
        assert param.type_descriptor.annotation is kind, opt
        assert param.required == (opt in _map.REQUIRED)
        if not param.required:
            assert param.default == default, opt
    (argument,) = [p for p in command.params if not any(o.startswith("-") for o in p.opts)]
    assert argument.name == "votes" and argument.required


@pytest.mark.parametrize(
    "argv",
    [
        ["v.csv"],  # no --out
        ["v.csv", "--out", "o", "--help"],
        ["v.csv", "--out", "o", "--colour", "red"],
        ["v.csv", "--out", "o", "--seed", "1", "--seed", "2"],
        ["v.csv", "--out", "o", "--seed", "1.5"],
        ["v.csv", "w.csv", "--out", "o"],
        ["v.csv", "--out"],
        ["v.csv", "--out", "--seed"],
    ],
)
def test_anything_unusual_is_left_to_typer(argv):
    assert _map.parse_map_arguments(argv) is None


def test_quick_arguments():
    kwargs = _map.parse_map_arguments(["v.csv", "--out=o", "--seed", "-3", "--svg", "matplotlib"])
    assert kwargs == {
        "votes": _map.Path("v.csv"),
        "out": _map.Path("o"),
        "comments": None,
        "seed": -3,
        "min_votes": 7,
        "max_groups": 5,
        "svg": "matplotlib",
    }


def test_written_tables_are_pandas_to_csv_byte_for_byte(tmp_path, polis_dir):
    """The csv-module writer against pandas' own ``to_csv`` of the library's tables."""
    for name in ("brexit-consensus", "scoop-hivemind.biodiversity"):
        folder = polis_dir(name)
        out = tmp_path / name
        _map.run_map(folder / "votes.csv", out, comments=folder / "comments.csv", seed=2)
        st = read_statements(folder / "comments.csv")
        result = statement_map(
            read_votes(folder / "votes.csv"),
            seed=2,
            moderated_out=st.loc[st["moderated"] == -1, "statement"].tolist(),
            meta_statements=st.loc[st["is_meta"] & (st["moderated"] != -1), "statement"].tolist(),
        )
        groups = result.groups_frame()[["participant", "group"]]
        assert (out / "groups.csv").read_text() == groups.to_csv(index=False)
        frame = result.statements_frame()
        texts = dict(zip(st["statement"], st["text"], strict=True))
        frame.insert(1, "text", [texts.get(s, "") for s in frame["statement"]])
        assert (out / "statements.csv").read_text() == frame.to_csv(index=False)
        assert json.loads((out / "map.json").read_text()) == json.loads(
            json.dumps(result.to_dict())
        )


def test_quick_and_typer_paths_write_the_same_files(tmp_path):
    votes, comments = polis_files(tmp_path)
    quick, typed = tmp_path / "quick", tmp_path / "typed"
    _map.run_map(votes, quick, comments=comments, seed=1)
    from minipublic.cli import app

    result = CliRunner().invoke(
        app,
        [
            "statements",
            "map",
            str(votes),
            "--comments",
            str(comments),
            "--out",
            str(typed),
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    for name in ("groups.csv", "statements.csv", "map.json", "map.svg"):
        assert (quick / name).read_bytes() == (typed / name).read_bytes(), name


def layout_files(tmp_path, polis_dir):
    """The Polis vote layouts (as in test_statements_polis_layouts), plus real exports."""
    votes = [(0, 0, 1, 1_000), (0, 1, -1, 2_000), (1, 0, 0, 3_000), (0, 1, 1, 9_000), (2, 2, -1, 5)]
    files = []

    def write(name, text):
        (tmp_path / name).write_text(text)
        files.append(tmp_path / name)

    write(
        "a.csv", VOTES_HEADER + "".join(f'{t},"Mon, 17 Jul",{c},{p},{v}\n' for p, c, v, t in votes)
    )
    write(
        "b.csv",
        "Timestamp,Comment ID,Voter,Vote\n" + "".join(f"{t},{c},{p},{v}\n" for p, c, v, t in votes),
    )
    write(
        "c.csv",
        "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2,3,n-pass\n"
        "0,u0,0,0,2,2,0,1,1,,,0\n1,u1,,0,1,0,0,0,,,,1\n2,u2,1,1,1,0,1,,, -1,,0\n",
    )
    write("d.csv", VOTES_HEADER)  # header only
    try:
        folder = polis_dir("vtaiwan.uberx")
        files += [folder / "votes.csv", folder / "participants-votes.csv"]
    except pytest.skip.Exception:
        pass
    return files


def test_quick_vote_reader_equals_the_checking_reader(tmp_path, polis_dir, monkeypatch):
    files = layout_files(tmp_path, polis_dir)
    quick = {f: read_votes(f) for f in files}
    assert all(_io.read_vote_columns(f) is not None for f in files[:3])
    monkeypatch.setattr(_io, "read_vote_columns", lambda path: None)
    for f in files:
        checked = read_votes(f)
        pd.testing.assert_frame_equal(quick[f], checked, check_exact=True)
        assert quick[f].attrs == checked.attrs


@pytest.mark.parametrize(
    "text",
    [
        COMMENTS_HEADER + '1,d,3,0,0,0,1,"Keep, the park"\n1,d,1,0,0,0,-1,"Spam\nover two lines"\n',
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,"
        "group-informed-consensus,comment-body\n1,2,0,1,0,0,true,false,0.5,Is this anonymous?\n"
        "1,0,0,1,0,1.0,false,false,0.5,Keep the park\n",
        "statement,text\n7,Seven\n3,Three\n",
        "statement,text\n",
    ],
)
def test_quick_statement_reader_equals_the_checking_reader(tmp_path, monkeypatch, text):
    path = tmp_path / "comments.csv"
    path.write_text(text)
    assert _io.read_statement_columns(path) is not None
    quick = read_statements(path)
    monkeypatch.setattr(_io, "read_statement_columns", lambda path: None)
    pd.testing.assert_frame_equal(quick, read_statements(path), check_exact=True)


@pytest.mark.parametrize(
    "text",
    [
        "statement,text\np1,One\n",  # text ids: pandas reads them
        "statement,text,moderated\n1,One,2\n",  # bad moderation: pandas names it
        "statement,text\n1,One,extra\n",  # ragged
    ],
)
def test_irregular_statement_files_go_to_the_checking_reader(tmp_path, text):
    path = tmp_path / "comments.csv"
    path.write_text(text)
    assert _io.read_statement_columns(path) is None
