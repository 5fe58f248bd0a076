"""The face of the panel polytope where LEXIMIN's relaxed target lies, against brute force."""

import numpy as np
import pytest
from scipy.optimize import linprog
from sortition_cases import random_case
from sortition_oracle import feasible_panels, leximin

from minipublic.sortition import pool_from_frame, quotas_from_frame
from minipublic.sortition._model import build_instance, composition_ok
from minipublic.sortition._relaxed import relaxed_leximin, target_face

CASES = [(seed, households) for seed in range(30) for households in (False, True)]


def _case(seed, households):
    people, quotas, k = random_case(seed, households=households)
    M = feasible_panels(people, quotas, k, household="address" if households else None)
    if len(M) == 0:
        return None
    pool = pool_from_frame(people, household_columns="address" if households else None)
    inst = build_instance(pool, quotas_from_frame(quotas), k)
    selectable = M.any(axis=0)
    impossible = np.array([not selectable[inst.person_type == t].any() for t in range(inst.T)])
    return inst, M, relaxed_leximin(inst, impossible)


def _most_weight_off(M, expected, off):
    """Largest total weight a mixture of the panels ``M`` with probabilities ``expected`` can
    put on the panels ``off`` (None when no mixture has those probabilities)."""
    P = len(M)
    res = linprog(
        -off.astype(float),
        A_eq=np.vstack([M.T.astype(float), np.ones((1, P))]),
        b_eq=np.r_[expected, 1.0],
        bounds=(0, None),
        method="highs",
    )
    return None if res.status != 0 else -res.fun


def test_every_mixture_reaching_the_target_lies_on_its_face():
    """Where the brute-force LEXIMIN is the relaxed target, no mixture reaching it puts any
    weight off the face, and the mixture on the face alone still reaches it."""
    reached = fixed = 0
    for seed, households in CASES:
        case = _case(seed, households)
        if case is None:
            continue
        inst, M, target = case
        expected = leximin(M)
        if np.abs(expected - target[inst.person_type]).max() > 1e-6:
            continue  # out of reach: the level method answers, not the face
        reached += 1
        face = target_face(inst, target)
        if face is inst:
            continue
        fixed += 1
        assert (face.lo >= inst.lo).all() and (face.hi <= inst.hi).all()
        on_face = np.array(
            [composition_ok(face, inst.composition_of(np.nonzero(row)[0])) for row in M]
        )
        assert _most_weight_off(M, expected, ~on_face) == pytest.approx(0.0, abs=1e-7)
        assert _most_weight_off(M[on_face], expected, np.zeros(on_face.sum(), bool)) is not None
    # The check must have had something to check.
    assert reached >= 20 and fixed >= 10


def test_no_quota_at_a_bound_leaves_the_instance_as_it_is():
    inst, _, target = _case(0, False)
    expected = inst.membership().T.astype(float) @ (inst.type_size * target)
    loose = (expected - inst.lo > 1e-3) & (inst.hi - expected > 1e-3)
    if loose.all():
        assert target_face(inst, target) is inst
    else:
        face = target_face(inst, target)
        np.testing.assert_array_equal(face.lo[loose], inst.lo[loose])
        np.testing.assert_array_equal(face.hi[loose], inst.hi[loose])
        assert (face.lo[~loose] == face.hi[~loose]).all()
