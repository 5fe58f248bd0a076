"""Property tests: every plan meets every hard constraint, or the constraints are reported infeasible."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipublic.deliberation.tables import assign_tables, reseat
from minipublic.errors import InfeasibleError


@st.composite
def instances(draw):
    n = draw(st.integers(4, 24))
    tables = draw(st.integers(1, max(1, n // 2)))
    rounds = draw(st.integers(1, 4))
    ids = [f"m{i}" for i in range(n)]
    area = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    lang = draw(st.lists(st.sampled_from(["", "", "", "cy", "bsl"]), min_size=n, max_size=n))
    access = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    frame = pd.DataFrame(
        {"id": ids, "area": area, "lang": lang, "access": ["yes" if a else "" for a in access]}
    )
    accessible = draw(st.sets(st.integers(1, tables), max_size=tables))
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=4).map(
            lambda ps: [(a, b) for a, b in ps if a != b]
        )
    )
    pins = draw(
        st.dictionaries(
            st.tuples(st.integers(1, rounds), st.sampled_from(ids)),
            st.integers(1, tables),
            max_size=3,
        )
    )
    fac = draw(st.dictionaries(st.sampled_from(["f1", "f2"]), st.integers(1, tables), max_size=2))
    if fac and draw(st.booleans()):
        pairs.append((next(iter(fac)), ids[0]))
    kwargs = {
        "tables": tables,
        "rounds": rounds,
        "mix": {"area": "diversify"},
        "together": "lang" if draw(st.booleans()) else None,
        "needs_access": "access" if draw(st.booleans()) else None,
        "accessible_tables": sorted(accessible),
        "apart": pairs,
        "pinned": pins,
        "facilitators": fac,
    }
    return frame, kwargs, draw(st.integers(0, 3))


def check(plan, frame, kw, absent_round=None, absent=()):
    a = plan.assignment
    tables = kw["tables"]
    access = dict(zip(frame["id"], frame["access"] == "yes", strict=True))
    lang = dict(zip(frame["id"], frame["lang"], strict=True))
    accessible = set(kw["accessible_tables"]) or set(range(1, tables + 1))
    for r in range(1, kw["rounds"] + 1):
        part = a[a["round"] == r]
        expected = set(frame["id"]) - (set(absent) if r == absent_round else set())
        assert set(part["id"]) == expected and len(part) == len(expected)
        sizes = np.bincount(part["table"], minlength=tables + 1)[1:]
        assert sizes.max() - sizes.min() <= 1 and part["table"].between(1, tables).all()
        at = dict(zip(part["id"], part["table"], strict=True))
        if kw["needs_access"]:
            assert all(at[i] in accessible for i in at if access[i])
        if kw["together"]:
            for value in {v for v in lang.values() if v}:
                assert len({at[i] for i in at if lang[i] == value}) <= 1
        for x, y in kw["apart"]:
            fx, fy = kw["facilitators"].get(x), kw["facilitators"].get(y)
            tx = fx if fx is not None else at.get(x)
            ty = fy if fy is not None else at.get(y)
            if tx is not None and ty is not None and not (fx is not None and fy is not None):
                assert tx != ty
        for (pr, pid), t in kw["pinned"].items():
            if pr == r and pid in at:
                assert at[pid] == t
    assert plan.repeat_lower_bound <= plan.repeat_meetings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_plan_meets_every_hard_constraint(case):
    frame, kw, seed = case
    try:
        plan = assign_tables(frame, seed=seed, time_limit=1.0, **kw)
    except InfeasibleError:
        return
    check(plan, frame, kw)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.data())
def test_reseat_meets_every_hard_constraint(case, data):
    frame, kw, seed = case
    try:
        plan = assign_tables(frame, seed=seed, time_limit=1.0, **kw)
    except InfeasibleError:
        return
    r = data.draw(st.integers(1, kw["rounds"]))
    absent = data.draw(st.sets(st.sampled_from(frame["id"].tolist()), max_size=3))
    try:
        new = reseat(plan, frame, round=r, absent=absent, seed=seed)
    except InfeasibleError:
        return
    check(new, frame, kw, absent_round=r, absent=absent)
    before = plan.assignment[plan.assignment["round"] == r].set_index("id")["table"]
    after = new.assignment[new.assignment["round"] == r].set_index("id")["table"]
    assert new.moved == int((before.loc[after.index] != after).sum())
