"""Speed, memory and faithfulness of the statement map, beside red-dwarf.

Run from the repository root:

    .venv/bin/python benchmarks/statements.py            # everything
    .venv/bin/python benchmarks/statements.py --quick    # skip the 50k x 3k case
    .venv/bin/python benchmarks/statements.py --no-real --no-red-dwarf-large   # ours, synthetic
    .venv/bin/python benchmarks/statements.py --process  # whole processes, and --help
    .venv/bin/python benchmarks/statements.py --ari-seeds 0 1 2 3 4   # ARI table only

For each real Polis conversation in ../shared/data/polis (CC BY 4.0, The
Computational Democracy Project) it prints our time and peak memory, red-dwarf
0.4.0's, their ratio, and the adjusted Rand index of each against the group-id
column Polis itself exported. Then synthetic conversations up to 50 000
participants x 3 000 statements with 2.5 million votes. Each measurement runs
in a fresh subprocess so peak memory (ru_maxrss) belongs to that run alone;
"base" is the process's memory with the libraries imported and the votes
loaded, before the pipeline starts. Times are wall clock, with the process's
CPU time (user + sys) beside them, as the machine is shared. Times on the real
conversations are the best of 5 runs (the first run in a process pays one-off import costs); the
synthetic cases run once. Time includes building the vote matrix from the
long vote table for us, and red-dwarf's own matrix building for red-dwarf.

``--process`` prints the whole-process table instead: for each real
conversation, ``minipublic statements map votes.csv --comments comments.csv
--out DIR`` and ``benchmarks/reddwarf_map.py`` (red-dwarf's pipeline behind
the same file reading and writing) each run as a fresh process, start to
exit, best of 5 (wall time, and CPU time user + sys), beside the in-process
pipeline time; the number of groups and the ARI against Polis' group-id are
read from each process's groups.csv. Then ``minipublic --help``. The machine
is shared, so the load average is printed with each row. Our sources are
byte-compiled first, as an installed package's are.

``--ari-seeds`` prints only the faithfulness table: the ARI of ours and of
red-dwarf (``random_state`` = the same seed) against Polis' own groups, for
each real conversation and each seed given, in one process (no timing).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("MINIPUBLIC_POLIS_DATA", REPO.parent / "shared" / "data" / "polis"))
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
    times, cpus = [], []
    for _ in range(spec.get("repeat", 1)):
        t, c = time.perf_counter(), time.process_time()
        result = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=0)
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    seconds, cpu = min(times), min(cpus)
    labels = result.participants_df["cluster_id"].dropna().astype(int)
    ids, groups = labels.index.to_numpy(), labels.to_numpy()
else:
    from minipublic.deliberation.statements import statement_map
    base = rss_mb()
    times, cpus = [], []
    for _ in range(spec.get("repeat", 1)):
        t, c = time.perf_counter(), time.process_time()
        m = statement_map(votes, moderated_out=mod_out, seed=0, bridging=spec["bridging"])
        times.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    seconds, cpu = min(times), min(cpus)
    ids, groups = m.participants[m.clustered], m.groups[m.clustered]
ari = None
if spec["kind"] == "real":
    from minipublic.deliberation.statements import read_polis_groups
    ref = read_polis_groups(spec["folder"] + "/participants-votes.csv")
    ari = polis_ari(ref, ids, groups)
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": rss_mb(), "base_mb": base, "ari": ari,
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
    return (
        f"{res['seconds']:.3f} s (CPU {res['cpu']:.3f} s), peak {res['peak_mb']:.0f} MB "
        f"(base {res['base_mb']:.0f}){ari}"
    )


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


def _timed(cmd: list[str], repeat: int, env: dict) -> tuple[float, float]:
    """Best wall and best CPU (user + sys) seconds of ``cmd`` over ``repeat`` runs."""
    import os
    import resource
    import time

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
        walls.append(wall)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def _load() -> str:
    import os

    return f"{os.getloadavg()[0]:.1f}"


def process_table(repeat: int = 5) -> None:
    """Whole-process times, k and ARI of ``minipublic statements map`` and of red-dwarf."""
    import statistics
    import tempfile
    import time
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(REPO / "src"))
    from minipublic.deliberation.statements import (
        read_polis_groups,
        read_statements,
        read_votes,
        statement_map,
    )

    env = {"PYTHONPATH": str(REPO / "src")}
    # Byte-compile our sources first, as an installed package is: with
    # PYTHONDONTWRITEBYTECODE set (as on the project's machines) every run
    # would otherwise compile them anew (~0.04 s), while red-dwarf, installed
    # in the venv, has its .pyc files.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "minipublic")],
        check=True,
        capture_output=True,
    )
    ours_cmd = [sys.executable, "-c", "from minipublic.cli import main; main()"]
    print(
        "| conversation | Polis k | our k | red-dwarf k | our ARI | red-dwarf ARI "
        "| ours: process wall / CPU | red-dwarf: process wall / CPU | ratio wall / CPU "
        "| ours in-process | load |"
    )
    print("| --- |" + " --- |" * 10)
    ratios_wall, ratios_cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in CONVERSATIONS:
            folder = DATA / name
            votes_csv, comments_csv = str(folder / "votes.csv"), str(folder / "comments.csv")
            ours_out, rd_out = Path(tmp) / f"{name}-ours", Path(tmp) / f"{name}-rd"
            ours = _timed(
                [
                    *ours_cmd,
                    "statements",
                    "map",
                    votes_csv,
                    "--comments",
                    comments_csv,
                    "--out",
                    str(ours_out),
                ],
                repeat,
                env,
            )
            rd = _timed(
                [
                    sys.executable,
                    str(REPO / "benchmarks" / "reddwarf_map.py"),
                    votes_csv,
                    comments_csv,
                    str(rd_out),
                ],
                repeat,
                {},
            )
            ref = read_polis_groups(folder / "participants-votes.csv")
            cells = []
            for out in (ours_out, rd_out):
                g = pd.read_csv(out / "groups.csv")
                g = g[g["group"] >= 0]
                cells.append(
                    (
                        g["group"].nunique(),
                        polis_ari(ref, g["participant"].to_numpy(), g["group"].to_numpy()),
                    )
                )
            votes = read_votes(votes_csv)
            st = read_statements(comments_csv)
            mod_out = st.loc[st["moderated"] == -1, "statement"].tolist()
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                statement_map(votes, moderated_out=mod_out, seed=0)
                best = min(best, time.perf_counter() - t)
            ratios_wall.append(rd[0] / ours[0])
            ratios_cpu.append(rd[1] / ours[1])
            print(
                f"| {name} | {ref.nunique()} | {cells[0][0]} | {cells[1][0]} "
                f"| {cells[0][1]:.3f} | {cells[1][1]:.3f} "
                f"| {ours[0]:.2f} s / {ours[1]:.2f} s | {rd[0]:.2f} s / {rd[1]:.2f} s "
                f"| {ratios_wall[-1]:.1f}x / {ratios_cpu[-1]:.1f}x | {best:.3f} s | {_load()} |",
                flush=True,
            )
    print(
        f"\nmedian ratio (red-dwarf / ours): wall {statistics.median(ratios_wall):.1f}x, "
        f"CPU {statistics.median(ratios_cpu):.1f}x"
    )
    help_wall, help_cpu = _timed([*ours_cmd, "--help"], max(repeat, 7), env)
    print(
        f"minipublic --help: {help_wall:.3f} s wall, {help_cpu:.3f} s CPU (best of "
        f"{max(repeat, 7)}, load {_load()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 50k x 3k case")
    parser.add_argument("--no-real", action="store_true", help="only the synthetic cases")
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
    parser.add_argument(
        "--process",
        action="store_true",
        help="only the whole-process table (ours and red-dwarf, start to exit, best of 5)",
    )
    args = parser.parse_args()
    if args.process:
        if not DATA.exists():
            sys.exit(f"{DATA} not found")
        process_table()
        return
    if args.ari_seeds:
        if not DATA.exists():
            sys.exit(f"{DATA} not found")
        ari_table(args.ari_seeds)
        return
    print("| case | ours (Polis pipeline) | ours + bridging | red-dwarf 0.4.0 | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    cases = []
    if args.no_real:
        pass
    elif DATA.exists():
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
