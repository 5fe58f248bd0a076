"""Fair distributions over panels: the public entry point and its result."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from minipublic.errors import InfeasibleError, InputError
from minipublic.sortition._feasibility import _compute as _feasibility
from minipublic.sortition._feasibility import _validate
from minipublic.sortition._legacy import legacy
from minipublic.sortition._leximin import leximin
from minipublic.sortition._model import Instance, build_instance
from minipublic.sortition._nash import nash
from minipublic.sortition._pool import Pool, Quotas

__all__ = ["ALGORITHMS", "Distribution", "estimate_seconds", "find_distribution", "gini"]

ALGORITHMS = ("leximin", "maximin", "nash", "legacy")


def gini(values) -> float:
    """Gini coefficient ``sum_i sum_j |p_i - p_j| / (2 n^2 mean(p))``.

    Examples
    --------
    >>> gini([0.5, 0.5])
    0.0
    >>> round(gini([0.0, 1.0]), 6)
    0.5
    """
    p = np.sort(np.asarray(values, dtype=float))
    n = len(p)
    if n == 0 or p.sum() == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * p) / (n * p.sum()))


def estimate_seconds(pool: Pool, quotas: Quotas) -> tuple[int, float]:
    """Rough LEXIMIN running time on a 2-core machine: ``(types, seconds)``.

    The work grows with the number of *types* (people with the same value of
    every quota feature; with the household rule, everyone sharing an
    address is a type of their own). Measured on this project's benchmark
    families (``benchmarks/sortition.py``, 2026-12-06), LEXIMIN took about
    3-5 s at 265-350 types, 11 s at 401, 15-35 s at 668, 27-32 s at 910
    and 49-52 s at 1 153; ``6e-5 T^2`` seconds follows the slower
    families (it was ``3e-7 T^3`` before LEXIMIN used both cores). Only an
    order of magnitude: it varies with the quotas and the machine's load.
    """
    features = [f for f in quotas.features if f in pool.table.columns]
    frame = pool.table[features].astype(str)
    n_types = int(len(frame.drop_duplicates())) if features else 1
    households = pool.households
    if households is not None:
        keys = pd.Series(list(households))
        shared = keys[(keys != "") & keys.duplicated(keep=False)]
        n_types += int(len(shared))
    return n_types, float(6e-5 * n_types**2)


def solver_name() -> str:
    """``highspy <version>``, recorded in results and manifests."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"HiGHS via highspy {version('highspy')}"
    except PackageNotFoundError:
        return "HiGHS via highspy"


def seed_to_int(seed: int | str) -> int:
    """A 64-bit integer from an int or string seed (strings via SHA-256)."""
    import hashlib

    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed) % (2**64)
    digest = hashlib.sha256(str(seed).strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, eq=False)
class Distribution:
    """A probability distribution over panels and each person's selection probability.

    Panels are stored as *compositions*: ``compositions[j, t]`` members of
    person type ``t`` (people with identical quota features; see
    ``person_type``), drawn uniformly within the type. When every type is a
    single person, a composition is an ordinary panel.

    Attributes
    ----------
    algorithm : str
        ``"leximin"``, ``"maximin"``, ``"nash"`` or ``"legacy"``.
    panel_size : int
    ids : tuple of str
        Person ids, pool order.
    probabilities : ndarray, shape (n,)
        Selection probability of each person (sums to ``panel_size``).
    compositions : ndarray of int, shape (P, T)
    panel_probabilities : ndarray, shape (P,)
        Probability of each composition (sums to 1).
    person_type : ndarray of int, shape (n,)
    type_size : ndarray of int, shape (T,)
    zero_reasons : dict
        Id -> plain-words reason, for everyone with probability 0.
    seed : int
        Seed of the random choices (starting panels; Legacy draws).
    solver : str
    n_panels_generated, n_levels, iterations : int
        Column-generation intermediates.
    seconds : float
        Wall-clock time.
    quotas : Quotas
    households : bool
        Whether the one-per-household rule was applied.
    instance : Instance
        The solver-form problem (types, quota matrix), kept for audit and
        for rounding to a lottery.
    optimal : bool
        False when ``time_limit`` stopped LEXIMIN or Maximin before the
        optimum: the distribution is valid (every panel meets the quotas) but
        not yet the fairest.
    min_upper_bound : float or None
        Proven upper bound on the smallest probability of the optimal
        distribution (the LP bound), when computed (LEXIMIN, or any run with
        a time limit).
    """

    algorithm: str
    panel_size: int
    ids: tuple[str, ...]
    probabilities: np.ndarray
    compositions: np.ndarray
    panel_probabilities: np.ndarray
    person_type: np.ndarray
    type_size: np.ndarray
    zero_reasons: dict
    seed: int
    solver: str
    n_panels_generated: int
    n_levels: int
    iterations: int
    seconds: float
    quotas: Quotas
    households: bool
    instance: Instance
    optimal: bool = True
    min_upper_bound: float | None = None

    @property
    def stats(self) -> dict:
        """Min / max / mean probability, Gini, number of people with probability 0."""
        p = self.probabilities
        return {
            "n_people": len(p),
            "panel_size": self.panel_size,
            "min_probability": float(p.min()),
            "max_probability": float(p.max()),
            "mean_probability": float(p.mean()),
            "gini": gini(p),
            "n_zero": int((p <= 1e-12).sum()),
            "n_panels": int(len(self.panel_probabilities)),
            "n_types": int(len(self.type_size)),
            "optimal": bool(self.optimal),
            "min_probability_upper_bound": self.min_upper_bound,
        }

    def probability_of(self, person_id: str) -> float:
        """Selection probability of one person."""
        return float(self.probabilities[self.ids.index(person_id)])

    def to_dict(self) -> dict:
        """JSON-able form (probabilities per id, stats, intermediates)."""
        return {
            "algorithm": self.algorithm,
            "panel_size": self.panel_size,
            "seed": self.seed,
            "solver": self.solver,
            "stats": self.stats,
            "probabilities": dict(zip(self.ids, map(float, self.probabilities), strict=True)),
            "zero_reasons": dict(self.zero_reasons),
            "n_panels_generated": self.n_panels_generated,
            "n_levels": self.n_levels,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "households": self.households,
            "quotas": self.quotas.to_dict(),
        }


def find_distribution(
    pool: Pool,
    quotas: Quotas,
    size: int,
    *,
    algorithm: str = "leximin",
    seed: int | str = 0,
    group_types: bool = True,
    n_samples: int = 1000,
    progress: Callable[[float, str], None] | None = None,
    time_limit: float | None = None,
) -> Distribution:
    """Find a fair probability distribution over the panels meeting the quotas.

    Parameters
    ----------
    pool : Pool
    quotas : Quotas
    size : int
        Panel size ``k``.
    algorithm : {"leximin", "maximin", "nash", "legacy"}, default "leximin"
        ``leximin`` maximises the smallest selection probability, then the
        second smallest, and so on; ``maximin`` only the smallest;
        ``nash`` maximises ``sum_i log pi_i``; ``legacy`` is the greedy
        algorithm long used in practice, estimated from ``n_samples`` draws.
    seed : int or str, default 0
        Seed for the random starting panels (and the Legacy draws). The
        LEXIMIN and Nash probabilities do not depend on it.
    group_types : bool, default True
        Group interchangeable people into types (much faster; same
        probabilities). ``False`` solves person by person.
    n_samples : int, default 1000
        Draws for ``legacy``.
    progress : callable, optional
        ``progress(fraction, message)``, called from time to time.
    time_limit : float, optional
        Seconds allowed to LEXIMIN / Maximin. When they run out, the best
        distribution found so far is returned with ``optimal=False`` and
        ``min_upper_bound`` (see :class:`Distribution`); it depends on the
        machine's speed, so it is not reproducible from the seed alone.

    Returns
    -------
    Distribution

    Raises
    ------
    InputError
        Bad size, algorithm, or a pool/quota mismatch.
    InfeasibleError
        No panel meets the quotas; the message explains why and suggests a
        relaxation (see :func:`check_feasibility`).

    Notes
    -----
    LEXIMIN, Maximin and Nash are the algorithms of Flanigan et al. (2021),
    solved by column generation with HiGHS for both the master LP and the
    pricing MIP. The selection probability of person ``i`` is
    ``pi_i = sum_P lambda_P [i in P]``; LEXIMIN returns the unique vector
    ``pi`` whose sorted values are lexicographically largest. Types are
    sound because LEXIMIN's and Nash's optimal ``pi`` are unique and
    symmetric in interchangeable people, and for Maximin a symmetric optimum
    always exists. Legacy probabilities are Monte-Carlo estimates.

    References
    ----------
    Flanigan, B., Gölz, P., Gupta, A., Hennig, B., & Procaccia, A. D. (2021).
    Fair algorithms for selecting citizens' assemblies. Nature, 596,
    548-552. https://doi.org/10.1038/s41586-021-03788-6

    Examples
    --------
    >>> import pandas as pd
    >>> from minipublic.sortition import pool_from_frame, quotas_from_frame
    >>> pool = pool_from_frame(pd.DataFrame({"id": list("abcde"),
    ...                                      "age": ["y", "y", "o", "o", "o"]}))
    >>> quotas = quotas_from_frame(pd.DataFrame(
    ...     {"feature": ["age", "age"], "value": ["y", "o"], "min": [1, 1], "max": [1, 1]}))
    >>> d = find_distribution(pool, quotas, 2)
    >>> [round(float(p), 4) for p in d.probabilities]
    [0.5, 0.5, 0.3333, 0.3333, 0.3333]
    """
    if algorithm not in ALGORITHMS:
        raise InputError(
            f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}",
            column="algorithm",
        )
    _validate(pool, quotas, size)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise InputError(f"n_samples {n_samples!r} must be a whole number >= 1")
    inst = build_instance(
        pool, quotas, int(size), group_types=group_types and algorithm != "legacy"
    )
    feas = _feasibility(inst, quotas)
    if not feas.feasible:
        raise InfeasibleError("\n".join(feas.explanation))
    if time_limit is not None and not time_limit > 0:
        raise InputError(f"time limit {time_limit!r} must be a positive number of seconds")
    return _compute(
        inst, pool, quotas, algorithm, seed_to_int(seed), n_samples, progress, time_limit
    )


def _compute(
    inst: Instance,
    pool: Pool,
    quotas: Quotas,
    algorithm: str,
    seed: int,
    n_samples: int,
    progress: Callable[[float, str], None] | None,
    time_limit: float | None = None,
) -> Distribution:
    report = progress or (lambda fraction, message: None)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    optimal, upper = True, None
    if algorithm in ("leximin", "maximin"):
        solved = leximin(
            inst,
            rng=rng,
            maximin_only=algorithm == "maximin",
            progress=report,
            deadline=None if time_limit is None else start + float(time_limit),
        )
        optimal, upper = solved.optimal, solved.min_upper_bound
    elif algorithm == "nash":
        solved = nash(inst, rng=rng, progress=report)
    else:
        solved = legacy(inst, rng=rng, n_samples=n_samples, progress=report)
    seconds = time.perf_counter() - start
    report(1.0, "done")
    probs = inst.person_probabilities(solved.type_prob)
    probs = np.clip(probs, 0.0, 1.0)
    reasons = _zero_reasons(inst, solved.impossible, probs, algorithm)
    return Distribution(
        algorithm=algorithm,
        panel_size=inst.k,
        ids=tuple(inst.ids),
        probabilities=probs,
        compositions=solved.compositions,
        panel_probabilities=solved.weights,
        person_type=inst.person_type,
        type_size=inst.type_size,
        zero_reasons=reasons,
        seed=seed,
        solver=solver_name(),
        n_panels_generated=solved.n_columns,
        n_levels=solved.n_levels,
        iterations=solved.iterations,
        seconds=seconds,
        quotas=quotas,
        households=bool(pool.household_columns),
        instance=inst,
        optimal=optimal,
        min_upper_bound=upper,
    )


def _zero_reasons(inst: Instance, impossible: np.ndarray, probs: np.ndarray, algorithm: str):
    reasons = {}
    if not (probs <= 1e-12).any():
        return reasons
    A = inst.membership()
    hh_types = set()
    for h in inst.households:
        hh_types.update(int(t) for t in h)
    for i in np.nonzero(probs <= 1e-12)[0]:
        t = int(inst.person_type[i])
        if impossible[t]:
            closed = [inst.quota_keys[q] for q in np.nonzero(A[t])[0] if inst.hi[q] == 0]
            if closed:
                f, v = closed[0]
                why = f"the quota for {f} = {v} allows nobody (max 0)"
            elif t in hh_types:
                why = (
                    "no panel meeting the quotas can include this person together with "
                    "the one-per-household rule"
                )
            else:
                values = ", ".join(
                    f"{f} = {v}" for f, v in (inst.quota_keys[q] for q in np.nonzero(A[t])[0])
                )
                why = f"no panel meeting all quotas can include someone with {values}"
        elif algorithm == "legacy":
            why = "never drawn in the greedy samples (a Monte-Carlo estimate)"
        else:
            why = "every fair distribution found gives this person probability 0"
        reasons[inst.ids[i]] = why
    return reasons
