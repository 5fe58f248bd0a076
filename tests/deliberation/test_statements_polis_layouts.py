"""Every export layout Polis has written is read, and they all give the same votes.

Layouts from Polis' own code (compdemocracy/polis):
``math/src/polismath/darwin/export.clj`` (CSV and spreadsheet exports, with and
without ``xid``) and ``server/src/routes/export.ts`` (the 2024 report export:
timestamps in seconds, ``participant-votes.csv``).
"""

import pandas as pd
import pytest

from minipublic.deliberation.statements import (
    build_vote_matrix,
    read_polis_groups,
    read_statements,
    read_votes,
)
from minipublic.errors import InputError

# participant, comment, vote, time (ms)
VOTES = [
    (0, 0, 1, 1_500_000_001_000),
    (0, 1, -1, 1_500_000_002_000),
    (1, 0, 0, 1_500_000_003_000),
    (1, 2, 1, 1_500_000_004_000),
    (0, 1, 1, 1_500_000_009_000),  # changed mind: latest vote counts
    (2, 2, -1, 1_500_000_005_000),
]
EXPECTED = {(0, 0): 1, (0, 1): 1, (1, 0): 0, (1, 2): 1, (2, 2): -1}


def write(path, text):
    path.write_text(text)
    return path


def as_dict(table):
    m = build_vote_matrix(table)
    dense = m.to_dense()
    return {
        (int(p), int(s)): int(dense[i, j])
        for i, p in enumerate(m.participants)
        for j, s in enumerate(m.statements)
        if dense[i, j] == dense[i, j]
    }


def test_math_export_votes_csv(tmp_path):
    # darwin/export.clj csv-format: timestamp (ms),datetime,comment-id,voter-id,vote
    rows = "".join(f"{t},Mon Jul 17 2017,{c},{p},{v}\n" for p, c, v, t in VOTES)
    table = read_votes(
        write(tmp_path / "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n" + rows)
    )
    assert table.attrs["format"] == "polis-votes" and table.attrs["notes"] == []
    assert as_dict(table) == EXPECTED


def test_server_report_export_votes_csv(tmp_path):
    # routes/export.ts (2024): same header, timestamp in seconds, rows ordered by tid, pid.
    rows = sorted(VOTES, key=lambda r: (r[1], r[0]))
    text = "timestamp,datetime,comment-id,voter-id,vote\n" + "".join(
        f"{t // 1000},Mon Jul 17 2017 02:17:32 GMT+0000 (Coordinated Universal Time),{c},{p},{v}\n"
        for p, c, v, t in rows
    )
    assert as_dict(read_votes(write(tmp_path / "votes.csv", text))) == EXPECTED


def test_spreadsheet_export_votes_headings(tmp_path):
    # darwin/export.clj excel-format: Timestamp, Comment ID, Voter, Vote
    text = "Timestamp,Comment ID,Voter,Vote\n" + "".join(
        f"{t},{c},{p},{v}\n" for p, c, v, t in VOTES
    )
    assert as_dict(read_votes(write(tmp_path / "votes.csv", text))) == EXPECTED


def participants_votes(prefix_cols, prefix_of, comment_ids=(0, 1, 2)):
    header = ",".join([*prefix_cols, *map(str, comment_ids)])
    lines = [header]
    for p in (0, 1, 2):
        cells = [str(EXPECTED.get((p, c), "")) for c in comment_ids]
        lines.append(",".join([*prefix_of(p), *cells]))
    return "\n".join(lines) + "\n"


def counts(p):
    votes = [v for (q, _), v in EXPECTED.items() if q == p]
    return [str(len(votes)), str(votes.count(1)), str(votes.count(-1))]


def test_math_export_participants_votes_without_xid(tmp_path):
    text = participants_votes(
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
        lambda p: [str(p), str(p % 2), "0", *counts(p)],
    )
    path = write(tmp_path / "participants-votes.csv", text)
    assert as_dict(read_votes(path)) == EXPECTED
    assert read_polis_groups(path).to_dict() == {0: 0, 1: 1, 2: 0}


def test_math_export_participants_votes_with_xid(tmp_path):
    # export.clj participants-votes-table with include-xid: xid after participant.
    text = participants_votes(
        ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
        lambda p: [str(p), f"user-{p}@example.org", str(p % 2), "0", *counts(p)],
    )
    path = write(tmp_path / "participants-votes.csv", text)
    table = read_votes(path)
    assert table.attrs["format"] == "polis-participants-votes" and table.attrs["notes"] == []
    assert as_dict(table) == EXPECTED
    assert read_polis_groups(path).to_dict() == {0: 0, 1: 1, 2: 0}


def test_server_report_participant_votes_csv(tmp_path):
    # routes/export.ts (2024) participant-votes.csv: empty group-id when not clustered,
    # a column for every comment, even one nobody voted on.
    text = participants_votes(
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
        lambda p: [str(p), "" if p == 2 else "0", "1", *counts(p)],
        comment_ids=(0, 1, 2, 3),
    )
    path = write(tmp_path / "participant-votes.csv", text)
    assert as_dict(read_votes(path)) == EXPECTED
    assert read_polis_groups(path).to_dict() == {0: 0, 1: 0}


def test_spreadsheet_export_participants_votes_headings(tmp_path):
    text = participants_votes(
        ["Participant", "Group ID", "Comments", "Votes", "Agrees", "Disagrees"],
        lambda p: [str(p), "1", "0", *counts(p)],
    )
    path = write(tmp_path / "participants-votes.csv", text)
    assert as_dict(read_votes(path)) == EXPECTED
    assert set(read_polis_groups(path)) == {1}


def test_unknown_extra_columns_are_ignored_with_a_note(tmp_path):
    text = participants_votes(
        [
            "participant",
            "xid",
            "group-id",
            "n-comments",
            "n-votes",
            "n-agree",
            "n-disagree",
            "n-pass",
        ],
        lambda p: [str(p), "", "0", "0", *counts(p), "0"],
    )
    table = read_votes(write(tmp_path / "pv.csv", text))
    assert as_dict(table) == EXPECTED
    assert table.attrs["notes"] == ["column 'n-pass' ignored"]
    rows = "".join(f"{t},x,{c},{p},{v},web\n" for p, c, v, t in VOTES)
    table = read_votes(
        write(tmp_path / "v.csv", "timestamp,datetime,comment-id,voter-id,vote,source\n" + rows)
    )
    assert as_dict(table) == EXPECTED and table.attrs["notes"] == ["column 'source' ignored"]


def test_bad_vote_in_xid_layout_names_row_and_column(tmp_path):
    text = "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n0,a,0,0,1,1,0,1,\n1,b,0,0,1,1,0,,2\n"
    with pytest.raises(InputError, match=r"row 3, column 1: vote '2'"):
        read_votes(write(tmp_path / "pv.csv", text))


@pytest.mark.parametrize(
    "header,row",
    [
        # openData / math export before 2023
        (
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body",
            "1,d,{id},0,1,0,{mod},{text}",
        ),
        # math export since 2023 (is-meta, is-seed, group-informed-consensus; no datetime)
        (
            "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,group-informed-consensus,comment-body",
            "1,{id},0,1,0,{mod},false,false,0.5,{text}",
        ),
        # spreadsheet export headings
        (
            "Timestamp,Comment ID,Author,Aggrees,Disagrees,Moderated,Metadata,Seed,Group informed consensus,Comment body",
            "1,{id},0,1,0,{mod},false,false,0.5,{text}",
        ),
    ],
)
def test_comments_layouts_and_moderation(tmp_path, header, row):
    lines = [header]
    for sid, mod, text in [(0, 1, "Keep the park"), (1, -1, "Spam"), (2, 0, '"Yes, more buses"')]:
        lines.append(row.format(id=sid, mod=mod, text=text))
    st = read_statements(write(tmp_path / "comments.csv", "\n".join(lines) + "\n"))
    assert st["statement"].tolist() == [0, 1, 2]
    assert st["moderated"].tolist() == [1, -1, 0]
    assert st["text"].tolist() == ["Keep the park", "Spam", "Yes, more buses"]
    assert st["is_meta"].tolist() == [False, False, False]


def test_meta_statements_are_read(tmp_path):
    text = (
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,"
        "group-informed-consensus,comment-body\n"
        "1,0,0,0,0,1,false,true,0.5,Keep the park\n1,1,0,0,0,1,true,false,0.5,Is this anonymous?\n"
    )
    st = read_statements(write(tmp_path / "comments.csv", text))
    assert st["is_meta"].tolist() == [False, True]


def test_current_export_through_the_cli(tmp_path, polis_dir):
    """A real conversation rewritten in the current layout (xid column) maps like the original."""
    from typer.testing import CliRunner

    from minipublic.cli import app

    folder = polis_dir("brexit-consensus")
    frame = pd.read_csv(folder / "participants-votes.csv", dtype=str, keep_default_na=False)
    frame.insert(1, "xid", [f"x{i}" for i in range(len(frame))])
    current = tmp_path / "participants-votes.csv"
    frame.to_csv(current, index=False)
    runner = CliRunner()
    out_old, out_new = tmp_path / "old", tmp_path / "new"
    old = runner.invoke(
        app, ["statements", "map", str(folder / "participants-votes.csv"), "--out", str(out_old)]
    )
    new = runner.invoke(app, ["statements", "map", str(current), "--out", str(out_new)])
    assert old.exit_code == 0 and new.exit_code == 0, new.output
    assert (out_old / "groups.csv").read_text() == (out_new / "groups.csv").read_text()
