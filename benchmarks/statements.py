"""Speed, memory and faithfulness of the statement map, beside red-dwarf.

Run from the repository root:

    .venv/bin/python benchmarks/statements.py            # everything
    .venv/bin/python benchmarks/statements.py --quick    # skip the 50k x 3k case
    .venv/bin/python benchmarks/statements.py --ari-seeds 0 1 2 3 4   # ARI table only

For each real Polis conversation in ../shared/data/polis (CC BY 4.0, The
Computational Democracy Project) it prints our time and peak memory, red-dwarf
0.4.0's, their ratio, and the adjusted Rand index of each against the group-id
column Polis itself exported. Then synthetic conversations up to 50 000
participants x 3 000 statements with 2.5 million votes. Each measurement runs
in a fresh subprocess so peak memory (ru_maxrss) belongs to that run alone;
"base" is the process's memory with the libraries imported and the votes
loaded, before the pipeline starts. Times on the real conversations are the
best of 5 runs (the first run in a process pays one-off import costs); the
synthetic cases run once. Time includes building the vote matrix from the
long vote table for us, and red-dwarf's own matrix building for red-dwarf.

``--ari-seeds`` prints only the faithfulness table: the ARI of ours and of
red-dwarf (``random_state`` = the same seed) against Polis' own groups, for
each real conversation and each seed given, in one process (no timing).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "polis"
CONVERSATIONS = [
    "15-per-hour-seattle",
    "brexit-consensus",
    "scoop-hivemind.biodiversity",
    "vtaiwan.uberx",
]
SYNTHETIC = [(5_000, 500, 150_000), (20_000, 1_500, 1_000_000), (50_000, 3_000, 2_500_000)]


def red_dwarf_records(votes) -> list[dict]:
    """The latest vote per (participant, statement), in red-dwarf's input format."""
    latest = votes.sort_values("timestamp", kind="stable").drop_duplicates(
        ["participant", "statement"], keep="last"
    )
    return [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": int(t)}
        for p, s, v, t in latest[["participant", "statement", "vote", "timestamp"]].itertuples(
            index=False
        )
    ]


def polis_ari(reference, ids, groups) -> float:
    """Adjusted Rand index of ``groups`` (indexed by ``ids``) with Polis' groups."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    ours = pd.Series(groups, index=ids)
    common = reference.index.intersection(ours.index)
    return float(adjusted_rand_score(reference.loc[common], ours.loc[common]))


WORKER = r"""
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
spec = json.loads(sys.argv[1])
from benchmarks.statements import polis_ari, red_dwarf_records

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def synthetic(n, m, n_votes, seed=0):
    rng = np.random.default_rng(seed)
    # Three opinion camps; each statement leans towards one or two camps.
    camp = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    lean = rng.normal(0, 1.2, size=(3, m))
    per = rng.poisson(n_votes / n, size=n).clip(1, m)
    rows = np.repeat(np.arange(n), per)
    cols = rng.integers(0, m, size=len(rows))
    p_agree = 1 / (1 + np.exp(-lean[camp[rows], cols]))
    u = rng.random(len(rows))
    vote = np.where(u < 0.15, 0, np.where(rng.random(len(rows)) < p_agree, 1, -1))
    ts = rng.permutation(len(rows))
    return pd.DataFrame({"participant": rows, "statement": cols, "vote": vote, "timestamp": ts})

if spec["kind"] == "real":
    from minipublic.deliberation.statements import read_statements, read_votes
    folder = spec["folder"]
    votes = read_votes(folder + "/votes.csv")
    st = read_statements(folder + "/comments.csv")
    mod_out = st.loc[st["moderated"] == -1, "statement"].tolist()
else:
    votes = synthetic(spec["n"], spec["m"], spec["votes"])
    mod_out = []
if spec["tool"] == "red-dwarf":
    from reddwarf.implementations.polis import run_pipeline
    records = red_dwarf_records(votes)
    base = rss_mb()
    times = []
    for _ in range(spec.get("repeat", 1)):
        t = time.perf_counter()
        result = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=0)
        times.append(time.perf_counter() - t)
    seconds = min(times)
    labels = result.participants_df["cluster_id"].dropna().astype(int)
    ids, groups = labels.index.to_numpy(), labels.to_numpy()
else:
    from minipublic.deliberation.statements import statement_map
    base = rss_mb()
    times = []
    for _ in range(spec.get("repeat", 1)):
        t = time.perf_counter()
        m = statement_map(votes, moderated_out=mod_out, seed=0, bridging=spec["bridging"])
        times.append(time.perf_counter() - t)
    seconds = min(times)
    ids, groups = m.participants[m.clustered], m.groups[m.clustered]
ari = None
if spec["kind"] == "real":
    from minipublic.deliberation.statements import read_polis_groups
    ref = read_polis_groups(spec["folder"] + "/participants-votes.csv")
    ari = polis_ari(ref, ids, groups)
print(json.dumps({"seconds": seconds, "peak_mb": rss_mb(), "base_mb": base, "ari": ari,
                  "k": int(len(np.unique(groups)))}))
"""


def run(spec: dict, timeout: float) -> dict | None:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(res: dict | None) -> str:
    if res is None:
        return "skipped"
    if "error" in res:
        return res["error"]
    ari = f", ARI {res['ari']:.3f}" if res.get("ari") is not None else ""
    return f"{res['seconds']:.3f} s, peak {res['peak_mb']:.0f} MB (base {res['base_mb']:.0f}){ari}"


def ari_table(seeds: list[int]) -> None:
    """Markdown table: ARI with Polis' group-id, ours and red-dwarf's, per seed."""
    import warnings

    sys.path.insert(0, str(REPO / "src"))
    from minipublic.deliberation.statements import (
        read_polis_groups,
        read_statements,
        read_votes,
        statement_map,
    )

    warnings.filterwarnings("ignore")
    from reddwarf.implementations.polis import run_pipeline

    head = " | ".join(f"seed {s}" for s in seeds)
    print(f"| conversation | tool | {head} |")
    print("| --- | --- |" + " --- |" * len(seeds))
    for name in CONVERSATIONS:
        folder = DATA / name
        votes = read_votes(folder / "votes.csv")
        st = read_statements(folder / "comments.csv")
        mod_out = st.loc[st["moderated"] == -1, "statement"].tolist()
        ref = read_polis_groups(folder / "participants-votes.csv")
        records = red_dwarf_records(votes)
        ours, theirs = [], []
        for seed in seeds:
            m = statement_map(votes, moderated_out=mod_out, seed=seed, bridging=False)
            ours.append(polis_ari(ref, m.participants[m.clustered], m.groups[m.clustered]))
            res = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=seed)
            labels = res.participants_df["cluster_id"].dropna().astype(int)
            theirs.append(polis_ari(ref, labels.index.to_numpy(), labels.to_numpy()))
        for tool, values in (("ours", ours), ("red-dwarf 0.4.0", theirs)):
            cells = " | ".join(f"{v:.3f}" for v in values)
            print(f"| {name} | {tool} | {cells} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 50k x 3k case")
    parser.add_argument(
        "--no-red-dwarf-large",
        action="store_true",
        help="skip red-dwarf on synthetic cases (it needs minutes and GBs)",
    )
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--ari-seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        help="only print the ARI table (ours and red-dwarf vs Polis' groups) for these seeds",
    )
    args = parser.parse_args()
    if args.ari_seeds:
        if not DATA.exists():
            sys.exit(f"{DATA} not found")
        ari_table(args.ari_seeds)
        return
    print("| case | ours (Polis pipeline) | ours + bridging | red-dwarf 0.4.0 | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    cases = []
    if DATA.exists():
        cases += [
            ("real", name, {"kind": "real", "folder": str(DATA / name), "repeat": 5})
            for name in CONVERSATIONS
        ]
    else:
        print(f"(real conversations skipped: {DATA} not found)")
    for n, m, v in SYNTHETIC:
        if args.quick and n >= 50_000:
            continue
        cases.append(
            (
                "synthetic",
                f"{n} x {m}, {v} votes",
                {"kind": "synthetic", "n": n, "m": m, "votes": v},
            )
        )
    for kind, label, spec in cases:
        ours = run({**spec, "tool": "ours", "bridging": False}, args.timeout)
        bridged = run({**spec, "tool": "ours", "bridging": True}, args.timeout)
        rd = None
        if kind == "real" or not args.no_red_dwarf_large:
            rd = run({**spec, "tool": "red-dwarf"}, args.timeout)
        ratio = ""
        if ours and rd and "error" not in ours and "error" not in rd:
            ratio = f"{rd['seconds'] / ours['seconds']:.1f}x"
        print(f"| {label} | {fmt(ours)} | {fmt(bridged)} | {fmt(rd)} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
