"""Background tasks of the ``evaluation`` app: the analysis, and sending due invitations and reminders."""

from django.tasks import task
from django.urls import reverse

from minipublic.web.progress.reporting import tracked


@task()
def run_analysis(*, progress_id: str, analysis_id: int) -> dict:
    """Run the cohesion core on the current data and store the numbers and plots on the Analysis row."""
    from minipublic.web.evaluation import actions, analysis
    from minipublic.web.evaluation.models import Analysis

    row = Analysis.objects.select_related("assembly").get(pk=analysis_id)
    with tracked(progress_id) as report:
        try:
            result, plots = analysis.run(row.assembly, progress=report)
        except Exception as exc:
            actions.do_store_analysis(row, error=str(exc)[:500] or exc.__class__.__name__)
            raise
        actions.do_store_analysis(row, result=result, plots=plots)
        report.finish(
            {"rows": result["n_rows"]},
            url=reverse("evaluation:dashboard", args=[row.assembly.slug]),
        )
    return report.result


@task()
def run_send_wave_messages(*, progress_id: str, wave_id: int) -> dict:
    """Send every invitation and reminder due now for one wave (safe to run any number of times)."""
    from minipublic.web.evaluation.actions import do_send_due_messages
    from minipublic.web.evaluation.models import Wave

    wave = Wave.objects.select_related("assembly").get(pk=wave_id)
    with tracked(progress_id) as report:
        sent = do_send_due_messages(wave, progress=report)
        report.finish({"sent": sent}, url=reverse("evaluation:waves", args=[wave.assembly.slug]))
    return report.result
