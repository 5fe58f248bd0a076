"""Speed of minipublic's LEXIMIN against sortition-algorithms' maximin, per pool family.

Run:  PYTHONPATH=src python benchmarks/sortition.py [--quick]
          [--family selfselected,tight] [--sizes 500:40,2000:100] [--cap 300]
          [--pool-seeds 1,2,3,4,5]

Families (see :mod:`minipublic.sortition._selfselected`): ``synthetic`` (our
older generator, :func:`synthetic_pool`), ``selfselected`` (issue #21:
self-selected pool, quotas from population shares with slack
ceil(0.025 k)), ``tight`` (slack 0), ``loose`` (slack ceil(0.05 k)),
``eight`` (8 features) and ``households`` (selfselected plus the
one-per-household rule, about 15 % sharing an address). ``--family all``
runs every one.

For each (family, pool, panel) it prints the number of types (distinct
feature profiles), our LEXIMIN wall and CPU time, minimum probability, Gini
and number of panels, then sortition-algorithms' maximin on the same
instance in the same run (a subprocess killed at the cap; "> cap" when it
is), its wall and CPU time and minimum probability, and the ratio of wall
times peer / ours. CPU times include every thread and LEXIMIN's worker
process; the machine is shared, so only ratios from the same run are
comparable. ``--pool-seeds`` draws several pools of each family (the
generator's seed), so a speed tuned to one pool shows on the others; the
slowest of each family and size is printed at the end.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import os
import time

from minipublic.sortition import FAMILIES, family_pool, find_distribution

DEFAULT = "500:40,1000:40,2000:100,5000:100,50000:150"
QUICK = "500:40,2000:100"


def _cpu() -> float:
    # LEXIMIN's worker process counts too (once it has exited).
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _peer(family: str, n: int, k: int, queue, seed: int = 1) -> None:
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    sp, households = family_pool(family, n, k, seed=seed)
    q = sp.quotas.astype(str)
    features, _, _ = read_in_features(list(q.columns), q.to_dict("records"))
    settings = Settings(
        id_column="id",
        columns_to_keep=["address"] if households else [],
        check_same_address=households,
        check_same_address_columns=["address"] if households else [],
    )
    people, _ = read_in_people(
        list(sp.people.columns), sp.people.to_dict("records"), features, settings
    )
    start, cpu = time.perf_counter(), _cpu()
    committees, probs, _ = find_distribution_maximin(
        features, people, k, ["address"] if households else []
    )
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    p = dict.fromkeys(sp.people["id"], 0.0)
    for c, pr in zip(committees, probs, strict=True):
        for i in c:
            p[i] += pr
    queue.put((seconds, cpu, min(p.values())))


def peer_maximin(family: str, n: int, k: int, cap: float, seed: int = 1):
    """(wall s, CPU s, min probability) of the peer's maximin, or None at the cap."""
    queue = mp.Queue()
    proc = mp.Process(target=_peer, args=(family, n, k, queue, seed))
    proc.start()
    proc.join(cap)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cap", type=float, default=300.0, help="seconds allowed to the peer")
    parser.add_argument("--sizes", default=None, help="pool:panel pairs, comma-separated")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK}")
    parser.add_argument(
        "--family", default="selfselected", help=f"comma-separated, or all: {', '.join(FAMILIES)}"
    )
    parser.add_argument("--time-limit", type=float, default=None, help="our time limit, seconds")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--pool-seeds",
        default="1",
        help="comma-separated seeds of the pool generator: each is another pool of the family",
    )
    args = parser.parse_args()
    sizes = args.sizes or (QUICK if args.quick else DEFAULT)
    families = list(FAMILIES) if args.family == "all" else args.family.split(",")
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    header = (
        f"{'family':<12} {'seed':>4} {'pool':>6} {'panel':>5} {'types':>6} {'ours s':>7} {'cpu s':>7} "
        f"{'min p':>7} {'Gini':>6} {'panels':>6} | {'peer s':>7} {'cpu s':>7} "
        f"{'peer min':>8} {'ratio':>6} {'load':>5}"
    )
    print(header, flush=True)
    worst: dict[tuple[str, int, int], float] = {}
    for family in families:
        for pair, seed in itertools.product(sizes.split(","), args.pool_seeds.split(",")):
            n, k, seed = *(int(x) for x in pair.split(":")), int(seed)
            sp, households = family_pool(family, n, k, seed=seed)
            start, cpu = time.perf_counter(), _cpu()
            kwargs = {} if args.time_limit is None else {"time_limit": args.time_limit}
            d = find_distribution(
                sp.pool(households=households), sp.quota_set(), k, algorithm="leximin", **kwargs
            )
            ours, ours_cpu = time.perf_counter() - start, _cpu() - cpu
            s = d.stats
            worst[family, n, k] = max(worst.get((family, n, k), 0.0), ours)
            peer = None if args.no_peer else peer_maximin(family, n, k, args.cap, seed)
            if peer is None:
                tail = f"{'> cap' if not args.no_peer else '-':>7} {'-':>7} {'-':>8} {'-':>6}"
            else:
                tail = f"{peer[0]:7.1f} {peer[1]:7.1f} {peer[2]:8.4f} {peer[0] / ours:6.1f}"
            print(
                f"{family:<12} {seed:>4} {n:>6} {k:>5} {s['n_types']:>6} {ours:7.1f} {ours_cpu:7.1f} "
                f"{s['min_probability']:7.4f} {s['gini']:6.3f} {s['n_panels']:>6} | {tail} "
                f"{os.getloadavg()[0]:5.1f}",
                flush=True,
            )

    if len(args.pool_seeds.split(",")) > 1:
        print("slowest pool of each family and size:")
        for (family, n, k), seconds in worst.items():
            print(f"  {family:<12} {n:>6} {k:>5} {seconds:7.1f} s", flush=True)


if __name__ == "__main__":
    main()
