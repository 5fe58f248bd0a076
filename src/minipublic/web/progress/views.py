"""The progress partial: polled by HTMX until the task has finished."""

from django.shortcuts import get_object_or_404, render

from minipublic.web.permissions import require_permission
from minipublic.web.progress.models import TaskProgress


@require_permission("view", "task_progress")
def progress_partial(request, slug, progress_id):
    progress = get_object_or_404(TaskProgress, pk=progress_id, assembly=request.assembly)
    return render(
        request,
        "progress/_progress.html",
        {"progress": progress, "assembly": request.assembly},
    )
