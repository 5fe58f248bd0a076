"""Background tasks of the ``learning`` app."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


@task()
def run_table_plan(*, progress_id: str, plan_id: int) -> dict:
    """Compute a stored table plan (or a re-seat) with the core and store the seats."""
    from django.urls import reverse

    from minipublic.errors import MinipublicError
    from minipublic.web.learning.actions import do_fail_table_plan, do_store_table_plan
    from minipublic.web.learning.models import TablePlan
    from minipublic.web.learning.tables import compute_plan

    plan = TablePlan.objects.select_related("meeting__assembly").get(pk=plan_id)
    url = reverse("learning:tables", args=[plan.meeting.assembly.slug, plan.meeting_id])
    try:
        with tracked(progress_id) as report:
            report(0.0, "")
            result = compute_plan(plan, progress=report)
            do_store_table_plan(plan, seats=result.seats, result=result)
            report.finish(
                {
                    "seats": len(result.seats),
                    "repeat_meetings": result.repeat_meetings,
                    "repeat_lower_bound": result.repeat_lower_bound,
                },
                url=url,
            )
    except MinipublicError as exc:
        do_fail_table_plan(plan, str(exc))
        raise
    except Exception:
        do_fail_table_plan(plan, "The table plan stopped because of an unexpected error.")
        raise
    return report.result
