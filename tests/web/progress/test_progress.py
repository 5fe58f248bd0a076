"""Background tasks with progress: the database queue runs them; the partial shows them."""

import pytest
from django.core import mail

from minipublic.errors import InputError
from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.people.tasks import run_send_sign_in_links
from minipublic.web.progress.actions import do_start_task
from minipublic.web.progress.models import TaskProgress, TaskStatus
from minipublic.web.progress.reporting import ProgressReporter, tracked

pytestmark = pytest.mark.django_db


def test_task_runs_through_the_database_queue(
    demo_assembly, user, django_capture_on_commit_callbacks, run_queue
):
    """Starting the task queues it after commit; the worker runs it and the row records the end."""
    olivia = user("organiser")
    with django_capture_on_commit_callbacks(execute=True):
        progress = do_start_task(
            run_send_sign_in_links,
            kind="people.send_sign_in_links",
            title="Emailing sign-in links to members",
            assembly=demo_assembly,
            acting_user=olivia,
            assembly_id=demo_assembly.pk,
            acting_user_id=olivia.pk,
        )
    progress.refresh_from_db()
    assert progress.status == TaskStatus.QUEUED and progress.task_id
    mail.outbox.clear()
    # The emails wait for the commit of the worker's transaction.
    with django_capture_on_commit_callbacks(execute=True):
        run_queue()
    progress.refresh_from_db()
    n = (
        demo_assembly.participants.filter(is_active=True)
        .exclude(personal_details__email="")
        .count()
    )
    assert progress.status == TaskStatus.SUCCEEDED
    assert progress.percent == 100.0
    assert progress.result == {"sent": n}
    assert progress.message == f"{n} of {n} emails sent"
    assert progress.started_at <= progress.finished_at
    assert len(mail.outbox) == n
    assert AuditEvent.objects.filter(event_type="task.started", object_id=str(progress.pk)).exists()


def test_members_page_starts_task_and_polls_partial(
    demo_assembly, client_as, django_capture_on_commit_callbacks, run_queue
):
    client = client_as("organiser")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/a/{demo_assembly.slug}/members/send-links/")
    assert response.status_code == 302
    progress = TaskProgress.objects.get(kind="people.send_sign_in_links")
    page = client.get(response["Location"]).content.decode()
    partial_url = f"/a/{demo_assembly.slug}/progress/{progress.pk}/"
    # While queued, the box asks HTMX to poll itself.
    assert f'hx-get="{partial_url}"' in page and 'hx-trigger="every 1s"' in page
    run_queue()
    partial = client.get(partial_url).content.decode()
    assert "Finished" in partial and "100%" in partial
    assert "hx-get" not in partial  # finished: polling stops


def test_partial_of_another_assembly_is_not_found(demo_assembly, other_assembly, client_as):
    progress = do_start_task(
        run_send_sign_in_links, kind="x", title="x", assembly=demo_assembly, assembly_id=0
    )
    client = client_as("other_staff")
    assert client.get(f"/a/{other_assembly.slug}/progress/{progress.pk}/").status_code == 404


def test_tracked_reports_and_fails_with_user_message(demo_assembly):
    progress = TaskProgress.objects.create(kind="t", title="t", assembly=demo_assembly)
    with pytest.raises(InputError), tracked(str(progress.pk)) as report:
        report(0.5, "half way")
        progress.refresh_from_db()
        assert (progress.status, progress.percent, progress.message) == (
            TaskStatus.RUNNING,
            50.0,
            "half way",
        )
        raise InputError("quota for age 16-24 is more than the pool", file="quotas.csv", row=3)
    progress.refresh_from_db()
    assert progress.status == TaskStatus.FAILED
    assert progress.message == "quotas.csv, row 3: quota for age 16-24 is more than the pool"


def test_tracked_hides_unexpected_errors(demo_assembly):
    progress = TaskProgress.objects.create(kind="t", title="t", assembly=demo_assembly)
    with pytest.raises(ZeroDivisionError), tracked(str(progress.pk)):
        1 / 0  # noqa: B018
    progress.refresh_from_db()
    assert progress.status == TaskStatus.FAILED
    assert "unexpected error" in progress.message
    assert "ZeroDivision" not in progress.message


def test_reporter_clamps_and_throttles(demo_assembly):
    progress = TaskProgress.objects.create(kind="t", title="t", assembly=demo_assembly)
    report = ProgressReporter(str(progress.pk), min_interval=3600)
    report(1.7, "over")  # clamped to 100 %
    progress.refresh_from_db()
    assert progress.percent == 100.0
    report(0.2, "too soon")  # throttled: not written
    progress.refresh_from_db()
    assert progress.message == "over"
