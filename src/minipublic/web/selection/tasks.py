"""Background task of the ``selection`` app: compute the distribution and its lottery."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


@task()
def run_selection(*, progress_id: str, run_id: int) -> dict:
    """Find the fair distribution for one :class:`SelectionRun` and round it to a lottery.

    Progress goes to the page; an infeasible quota set or a bad pool ends the
    run as failed with the core's plain-words message.
    """
    from django.urls import reverse

    from minipublic.errors import MinipublicError
    from minipublic.web.selection.actions import compute_run, do_fail_run
    from minipublic.web.selection.models import SelectionRun

    run = SelectionRun.objects.select_related("assembly").get(pk=run_id)
    url = reverse("selection:run", args=[run.assembly.slug, run.pk])
    with tracked(progress_id) as report:
        try:
            compute_run(run, progress=report)
        except MinipublicError as exc:
            do_fail_run(run, str(exc))
            raise
        except Exception:
            do_fail_run(run, "The selection stopped because of an unexpected error.")
            raise
        run.refresh_from_db()
        report.finish(
            {
                "run": run.pk,
                "n_pool": run.n_pool,
                "min_probability": run.stats.get("min_probability"),
            },
            url=url,
        )
    return report.result
