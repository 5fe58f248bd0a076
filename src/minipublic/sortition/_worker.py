"""A second Python process, so that LEXIMIN's independent searches use both cores.

Two runs of the panel searches on two *threads* share the interpreter lock:
with eight features at 2 000 / 100, two half-length Frank-Wolfe runs took
26 s together on two threads, where one alone takes 16 s. In a second
process they take 16-18 s. :class:`Worker` runs one task at a time in a
child process (this module run as a program, so nothing of the caller's own
script is imported again), with its arguments and result pickled over
pipes. Each task depends only on its arguments (seeded generators
included), so its result is the same in the child or here: when the child
cannot start or fails, :meth:`Worker.result` runs the task in this process.

The child, and this process while the child runs, use one BLAS thread:
OpenBLAS threads wait for work by spinning, and two processes each with
two such threads on two cores slowed both runs to 30 s.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

#: Environment of the child: one thread for each numerical library.
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
_LENGTH = struct.Struct("<Q")


def seconds_left(deadline: float | None) -> float | None:
    """A :func:`time.perf_counter` deadline as seconds left, for a task's arguments."""
    return None if deadline is None else max(0.0, deadline - time.perf_counter())


def _deadline(seconds: float | None) -> float | None:
    return None if seconds is None else time.perf_counter() + seconds


def _initial_panels(inst, rng, rounds, seconds):
    from minipublic.sortition._leximin import initial_panels
    from minipublic.sortition._model import PanelSolver

    deadline = _deadline(seconds)
    return initial_panels(inst, PanelSolver(inst), rng, rounds=rounds, deadline=deadline)


def _frank_wolfe(inst, target, panels, rng, steps, tol, seconds):
    from minipublic.sortition._frankwolfe import frank_wolfe
    from minipublic.sortition._model import PanelSolver, RelaxedPricer

    deadline = _deadline(seconds)
    with RelaxedPricer(PanelSolver(inst), workers=1) as pricer:
        cols, lam = frank_wolfe(
            inst, pricer, target, panels, rng, steps=steps, tol=tol, deadline=deadline
        )
    return np.array(cols, dtype=np.int64).reshape(len(cols), inst.T), lam


def _master_dual(a, target, tol):
    from minipublic.sortition._dense_master import solve_master_dual

    return solve_master_dual(a, target, tol)


#: The tasks a worker runs, by name. Arguments holding a deadline hold the
#: seconds left instead (the child has its own clock).
TASKS = {
    "initial_panels": _initial_panels,
    "frank_wolfe": _frank_wolfe,
    "master_dual": _master_dual,
}


def run_task(name: str, args: tuple) -> Any:
    """Run task ``name`` in this process."""
    return TASKS[name](*args)


def _is_python(executable: str | None) -> bool:
    """True when ``executable`` looks like a Python interpreter (``sys.executable`` may not)."""
    name = os.path.basename(executable or "").lower()
    return name.startswith(("python", "pypy"))


class Worker:
    """One child Python process running :data:`TASKS`, one at a time.

    Use as a context manager: on exit the child is told to stop (and killed
    if a task is still running). ``submit`` returns at once; ``result``
    waits for the task's result.
    """

    def __init__(self) -> None:
        self._task: tuple[str, tuple] | None = None
        self._reply: list = []
        self._talk: threading.Thread | None = None
        env = {**os.environ, **ONE_THREAD}
        # The child imports this package from where this process did.
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.proc: subprocess.Popen | None = None
        if not _is_python(sys.executable):
            return  # embedded (a uWSGI binary, say): the tasks run here
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "minipublic.sortition._worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except (OSError, ValueError):
            self.proc = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, name: str, *args: Any) -> None:
        """Start task ``name`` on ``args`` in the child."""
        if self._task is not None:
            raise RuntimeError("the worker is busy")
        self._task = (name, args)
        self._reply = []
        if self.proc is None:
            return
        # Writing and reading on a thread: a pipe holds 64 kB, and the child
        # reads only once it has imported numpy and HiGHS.
        payload = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        self._talk = threading.Thread(
            target=self._exchange, args=(payload,), name="minipublic-worker", daemon=True
        )
        self._talk.start()

    def _exchange(self, payload: bytes) -> None:
        try:
            self.proc.stdin.write(_LENGTH.pack(len(payload)) + payload)
            self.proc.stdin.flush()
            head = self.proc.stdout.read(_LENGTH.size)
            if len(head) == _LENGTH.size:
                (n,) = _LENGTH.unpack(head)
                body = self.proc.stdout.read(n)
                if len(body) == n:
                    self._reply.append(pickle.loads(body))
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            pass

    def result(self) -> Any:
        """The result of the task submitted last; run here if the child failed."""
        if self._task is None:
            raise RuntimeError("no task submitted")
        name, args = self._task
        if self._talk is not None:
            self._talk.join()
            self._talk = None
        self._task = None
        if self._reply and self._reply[0][0] == "ok":
            return self._reply[0][1]
        self._stop()
        return run_task(name, args)

    def stop(self) -> None:
        """Abandon the running task (if any) and the child."""
        self._task = None
        self._stop()

    def _stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                pipe.close()
            self.proc = None
        if self._talk is not None:
            self._talk.join()
            self._talk = None

    def close(self) -> None:
        """Let the child finish and exit (it is killed after a few seconds)."""
        if self.proc is None:
            return
        if self._task is not None:
            self.stop()
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc = None


def _main() -> None:
    """The child: run each task read from stdin, write its result to stdout."""
    out = os.fdopen(os.dup(1), "wb")
    # HiGHS writes its banner to file descriptor 1: keep it off the results.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    read = sys.stdin.buffer
    while True:
        head = read.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            return
        (n,) = _LENGTH.unpack(head)
        name, args = pickle.loads(read.read(n))
        try:
            reply = ("ok", run_task(name, args))
        except Exception as exc:  # the parent runs the task itself
            reply = ("failed", repr(exc))
        body = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_LENGTH.pack(len(body)) + body)
        out.flush()


if __name__ == "__main__":
    _main()
