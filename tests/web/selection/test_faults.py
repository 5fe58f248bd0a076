"""A selection run whose worker fails or dies mid-way: nothing half-stored, shown failed, re-runnable.

The fault is injected inside :func:`do_store_run`, after the run row has
been written with its result and before the transaction ends (the audit
line is the last write). Two kinds of fault:

- the task raises (an error in the code): the task's handlers run;
- the worker dies (SIGKILL, out of memory): nothing after that line runs in
  the process. It is simulated by a ``BaseException`` the task's handlers do
  not catch; the open transaction is rolled back as PostgreSQL and SQLite do
  for a connection whose process died.

On PostgreSQL a third test kills a real worker process with SIGKILL while
its result is written but not committed.

Either way the run keeps no distribution, lottery or panel, the pages show
it as failed (for a dead worker once the task is stale, see
:attr:`TaskProgress.is_stuck`), and a new run with the same seed gives the
same lottery as a run that was never interrupted.
"""

import datetime as dt
import os

import pytest
from django.utils import timezone

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.progress.models import TaskStatus
from minipublic.web.selection import actions
from minipublic.web.selection.models import PanelMember, RunStatus, SelectionRun
from minipublic.web.selection.tasks import run_selection

from .test_actions import _lines

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process ends here: no ``except Exception`` handler of the task runs."""


def _start(assembly, organiser, seed="s1"):
    """A run with its progress row; the task is not queued (the test calls its body)."""
    actions.do_save_quotas(actions.quota_set_of(assembly), panel_size=10, lines=_lines())
    return actions.check_start_selection(
        assembly, algorithm="leximin", seed=seed, m=200, acting_user=organiser
    )


def _compute(run) -> SelectionRun:
    run_selection.call(progress_id=str(run.progress_id), run_id=run.pk)
    run.refresh_from_db()
    run.progress.refresh_from_db()
    return run


def _fail_after_store(monkeypatch, fault: type[BaseException]) -> dict:
    """Make the audit line of ``selection.computed`` raise *fault*; record what was written."""
    seen = {}
    real = actions.record_event

    def record_event(kind, obj, **kw):
        if kind == "selection.computed":
            stored = SelectionRun.objects.get(pk=obj.pk)
            seen.update(status=stored.status, lottery=bool(stored.lottery_csv))
            raise fault("worker stopped")
        return real(kind, obj, **kw)

    monkeypatch.setattr(actions, "record_event", record_event)
    return seen


def _nothing_kept(run: SelectionRun) -> None:
    assert run.lottery_csv == "" and run.lottery_sha256 == ""
    assert run.probabilities == {} and run.stats == {} and run.manifest == {}
    assert run.panel == [] and not PanelMember.objects.filter(run=run).exists()
    assert not AuditEvent.objects.filter(event_type="selection.computed", object_id=run.pk).exists()


@pytest.fixture
def reference(small_pool, user):
    """The lottery fingerprint of an uninterrupted run with seed "s1"."""
    run = _compute(_start(small_pool, user("organiser")))
    assert run.status == RunStatus.DONE and run.lottery_sha256
    return run.lottery_sha256


def test_task_error_after_writing_keeps_nothing_and_reruns(
    small_pool, user, reference, monkeypatch
):
    """An error raised after the result was written: run failed, nothing kept, re-run identical."""
    seen = _fail_after_store(monkeypatch, RuntimeError)
    run = _start(small_pool, user("organiser"))
    with pytest.raises(RuntimeError):
        _compute(run)
    run.refresh_from_db()
    run.progress.refresh_from_db()
    assert seen == {"status": RunStatus.DONE, "lottery": True}  # it had been written
    assert run.status == RunStatus.FAILED and run.error
    assert run.progress.status == TaskStatus.FAILED
    _nothing_kept(run)
    monkeypatch.undo()
    again = _compute(_start(small_pool, user("organiser")))
    assert again.status == RunStatus.DONE
    assert again.lottery_sha256 == reference


def test_killed_worker_keeps_nothing_shows_failed_and_reruns(
    small_pool, user, reference, monkeypatch, client_as, settings
):
    """A worker that dies after writing: nothing kept; "running" until stale, then failed."""
    seen = _fail_after_store(monkeypatch, WorkerKilled)
    run = _start(small_pool, user("organiser"))
    with pytest.raises(WorkerKilled):
        _compute(run)
    monkeypatch.undo()
    run.refresh_from_db()
    run.progress.refresh_from_db()
    assert seen == {"status": RunStatus.DONE, "lottery": True}
    # Nobody marked it: both rows still say running, and nothing of the result is left.
    assert run.status == RunStatus.RUNNING and run.progress.status == TaskStatus.RUNNING
    _nothing_kept(run)
    assert not run.is_stuck

    organiser = client_as("organiser")
    url = f"/a/{small_pool.slug}/selection/runs/{run.pk}/"
    page = organiser.get(url).content.decode()
    assert "stopped without finishing" not in page

    # Past the site's limit for a running task the run is shown failed and can be redone.
    settings.MINIPUBLIC_TASK_RUN_TIMEOUT = 60
    type(run.progress).objects.filter(pk=run.progress_id).update(
        started_at=timezone.now() - dt.timedelta(seconds=61)
    )
    run.progress.refresh_from_db()
    assert run.is_stuck
    page = organiser.get(url).content.decode()
    assert "The selection stopped without finishing." in page
    assert 'id="run-status">Failed<' in page
    assert "hx-get" not in page  # the progress box stops polling
    overview = organiser.get(f"/a/{small_pool.slug}/selection/").content.decode()
    assert f"#{run.pk}</a>" in overview

    again = _compute(_start(small_pool, user("organiser")))
    assert again.status == RunStatus.DONE
    assert again.lottery_sha256 == reference


def test_run_without_a_task_is_stuck(small_pool, user):
    """A running run whose progress row is gone can never finish: it is shown failed."""
    run = _start(small_pool, user("organiser"))
    assert not run.is_stuck
    run.progress.delete()
    run.refresh_from_db()
    assert run.progress is None and run.is_stuck


_KILLED_WORKER = """
import os, sys, time
import django

django.setup()
from minipublic.web.selection import actions
from minipublic.web.selection.tasks import run_selection

marker, progress_id, run_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
real = actions.record_event


def record_event(kind, obj, **kw):
    if kind == "selection.computed":  # the result is written, not yet committed
        with open(marker, "w") as f:
            f.write("stored")
        time.sleep(600)
    return real(kind, obj, **kw)


actions.record_event = record_event
run_selection.call(progress_id=progress_id, run_id=run_id)
"""


@pytest.mark.slow
@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="a second process needs a shared database (DATABASE_URL=postgres://...)",
)
def test_worker_process_killed_by_sigkill(transactional_db, user, tmp_path, settings):
    """A real worker process, SIGKILLed while its result is written: PostgreSQL keeps none of it.

    Needs PostgreSQL: the worker is another process and must reach the test's
    database (an in-memory SQLite test database is private to this process).
    """
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    from minipublic.web.assemblies.models import Assembly

    from .conftest import make_small_pool

    organiser = user("organiser") if _has_cast() else _organiser()
    assembly = Assembly.objects.create(
        slug="killed-worker", title="Killed worker", question="?", phase="select"
    )
    make_small_pool(assembly, organiser, [[1, 2, 5, 5, 8][i % 5] for i in range(40)])
    reference = _compute(_start(assembly, organiser)).lottery_sha256

    run = _start(assembly, organiser)
    db = connection.settings_dict
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src"),
        "DJANGO_SETTINGS_MODULE": "minipublic.web.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    marker = tmp_path / "stored"
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, str(marker), str(run.progress_id), str(run.pk)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never reached the store"
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL

    run.refresh_from_db()
    run.progress.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.progress.status == TaskStatus.RUNNING
    _nothing_kept(run)
    settings.MINIPUBLIC_TASK_RUN_TIMEOUT = 0
    assert run.is_stuck

    again = _compute(_start(assembly, organiser))
    assert again.status == RunStatus.DONE and again.lottery_sha256 == reference


def _has_cast() -> bool:
    from minipublic.web.demo import CAST
    from minipublic.web.people.models import User

    return User.objects.filter(email=CAST["organiser"].email).exists()


def _organiser():
    from minipublic.web.people.actions import do_create_staff_account

    return do_create_staff_account(
        email="killed-worker@example.org", password="x-long-password-1", display_name="K"
    )
