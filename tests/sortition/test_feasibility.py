"""Feasibility, the plain-words explanation and the smallest relaxation (brute-force oracle)."""

import itertools

import numpy as np
import pandas as pd
import pytest
from sortition_cases import random_case
from sortition_oracle import feasible_panels

from minipublic.errors import InfeasibleError
from minipublic.sortition import (
    check_feasibility,
    find_distribution,
    pool_from_frame,
    quotas_from_frame,
)


def _students():
    """The issue's example: at most 10 under-25s, at least 14 students, all students under 25."""
    rows = []
    for i in range(20):
        rows.append((f"s{i}", "under 25", "student"))
    for i in range(10):
        rows.append((f"y{i}", "under 25", "working"))
    for i in range(30):
        rows.append((f"o{i}", "25+", "working"))
    people = pd.DataFrame(rows, columns=["id", "age", "occupation"])
    quotas = pd.DataFrame(
        [
            ("age", "under 25", 0, 10),
            ("age", "25+", 0, 30),
            ("occupation", "student", 14, 30),
            ("occupation", "working", 0, 30),
        ],
        columns=["feature", "value", "min", "max"],
    )
    return pool_from_frame(people), quotas_from_frame(quotas)


def test_explains_students_under_25():
    pool, quotas = _students()
    result = check_feasibility(pool, quotas, 30)
    assert not result.feasible
    text = "\n".join(result.explanation)
    assert "at most 10 people with age = under 25" in text
    assert "at least 14 people with occupation = student" in text
    assert "All 20 people in the pool with occupation = student have age = under 25." in text
    assert len(result.conflict) == 2
    # Smallest relaxation: 4 in total (raise the under-25 max to 14, or lower the student min to 10).
    total = sum(abs(c.new_min - c.old_min) + abs(c.new_max - c.old_max) for c in result.changes)
    assert total == 4
    assert check_feasibility(pool, result.relaxed, 30).feasible
    with pytest.raises(InfeasibleError, match="under 25"):
        find_distribution(pool, quotas, 30)


def _l1_violation(M, people, quotas):
    """Smallest total quota violation over the panels in M (rows), and the fewest
    bounds any panel with that smallest total breaks."""
    v = np.zeros(len(M))
    broken = np.zeros(len(M))
    for q in quotas.itertuples():
        cnt = M @ (people[q.feature] == q.value).to_numpy().astype(float)
        v += np.maximum(0, q.min - cnt) + np.maximum(0, cnt - q.max)
        broken += (cnt < q.min).astype(float) + (cnt > q.max).astype(float)
    best = v.min()
    return int(best), int(broken[v == best].min())


@pytest.mark.parametrize("seed", range(6))
def test_relaxation_is_smallest_by_brute_force(seed):
    people, quotas, k = random_case(seed)
    # Tighten the quotas until infeasible.
    quotas = quotas.copy()
    quotas.loc[0, ["min", "max"]] = [k, k]
    quotas.loc[len(quotas) - 1, "min"] = min(k, int(quotas.loc[len(quotas) - 1, "max"]))
    pool, q = pool_from_frame(people), quotas_from_frame(quotas)
    result = check_feasibility(pool, q, k)
    M = feasible_panels(people, quotas, k)
    assert result.feasible == (len(M) > 0)
    if result.feasible:
        return
    all_panels = np.zeros((0, len(people)))
    combos = list(itertools.combinations(range(len(people)), k))
    all_panels = np.zeros((len(combos), len(people)))
    for j, c in enumerate(combos):
        all_panels[j, list(c)] = 1
    best, fewest = _l1_violation(all_panels, people, quotas)
    total = sum(abs(c.new_min - c.old_min) + abs(c.new_max - c.old_max) for c in result.changes)
    assert total == best
    # Among the smallest relaxations, the one touching the fewest bounds.
    touched = sum((c.new_min != c.old_min) + (c.new_max != c.old_max) for c in result.changes)
    assert touched == fewest
    assert check_feasibility(pool, result.relaxed, k).feasible


def test_feasible_message():
    pool, quotas = _students()
    ok = quotas_from_frame(quotas.to_frame().assign(min=0, max=30))
    result = check_feasibility(pool, ok, 30)
    assert result.feasible and result.changes == () and "exists" in result.explanation[0]
    assert result.to_dict()["feasible"] is True
