"""A lottery task that never ran shows as failed and can be retried, audited (issue #14 item 4)."""

import datetime as dt

import pytest

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.demo import DEMO_SLUG
from minipublic.web.progress.models import TaskProgress, TaskStatus
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.files import read_address_table
from minipublic.web.recruitment.models import AddressFile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registration_open")]


def _file(assembly, organiser):
    data = b"address,area\n" + b"".join(f"{i} Mill Rd,north\n".encode() for i in range(1, 31))
    return actions.do_upload_address_file(
        assembly,
        name="mill.csv",
        sha256="x",
        table=read_address_table(data, "mill.csv"),
        acting_user=organiser,
    )


def _events(kind, obj):
    return AuditEvent.objects.filter(event_type=kind, object_id=str(obj.pk))


def test_start_is_one_audited_step(registration_open, user):
    address_file = _file(registration_open, user("organiser"))
    progress = actions.check_start_invitation_lottery(
        address_file, n_letters=5, seed="s", acting_user=user("organiser")
    )
    address_file.refresh_from_db()
    assert address_file.lottery_status == "running"
    event = _events("invitation_lottery.started", address_file).get()
    assert event.new["progress"] == str(progress.pk) and event.new["n_letters"] == 5
    assert actions.lottery_progress(address_file) == progress


def test_stuck_lottery_shows_failed_and_retries(
    registration_open, user, client_as, run_queue, django_capture_on_commit_callbacks
):
    organiser = user("organiser")
    address_file = _file(registration_open, organiser)
    # Started, but the task never ran (no worker): after the timeout it is stuck.
    progress = actions.check_start_invitation_lottery(
        address_file, n_letters=5, seed="s", acting_user=organiser
    )
    TaskProgress.objects.filter(pk=progress.pk).update(
        created_at=progress.created_at - dt.timedelta(hours=1)
    )
    progress.refresh_from_db()
    assert progress.is_stuck and progress.has_failed
    client = client_as("organiser")
    page = client.get(f"/a/{DEMO_SLUG}/recruitment/").content.decode()
    assert "Failed: the task stopped or never started" in page and "Retry the lottery" in page
    # Retry: the old task is marked failed, the file released and started again, audited.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/lottery/retry/"
        )
    assert response.status_code == 302
    progress.refresh_from_db()
    assert progress.status == TaskStatus.FAILED
    assert _events("task.timed_out", progress).count() == 1
    assert _events("invitation_lottery.failed", address_file).count() == 1
    assert _events("invitation_lottery.started", address_file).count() == 2
    new = actions.lottery_progress(address_file)
    assert new.pk != progress.pk
    run_queue()
    address_file.refresh_from_db()
    assert address_file.lottery_status == AddressFile.LotteryStatus.DONE
    assert address_file.addresses.filter(invited=True).count() == 5


def test_a_running_lottery_cannot_be_retried(registration_open, user, client_as):
    address_file = _file(registration_open, user("organiser"))
    actions.check_start_invitation_lottery(
        address_file, n_letters=5, seed="s", acting_user=user("organiser")
    )
    response = client_as("organiser").post(
        f"/a/{DEMO_SLUG}/recruitment/addresses/{address_file.pk}/lottery/retry/", follow=True
    )
    assert "not stuck" in response.content.decode()
    assert _events("invitation_lottery.started", address_file).count() == 1
