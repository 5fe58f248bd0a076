"""The worker process: the same results as in this process, and this process's when it fails."""

import sys

import numpy as np
import pytest
from sortition_cases import brute_force_case
from sortition_oracle import leximin
from threadpoolctl import threadpool_limits

from minipublic.sortition import (
    _leximin,
    find_distribution,
    synthetic_pool,
)
from minipublic.sortition._frankwolfe import frank_wolfe
from minipublic.sortition._leximin import initial_panels, possible_types
from minipublic.sortition._model import PanelSolver, RelaxedPricer, build_instance
from minipublic.sortition._relaxed import relaxed_leximin
from minipublic.sortition._worker import Worker, run_task


def _case(seed=4):
    sp = synthetic_pool(300, seed=seed, panel_size=30)
    inst = build_instance(sp.pool(), sp.quota_set(), 30)
    solver = PanelSolver(inst)
    rng = np.random.default_rng(seed)
    panels = initial_panels(inst, solver, rng, rounds=3)
    impossible = possible_types(inst, solver, panels, rng)
    return inst, panels, relaxed_leximin(inst, impossible)


def _same(a, b):
    (cols_a, lam_a), (cols_b, lam_b) = a, b
    assert [list(c) for c in cols_a] == [list(c) for c in cols_b]
    np.testing.assert_array_equal(lam_a, lam_b)


def test_a_task_gives_the_same_result_in_the_worker_as_here():
    """Frank-Wolfe and the starting panels, bit for bit (one BLAS thread on both sides)."""
    inst, panels, target = _case()
    fw_args = (inst, target, panels, np.random.default_rng(3), 150, 1e-7, None)
    start_args = (inst, np.random.default_rng(5), 6, None)
    with Worker() as worker:
        assert worker.proc is not None
        child = worker.proc.pid
        worker.submit("frank_wolfe", *fw_args)  # pickled now: the generator's state too
        there = worker.result()
        worker.submit("initial_panels", *start_args)
        there_start = worker.result()
        assert worker.proc is not None and worker.proc.pid == child  # one child, both tasks
    assert worker.proc is None
    with threadpool_limits(limits=1, user_api="blas"):
        here = run_task("frank_wolfe", fw_args)
        here_start = run_task("initial_panels", start_args)
    _same(there, here)
    assert len(there[0]) > len(panels)  # it did take steps
    assert [list(c) for c in there_start] == [list(c) for c in here_start]


@pytest.mark.parametrize("failure", ["no process", "not python", "killed", "busy"])
def test_a_failed_worker_runs_the_task_here(failure, monkeypatch):
    inst, panels, target = _case(5)

    def args():
        return (inst, target, panels, np.random.default_rng(8), 100, 1e-7, None)

    with threadpool_limits(limits=1, user_api="blas"):
        expected = run_task("frank_wolfe", args())
        if failure == "no process":
            monkeypatch.setattr(sys, "executable", "/nonexistent/python")
        if failure == "not python":  # embedded in another program: never started
            monkeypatch.setattr(sys, "executable", "/usr/bin/uwsgi")
        with Worker() as worker:
            assert (worker.proc is None) == (failure in ("no process", "not python"))
            worker.submit("frank_wolfe", *args())
            if failure == "busy":
                with pytest.raises(RuntimeError, match="busy"):
                    worker.submit("frank_wolfe", *args())
            if failure == "killed":
                worker.proc.kill()
            _same(worker.result(), expected)
            if failure == "killed":
                assert worker.proc is None  # not used again
        with pytest.raises(RuntimeError, match="no task"):
            worker.result()


def test_two_halves_are_two_seeded_runs_averaged():
    """``halves=2``: the second half in the worker, the first here; each from its own seed."""
    inst, panels, target = _case(6)
    with threadpool_limits(limits=1, user_api="blas"):
        with RelaxedPricer(PanelSolver(inst), workers=1) as pricer, Worker() as worker:
            cols, lam = frank_wolfe(
                inst,
                pricer,
                target,
                panels,
                np.random.default_rng(9),
                steps=101,
                halves=2,
                worker=worker,
            )
        first, second = np.random.default_rng(9).spawn(2)
        parts = []
        for gen, steps in ((first, 51), (second, 50)):
            with RelaxedPricer(PanelSolver(inst), workers=1) as pricer:
                parts.append(frank_wolfe(inst, pricer, target, panels, gen, steps=steps))
    _same(
        (cols, lam),
        (parts[0][0] + parts[1][0], np.concatenate([0.5 * parts[0][1], 0.5 * parts[1][1]])),
    )
    assert lam.sum() == pytest.approx(1.0)


def _leximin_matches_brute_force(seed, households):
    """LEXIMIN of a random small case, checked against brute force over every panel."""
    _, pool, quotas, k, M = brute_force_case(seed, households=households)
    d = find_distribution(pool, quotas, k, algorithm="leximin")
    np.testing.assert_allclose(d.probabilities, leximin(M), atol=1e-6)
    return d


@pytest.mark.parametrize("interior", [True, False])
@pytest.mark.parametrize(("seed", "households"), [(0, False), (3, True), (5, False)])
def test_leximin_with_the_worker_matches_brute_force(seed, households, interior, monkeypatch):
    """Small pools take the large-pool path when forced: worker, halves, and with the
    interior-point master, its solves by PIQP in the worker and the polish beside them."""
    monkeypatch.setattr(_leximin, "WORKER_TYPES", 0)
    if interior:
        monkeypatch.setattr(_leximin, "INTERIOR_ROWS", 0)
        monkeypatch.setattr(_leximin, "COLD_IPM_RATIO", -1.0)
    calls = {"initial_panels": 0, "frank_wolfe": 0, "master_dual": 0, "polish": 0}
    submit, polish = Worker.submit, _leximin._solve_polishing

    def count_submit(self, name, *args):
        calls[name] += 1
        return submit(self, name, *args)

    def count_polish(*args, **kwargs):
        calls["polish"] += 1
        return polish(*args, **kwargs)

    monkeypatch.setattr(Worker, "submit", count_submit)
    monkeypatch.setattr(_leximin, "_solve_polishing", count_polish)
    _leximin_matches_brute_force(seed, households)
    # The starting panels, then the second half; with the interior-point
    # master, every solve of it (PIQP's, while Frank-Wolfe polishes here).
    assert calls["initial_panels"] == calls["frank_wolfe"] == 1
    assert (calls["master_dual"] >= 1) == interior
    assert (calls["polish"] >= 1) == interior


@pytest.mark.parametrize(("seed", "households"), [(0, False), (3, True), (5, False), (9, False)])
def test_piqp_master_hands_its_finish_to_clarabel_then_highs(seed, households, monkeypatch):
    """Near the target PIQP's mixture is not trusted: when least squares over its heaviest
    panels falls short (forced here), Clarabel solves next, then HiGHS finishes."""
    from sortition_cases import master_states

    monkeypatch.setattr(_leximin, "WORKER_TYPES", 0)
    monkeypatch.setattr(_leximin, "INTERIOR_ROWS", 0)
    monkeypatch.setattr(_leximin, "COLD_IPM_RATIO", -1.0)
    monkeypatch.setattr(_leximin, "FINISH_TOL", -1.0)
    dense = master_states(monkeypatch, "last_dense")
    d = _leximin_matches_brute_force(seed, households)
    assert dense[0] and not dense[-1]
    assert d.panel_probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert len(d.panel_probabilities) <= d.stats["n_types"] + 1
