"""red-dwarf as a whole process, the counterpart of ``minipublic statements map``.

    python benchmarks/reddwarf_map.py VOTES.csv COMMENTS.csv OUT_DIR

Reads a Polis ``votes.csv`` and ``comments.csv`` with the csv module (as
red-dwarf's own export loader does), keeps each participant's latest vote,
runs red-dwarf's Polis pipeline (``random_state=0``) and writes
``OUT_DIR/groups.csv`` (``participant,group``). red-dwarf has no command line
of its own; this is the shortest faithful one.
"""

import csv
import sys
import warnings
from pathlib import Path


def main() -> None:
    votes_path, comments_path, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    warnings.filterwarnings("ignore")
    from reddwarf.implementations.polis import run_pipeline

    latest: dict = {}
    with open(votes_path, newline="") as fh:
        for row in csv.DictReader(fh):
            key = (int(row["voter-id"]), int(row["comment-id"]))
            t = int(row["timestamp"])
            if key not in latest or t >= latest[key][1]:
                latest[key] = (int(row["vote"]), t)
    records = [
        {"participant_id": p, "statement_id": s, "vote": v, "modified": t}
        for (p, s), (v, t) in latest.items()
    ]
    with open(comments_path, newline="") as fh:
        mod_out = [int(r["comment-id"]) for r in csv.DictReader(fh) if r["moderated"] == "-1"]
    result = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=0)
    labels = result.participants_df["cluster_id"].dropna().astype(int)
    out.mkdir(parents=True, exist_ok=True)
    labels.rename("group").rename_axis("participant").to_csv(out / "groups.csv")


if __name__ == "__main__":
    main()
