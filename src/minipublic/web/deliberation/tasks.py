"""Background tasks of the ``deliberation`` app: the opinion map and the DRI."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


@task()
def run_refresh_map(*, progress_id: str, conversation_id: int, reason: str = "") -> dict:
    """Recompute the opinion map from every current vote and store it as a new version."""
    from django.urls import reverse

    from minipublic.web.deliberation.actions import compute_map, do_finish_map_refresh
    from minipublic.web.deliberation.models import Conversation

    conversation = Conversation.objects.select_related("assembly").get(pk=conversation_id)
    try:
        with tracked(progress_id) as report:
            snapshot = compute_map(conversation, progress=report)
            report.finish(
                {"version": snapshot.version if snapshot else None, "reason": reason},
                url=reverse("deliberation:map", args=[conversation.assembly.slug]),
            )
    finally:
        do_finish_map_refresh(conversation)
    return report.result


@task()
def run_dri(*, progress_id: str, run_id: int) -> dict:
    """Compute the Deliberative Reason Index of one :class:`DRIRun` (seeded permutation test)."""
    from django.urls import reverse

    from minipublic.errors import MinipublicError
    from minipublic.web.deliberation.actions import compute_dri, do_fail_dri
    from minipublic.web.deliberation.models import DRIRun

    run = DRIRun.objects.select_related("conversation__assembly").get(pk=run_id)
    with tracked(progress_id) as report:
        try:
            report(0.05, "")
            compute_dri(run)
        except MinipublicError as exc:
            do_fail_dri(run, str(exc))
            raise
        except Exception:
            do_fail_dri(run, "The computation stopped because of an unexpected error.")
            raise
        report.finish(
            {"run": run.pk}, url=reverse("deliberation:dri", args=[run.conversation.assembly.slug])
        )
    return report.result
