"""Speed of minipublic's LEXIMIN against sortition-algorithms' maximin on synthetic pools.

Run:  .venv/bin/python benchmarks/sortition.py [--cap 300] [--sizes 500:40,2000:100]

For each (pool, panel) it prints our LEXIMIN time, minimum probability,
Gini and number of panels, and, when it finishes within the cap (run in a
subprocess that is killed at the cap), sortition-algorithms' maximin time and
minimum probability on the same instance, and the ratio of the times.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

from minipublic.sortition import find_distribution, synthetic_pool

DEFAULT = "500:40,1000:40,2000:100,5000:100,50000:150"


def _peer(n: int, k: int, queue) -> None:
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    sp = synthetic_pool(n, seed=1, panel_size=k)
    q = sp.quotas.astype(str)
    features, _, _ = read_in_features(list(q.columns), q.to_dict("records"))
    people, _ = read_in_people(
        list(sp.people.columns),
        sp.people.to_dict("records"),
        features,
        Settings(id_column="id", columns_to_keep=[]),
    )
    start = time.perf_counter()
    committees, probs, _ = find_distribution_maximin(features, people, k, [])
    seconds = time.perf_counter() - start
    p = dict.fromkeys(sp.people["id"], 0.0)
    for c, pr in zip(committees, probs, strict=True):
        for i in c:
            p[i] += pr
    queue.put((seconds, min(p.values())))


def peer_maximin(n: int, k: int, cap: float):
    queue = mp.Queue()
    proc = mp.Process(target=_peer, args=(n, k, queue))
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
    parser.add_argument("--sizes", default=DEFAULT, help="pool:panel pairs, comma-separated")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    header = (
        f"{'pool':>6} {'panel':>5} {'types':>6} {'ours s':>8} {'min p':>8} {'Gini':>6} "
        f"{'panels':>6} | {'peer s':>8} {'peer min':>8} {'ratio':>6}"
    )
    print(header, flush=True)
    for pair in args.sizes.split(","):
        n, k = (int(x) for x in pair.split(":"))
        sp = synthetic_pool(n, seed=1, panel_size=k)
        start = time.perf_counter()
        d = find_distribution(sp.pool(), sp.quota_set(), k, algorithm="leximin")
        ours = time.perf_counter() - start
        s = d.stats
        peer = None if args.no_peer else peer_maximin(n, k, args.cap)
        if peer is None:
            tail = f"{'> cap' if not args.no_peer else '-':>8} {'-':>8} {'-':>6}"
        else:
            tail = f"{peer[0]:8.1f} {peer[1]:8.4f} {peer[0] / ours:6.1f}"
        print(
            f"{n:>6} {k:>5} {s['n_types']:>6} {ours:8.1f} {s['min_probability']:8.4f} "
            f"{s['gini']:6.3f} {s['n_panels']:>6} | {tail}",
            flush=True,
        )


if __name__ == "__main__":
    main()
