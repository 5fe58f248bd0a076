"""Benchmark: every cohesion analysis on 20 000 people x 3 waves x 60 items (target < 30 s).

Run from the repository root:

    .venv/bin/python benchmarks/cohesion.py [--people 20000] [--seed 1]

Prints the time of each step and the total. The data are simulated (seeded) by
``minipublic.cohesion.simulate_survey``; data generation is timed separately.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from minipublic.cohesion import (
    cfa,
    effects,
    invariance,
    reliability,
    score_scales,
    simulate_survey,
    subgroup_effects,
)


def benchmark_scales(n_scales: int = 10, n_items: int = 6) -> pd.DataFrame:
    """60 items: 10 scales of 6 items over the three levels, one reverse-keyed item per scale."""
    levels = ["macro", "meso", "micro"]
    rows = []
    for s in range(n_scales):
        name = "trust_institutions" if s == 0 else f"scale_{s:02d}"
        for j in range(n_items):
            rows.append(
                {
                    "scale": name,
                    "level": levels[s % 3],
                    "item": f"{name}_{j + 1}",
                    "reverse": int(j == n_items - 1),
                    "min": 0 if s % 2 else 1,
                    "max": 10 if s % 2 else 5,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    t0 = time.perf_counter()
    n_public = args.people // 10
    responses, scales = simulate_survey(
        n_pool=args.people - n_public, n_public=n_public, scales=benchmark_scales(), seed=args.seed
    )
    print(
        f"simulate {args.people} people x 3 waves x {len(scales)} items "
        f"({len(responses)} rows): {time.perf_counter() - t0:.2f} s (not counted)"
    )
    steps = [
        ("score scales", lambda: score_scales(responses, scales)),
        ("reliability T0 (alpha, omega)", lambda: reliability(responses, scales, wave="T0")),
        ("CFA T0, one factor per scale", lambda: cfa(responses, scales, wave="T0")),
        ("invariance T0/T1/T2", lambda: invariance(responses, scales)),
        (
            "effects T0->T1 (+attrition)",
            lambda: effects(responses, scales, pre="T0", post="T1", attrition=True),
        ),
        ("effects T0->T2", lambda: effects(responses, scales, pre="T0", post="T2")),
        ("subgroups T0->T1", lambda: subgroup_effects(responses, scales, pre="T0", post="T1")),
    ]
    total = 0.0
    for name, fn in steps:
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        total += dt
        extra = ""
        if hasattr(out, "converged"):
            extra = f"  converged={out.converged} CFI={out.fit['cfi']:.3f}"
        print(f"{name:34s} {dt:7.2f} s{extra}")
    print(f"{'total (all analyses)':34s} {total:7.2f} s  (target < 30 s)")


if __name__ == "__main__":
    main()
