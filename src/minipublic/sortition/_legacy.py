"""The Legacy greedy algorithm, kept for comparison (Flanigan et al. 2021, "Legacy").

Trusts its input (an :class:`~minipublic.sortition._model.Instance`).
"""

from __future__ import annotations

import numpy as np

from minipublic.errors import InfeasibleError
from minipublic.sortition._leximin import ProgressFn, Solved, _noop
from minipublic.sortition._model import Instance


def _one_panel(
    inst: Instance, A_person: np.ndarray, hh_of: np.ndarray, rng: np.random.Generator
) -> np.ndarray | None:
    """One greedy draw; None when it gets stuck (the caller retries).

    At each step the quota value whose unmet minimum is largest relative to
    the people still available with that value is chosen, and a person with
    it is drawn uniformly; with all minimums met, anyone who breaks no
    maximum is drawn. People whose selection would break a maximum (or share
    a household with someone selected) are removed from the pool.
    """
    n, Q = A_person.shape
    feature_of = np.zeros((Q, inst.type_quota.shape[1]), dtype=np.int64)
    for t_f in range(inst.type_quota.shape[1]):
        feature_of[np.unique(inst.type_quota[:, t_f]), t_f] = 1
    available = np.ones(n, dtype=bool)
    counts = np.zeros(Q, dtype=np.int64)
    chosen: list[int] = []
    for _ in range(inst.k):
        full = counts >= inst.hi
        if full.any():
            available &= ~(A_person[:, full].any(axis=1))
        if not available.any():
            return None
        avail_per_q = A_person[available].sum(axis=0)
        need = np.maximum(inst.lo - counts, 0)
        if ((need @ feature_of) > inst.k - len(chosen)).any():
            return None
        if need.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(need > 0, need / np.maximum(avail_per_q, 1e-300), -1.0)
            ratio[(need > 0) & (avail_per_q == 0)] = np.inf
            q = int(np.argmax(ratio))
            if not np.isfinite(ratio[q]):
                return None
            cand = np.nonzero(available & (A_person[:, q] == 1))[0]
        else:
            cand = np.nonzero(available)[0]
        # Keep only candidates after whom every feature's unmet minimums still fit
        # in the seats left (the greedy otherwise dead-ends on tight quotas).
        if len(cand):
            after = counts[None, :] + A_person[cand]
            unmet = np.maximum(inst.lo[None, :] - after, 0) @ feature_of
            seats_left = inst.k - len(chosen) - 1
            cand = cand[(unmet <= seats_left).all(axis=1)]
        if len(cand) == 0:
            return None
        i = int(rng.choice(cand))
        chosen.append(i)
        counts += A_person[i]
        available[i] = False
        if hh_of[i] >= 0:
            available &= hh_of != hh_of[i]
    if (counts < inst.lo).any() or (counts > inst.hi).any():
        return None
    return np.array(sorted(chosen), dtype=np.int64)


def legacy(
    inst: Instance,
    *,
    rng: np.random.Generator,
    n_samples: int = 1000,
    max_attempts: int = 100,
    progress: ProgressFn = _noop,
) -> Solved:
    """Empirical distribution of the Legacy greedy algorithm over ``n_samples`` runs.

    Probabilities are Monte-Carlo estimates (standard error about
    ``sqrt(p (1 - p) / n_samples)``), unlike the optimised algorithms.
    """
    A_type = inst.membership()
    A_person = A_type[inst.person_type].astype(np.int64)
    hh_of = -np.ones(inst.n, dtype=np.int64)
    for h, types in enumerate(inst.households):
        for t in types:
            hh_of[inst.type_members[t]] = h
    panels: dict[bytes, list] = {}
    for s in range(n_samples):
        for _ in range(max_attempts):
            sel = _one_panel(inst, A_person, hh_of, rng)
            if sel is not None:
                break
        else:
            raise InfeasibleError(
                f"the Legacy greedy algorithm failed {max_attempts} times in a row; "
                "the quotas are too tight for it (use leximin)"
            )
        c = np.zeros(inst.n, dtype=np.int64)
        c[sel] = 1
        key = c.tobytes()
        if key in panels:
            panels[key][1] += 1
        else:
            panels[key] = [c, 1]
        if s % 50 == 0:
            progress(s / n_samples, f"greedy draw {s} of {n_samples}")
    person_comps = np.array([v[0] for v in panels.values()], dtype=np.int64)
    lam = np.array([v[1] for v in panels.values()], dtype=float) / n_samples
    # The instance has one type per person (built with group_types=False), so
    # person-level panels are the compositions.
    comps = np.zeros((len(person_comps), inst.T), dtype=np.int64)
    for j, pc in enumerate(person_comps):
        np.add.at(comps[j], inst.person_type[pc == 1], 1)
    size = inst.type_size.astype(float)
    type_prob = (comps / size).T @ lam
    impossible = np.zeros(inst.T, dtype=bool)
    return Solved(comps, lam, type_prob, impossible, len(comps), 0, n_samples)
