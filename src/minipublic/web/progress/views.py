"""The progress partial: polled by HTMX until the task has finished."""

import uuid

from django.http import Http404
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


def progress_from_query(request, assembly) -> TaskProgress | None:
    """The task named by ``?progress=<id>`` on a page of *assembly*, or None when absent.

    The id comes from the address bar: a malformed one, or one of another
    assembly, is a 404 (never a server error).
    """
    value = request.GET.get("progress")
    if not value:
        return None
    try:
        progress_id = uuid.UUID(value)
    except (ValueError, AttributeError):
        raise Http404("no such task") from None
    return get_object_or_404(TaskProgress, pk=progress_id, assembly=assembly)
