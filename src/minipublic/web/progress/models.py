"""Progress of background tasks, shown on pages by an HTMX-polled partial."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class TaskProgress(models.Model):
    """One background job as a person sees it: what, how far, and how it ended.

    Created by :func:`minipublic.web.progress.actions.do_start_task`; updated
    only by :func:`minipublic.web.progress.reporting.tracked` from inside the
    task body.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, null=True, blank=True, related_name="task_progress"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.QUEUED)
    percent = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    # A page to open when the task has finished (e.g. a results page).
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "task progress"

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {TaskStatus.SUCCEEDED, TaskStatus.FAILED}

    @property
    def is_stuck(self) -> bool:
        """Queued but never started, or running, for longer than the site allows.

        A task whose worker died, or that was never queued, would otherwise
        show "running" for ever. Limits: ``MINIPUBLIC_TASK_QUEUE_TIMEOUT``
        seconds waiting to start (default 10 minutes) and
        ``MINIPUBLIC_TASK_RUN_TIMEOUT`` seconds running (default 2 hours).
        Pages show a stuck task as failed and offer to retry it.
        """
        from django.utils import timezone

        if self.is_finished:
            return False
        now = timezone.now()
        if self.status == TaskStatus.QUEUED or self.started_at is None:
            limit = getattr(settings, "MINIPUBLIC_TASK_QUEUE_TIMEOUT", 600)
            return (now - self.created_at).total_seconds() > limit
        limit = getattr(settings, "MINIPUBLIC_TASK_RUN_TIMEOUT", 7200)
        return (now - self.started_at).total_seconds() > limit

    @property
    def has_failed(self) -> bool:
        """Failed, or stuck (see :attr:`is_stuck`): what the page shows."""
        return self.status == TaskStatus.FAILED or self.is_stuck

    @property
    def elapsed_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        from django.utils import timezone

        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()
