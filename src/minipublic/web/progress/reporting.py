"""Reporting progress from inside a background task.

A task body looks like this::

    @task()
    def run_send_sign_in_links(*, progress_id: str, assembly_id: int) -> dict:
        with tracked(progress_id) as report:
            for i, p in enumerate(participants):
                ...
                report((i + 1) / n, f"{i + 1} of {n} sent")
            report.finish({"sent": n}, url="/a/x/dashboard/")
        return report.result

``report`` has the same signature as the core's ``progress(fraction,
message)`` callback, so it can be passed straight to a core function.
"""

import contextlib
import logging
import time

from django.utils import timezone

from minipublic.errors import MinipublicError
from minipublic.web.progress.models import TaskProgress, TaskStatus

logger = logging.getLogger(__name__)


class ProgressReporter:
    """Callable ``report(fraction, message)`` that writes to one :class:`TaskProgress` row.

    Writes are throttled to one every ``min_interval`` seconds (the first and
    the final ones always go through), so a tight loop does not hammer the
    database.
    """

    def __init__(self, progress_id: str, *, min_interval: float = 0.3) -> None:
        self.progress_id = progress_id
        self.min_interval = min_interval
        self.result: dict | None = None
        self.result_url = ""
        self._last = 0.0

    def __call__(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last < self.min_interval and fraction < 1.0:
            return
        self._last = now
        percent = round(100.0 * min(max(float(fraction), 0.0), 1.0), 1)
        TaskProgress.objects.filter(pk=self.progress_id).update(
            percent=percent, message=message[:300]
        )

    def finish(self, result: dict | None = None, *, url: str = "") -> None:
        """Keep *result* (JSON) and the page to open afterwards."""
        self.result = result
        self.result_url = url


@contextlib.contextmanager
def tracked(progress_id: str):
    """Mark the row running, yield a :class:`ProgressReporter`, then mark it finished or failed.

    A :class:`~minipublic.errors.MinipublicError` is shown to the user as its
    own message; any other error as a generic one (details go to the log).
    The exception is re-raised so the task backend records the failure too.
    """
    TaskProgress.objects.filter(pk=progress_id).update(
        status=TaskStatus.RUNNING, started_at=timezone.now()
    )
    report = ProgressReporter(progress_id)
    try:
        yield report
    except MinipublicError as exc:
        _fail(progress_id, str(exc))
        raise
    except Exception:
        logger.exception("background task %s failed", progress_id)
        _fail(progress_id, "The task stopped because of an unexpected error.")
        raise
    TaskProgress.objects.filter(pk=progress_id).update(
        status=TaskStatus.SUCCEEDED,
        percent=100.0,
        finished_at=timezone.now(),
        result=report.result,
        result_url=report.result_url,
    )


def _fail(progress_id: str, message: str) -> None:
    TaskProgress.objects.filter(pk=progress_id).update(
        status=TaskStatus.FAILED, message=message[:300], finished_at=timezone.now()
    )
