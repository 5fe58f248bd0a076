"""Starting background tasks with a progress row the page can poll."""

from django.db import transaction

from minipublic.web.assemblies.audit import record_event
from minipublic.web.progress.models import TaskProgress


@transaction.atomic
def do_start_task(task, *, kind: str, title: str, assembly=None, acting_user=None, **kwargs):
    """Create a :class:`TaskProgress` row and enqueue *task* when the transaction commits.

    Parameters
    ----------
    task : django.tasks.Task
        A function decorated with ``@task()`` whose first keyword argument is
        ``progress_id`` (a string) and whose body runs inside
        :func:`minipublic.web.progress.reporting.tracked`.
    kind : str
        A short machine name, e.g. ``"people.send_sign_in_links"``.
    title : str
        What the page shows, e.g. "Emailing sign-in links".
    **kwargs
        JSON-serialisable arguments passed on to the task.

    Returns
    -------
    TaskProgress
        The row to show with ``{% include "progress/_progress.html" %}``.

    Notes
    -----
    Enqueuing waits for the commit so the worker (another process) can see
    the row; the task's id is stored on the row once it is queued.
    """
    progress = TaskProgress.objects.create(
        kind=kind, title=title, assembly=assembly, started_by=acting_user
    )
    record_event(
        "task.started",
        progress,
        actor=acting_user,
        assembly=assembly,
        new={"kind": kind, "arguments": kwargs},
    )

    def _enqueue() -> None:
        try:
            result = task.enqueue(progress_id=str(progress.pk), **kwargs)
        except Exception as exc:  # the queue is down: say so instead of "waiting" for ever
            from django.utils import timezone

            from minipublic.web.progress.models import TaskStatus

            TaskProgress.objects.filter(pk=progress.pk).update(
                status=TaskStatus.FAILED,
                message=f"The task could not be queued: {exc}"[:300],
                finished_at=timezone.now(),
            )
            return
        TaskProgress.objects.filter(pk=progress.pk, task_id="").update(task_id=str(result.id))

    transaction.on_commit(_enqueue)
    return progress
