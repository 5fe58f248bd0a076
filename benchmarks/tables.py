"""Benchmark: table plans for 150 members x 15 tables x 8 rounds (target < 5 s, repeats within 10 % of the bound).

Run from the repository root:

    PYTHONPATH=src /work/venv/bin/python benchmarks/tables.py
    PYTHONPATH=src /work/venv/bin/python benchmarks/tables.py --families uniform --no-cli

For each input family (different feature distributions, with and without hard
constraints) it prints the time of ``assign_tables`` in this process, the time
of the whole ``minipublic tables assign`` process (start-up, CSV reading,
search, writing), the repeat meetings against their lower bound, the pairs who
met, and the mixing scores (mean and worst table over the features), then the
worst figures over the families.

GroupSelect (sortitionfoundation/groupselect-lib, MIT) is run beside ours on
the same members, where it can express the input, and scored by the same
code. It is not a dependency: fetch it into a scratch folder outside the
repository and point ``GROUPSELECT_LIB`` (default ``/tmp/groupselect-lib``)
at it, e.g. ``git clone https://github.com/sortitionfoundation/groupselect-lib
/tmp/groupselect-lib``. If it is not there the benchmark says so and runs ours
alone. GroupSelect cannot express together groups, accessible tables, apart
pairs, per-round pins or facilitators, so it is not run on the constrained
family. Its legacy algorithm draws ``--groupselect-attempts`` independent
seatings (its default is 100; fewer here to spare shared machines) and keeps
the recombination with the most distinct meetings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from minipublic.deliberation.tables import Mix, assign_tables, evaluate_plan
from minipublic.deliberation.tables._problem import _code_feature

REPO = Path(__file__).resolve().parents[1]
GROUPSELECT = Path(os.environ.get("GROUPSELECT_LIB", "/tmp/groupselect-lib"))
FAMILIES = ("uniform", "skewed", "cluster", "constrained")


def family(
    name: str, n: int, tables: int, seed: int, rounds: int = 8
) -> tuple[pd.DataFrame, dict, dict]:
    """(members, assign_tables keyword arguments, files for the CLI) of one input family."""
    rng = np.random.default_rng(seed)
    ids = [f"m{i:03d}" for i in range(n)]
    frame = pd.DataFrame({"id": ids})
    if name == "skewed":
        frame["age"] = np.clip(rng.gamma(2.0, 12.0, n) + 16, 16, 95).round().astype(int)
        frame["area"] = rng.choice(
            ["city", "town", "village", "island"], n, p=[0.6, 0.2, 0.15, 0.05]
        )
        frame["trust"] = rng.choice(["low", "mid", "high"], n, p=[0.15, 0.25, 0.6])
        frame["gender"] = rng.choice(["f", "m"], n)
        mix = {c: "diversify" for c in ("age", "area", "trust", "gender")}
    else:
        frame["age"] = rng.integers(16, 90, n)
        frame["area"] = rng.choice(["north", "south", "east", "west", "centre"], n)
        frame["trust"] = rng.choice(["low", "mid", "high"], n, p=[0.3, 0.4, 0.3])
        mix = {c: "diversify" for c in ("age", "area", "trust")}
    kwargs: dict = {"mix": mix}
    files: dict = {}
    if name == "cluster":
        bsl = np.zeros(n, dtype=bool)
        bsl[rng.choice(n, 5, replace=False)] = True
        frame["bsl"] = np.where(bsl, "yes", "")
        kwargs["mix"] = mix | {"bsl": Mix("cluster", 3.0)}
    if name == "constrained":
        order = rng.permutation(n)
        frame["lang"] = ""
        frame.loc[order[:8], "lang"] = "cy"
        frame["access"] = ""
        frame.loc[order[8:14], "access"] = "yes"
        apart = [(ids[order[14 + 2 * k]], ids[order[15 + 2 * k]]) for k in range(5)]
        pins = {
            (1, ids[order[30]]): min(2, tables),
            (min(3, rounds), ids[order[31]]): min(5, tables),
            (rounds, ids[order[32]]): min(9, tables),
        }
        fac = {f"fac{t:02d}": t for t in range(1, tables + 1)}
        apart.append((ids[order[33]], f"fac{min(7, tables):02d}"))
        kwargs |= {
            "together": "lang",
            "needs_access": "access",
            "accessible_tables": (1, 2, 3, 4),
            "apart": apart,
            "pinned": pins,
            "facilitators": fac,
        }
        files = {
            "apart.csv": "id1,id2\n" + "".join(f"{a},{b}\n" for a, b in apart),
            "pins.csv": "round,id,table\n"
            + "".join(f"{r},{i},{t}\n" for (r, i), t in pins.items()),
            "fac.csv": "id,table\n" + "".join(f"{f},{t}\n" for f, t in fac.items()),
        }
    frame = frame.astype(str)
    return frame, kwargs, files


def cli_args(kwargs: dict, folder: Path) -> list[str]:
    mix = kwargs["mix"]
    div = [c for c, m in mix.items() if (m if isinstance(m, str) else m.kind) == "diversify"]
    clu = [
        f"{c}:{m.weight:g}"
        for c, m in mix.items()
        if not isinstance(m, str) and m.kind == "cluster"
    ]
    args = ["--mix", ",".join(div)]
    if clu:
        args += ["--cluster", ",".join(clu)]
    if kwargs.get("together"):
        args += ["--together", kwargs["together"], "--needs-access", kwargs["needs_access"]]
        args += ["--accessible-tables", ",".join(map(str, kwargs["accessible_tables"]))]
        args += ["--apart", str(folder / "apart.csv"), "--pin", str(folder / "pins.csv")]
        args += ["--facilitators", str(folder / "fac.csv")]
    return args


def scores(plan) -> dict:
    feats = plan.feature_summary()
    gap = plan.repeat_meetings - plan.repeat_lower_bound
    return {
        "repeats": plan.repeat_meetings,
        "bound": plan.repeat_lower_bound,
        "gap": gap,
        "pairs met": f"{100 * plan.pairs_met / plan.pairs_possible:.1f}%",
        "mix mean": round(float(feats["mean"].mean()), 3) if len(feats) else None,
        "mix worst": round(float(feats["worst"].min()), 3) if len(feats) else None,
    }


def run_groupselect(
    frame: pd.DataFrame, kwargs: dict, tables: int, rounds: int, seed: int, attempts: int
):
    """GroupSelect's seating of the same members, or the reason it could not run."""
    if not (GROUPSELECT / "groupselect").is_dir():
        return None, f"not found at {GROUPSELECT} (set GROUPSELECT_LIB to a checkout)"
    if kwargs.get("together"):
        return (
            None,
            "cannot express together groups, accessible tables, apart pairs or per-round pins",
        )
    sys.path.insert(0, str(GROUPSELECT))
    try:
        from groupselect import allocate_pandas
    except Exception as exc:  # noqa: BLE001 - report any import failure of the peer
        return None, f"cannot be imported: {exc}"
    fields = {}
    data = pd.DataFrame(index=frame.index)
    for col, m in kwargs["mix"].items():
        kind = m if isinstance(m, str) else m.kind
        # Same categories as ours (numeric columns in quantile bands).
        labels, codes = _code_feature(frame[col], col, kind, 1.0)
        data[col] = codes
        fields[col] = kind
    size = -(-len(frame) // tables)
    t0 = time.perf_counter()
    parts = allocate_pandas(
        data, fields, rounds * [size], settings={"seed": seed, "n_attempts": attempts}
    )
    seconds = time.perf_counter() - t0
    assignment = pd.DataFrame(
        {
            "round": parts["allocation"].astype(int) + 1,
            "table": parts["group"].astype(int) + 1,
            "id": frame["id"].to_numpy()[parts["participant"].astype(int)],
        }
    )
    plan = evaluate_plan(
        frame,
        assignment,
        tables=tables,
        rounds=rounds,
        mix=kwargs["mix"],
        method="GroupSelect legacy",
    )
    return (plan, seconds), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=150)
    parser.add_argument("--tables", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=3.5)
    parser.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    parser.add_argument("--no-cli", action="store_true", help="skip timing the CLI process")
    parser.add_argument("--groupselect-attempts", type=int, default=10)
    parser.add_argument("--no-groupselect", action="store_true")
    args = parser.parse_args()
    n, T, R = args.members, args.tables, args.rounds
    print(
        f"{n} members x {T} tables x {R} rounds, seed {args.seed}, time limit {args.time_limit:g} s"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (times scale with load)")
    rows = []
    for name in args.families:
        frame, kwargs, files = family(name, n, T, args.seed, R)
        t0 = time.perf_counter()
        plan = assign_tables(
            frame, tables=T, rounds=R, seed=args.seed, time_limit=args.time_limit, **kwargs
        )
        inner = time.perf_counter() - t0
        cli = None
        if not args.no_cli:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                frame.to_csv(folder / "members.csv", index=False)
                for fname, text in files.items():
                    (folder / fname).write_text(text)
                cmd = [
                    sys.executable, "-c", "from minipublic.cli import main; main()",
                    "tables", "assign", str(folder / "members.csv"), "--tables", str(T),
                    "--rounds", str(R), "--seed", str(args.seed), "--time-limit",
                    str(args.time_limit), "--out", str(folder / "out"), *cli_args(kwargs, folder),
                ]  # fmt: skip
                env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
                t0 = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
                cli = time.perf_counter() - t0
                if done.returncode != 0:
                    print(f"CLI failed on {name}: {done.stderr.strip()}")
        rows.append({"family": name, "tool": "minipublic", "seconds": round(inner, 2),
                     "CLI seconds": None if cli is None else round(cli, 2), **scores(plan)})  # fmt: skip
        print(f"  {name}: {plan.method}", flush=True)
        if not args.no_groupselect:
            result, why = run_groupselect(frame, kwargs, T, R, args.seed, args.groupselect_attempts)
            if result is None:
                print(f"  {name}: GroupSelect not run: {why}")
            else:
                gplan, secs = result
                rows.append({"family": name, "tool": f"GroupSelect ({args.groupselect_attempts} attempts)",
                             "seconds": round(secs, 2), "CLI seconds": None, **scores(gplan)})  # fmt: skip
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.to_string(index=False))
    ours = table[table["tool"] == "minipublic"]
    worst_time = float(ours["seconds"].max())
    worst_cli = ours["CLI seconds"].max()
    within = all(r.repeats <= r.bound + 0.1 * r.bound for r in ours.itertuples(index=False))
    worst = ours.loc[(ours["gap"]).idxmax()]
    print(
        f"Worst over families (ours): {worst_time:.2f} s in process"
        + ("" if pd.isna(worst_cli) else f", {worst_cli:.2f} s as a CLI process")
        + f"; largest gap to the bound {int(worst['gap'])} repeats ({worst['family']}: "
        f"{int(worst['repeats'])} vs bound {int(worst['bound'])}); "
        f"worst table mixing score {float(ours['mix worst'].min()):.3f}."
    )
    print(
        f"Target (< 5 s and repeats within 10 % of the bound): time "
        f"{'met' if worst_time < 5 else 'NOT met'}, repeats {'met' if within else 'NOT met'}."
    )


if __name__ == "__main__":
    main()
