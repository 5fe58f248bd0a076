"""Background tasks on a real RQ worker process against Redis (not a settings check).

A separate site (its own data folder and SQLite file, Redis database 9) queues
a task through the same action the pages use; a real ``rqworker --burst``
process runs it; the task's progress row and the email it sent are checked.
Skipped when Redis is not reachable on 127.0.0.1:6379 (CI starts it).
"""

import os
import subprocess
import sys
import textwrap

import pytest

from ..redis_server import REDIS, redis_up

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_task_runs_on_an_rq_worker(tmp_path):
    pytest.importorskip("django_tasks_rq")
    redis = pytest.importorskip("redis")
    redis.Redis(host=REDIS[0], port=REDIS[1], db=9).flushdb()
    env = {
        **os.environ,
        "MINIPUBLIC_DATA_DIR": str(tmp_path),
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/9",
        "MINIPUBLIC_EMAIL": "file",
        "DJANGO_SETTINGS_MODULE": "minipublic.web.settings",
        "MINIPUBLIC_DEV": "1",  # console-free mail and local links are fine here
    }
    env.pop("DATABASE_URL", None)  # its own SQLite file: the point here is the queue

    def run(*args, timeout=300):
        result = subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("-m", "django", "migrate", "--verbosity", "0")
    progress_id = (
        run(
            "-c",
            textwrap.dedent(
                """
            import django
            django.setup()
            from django.db import transaction
            from minipublic.web.assemblies.actions import do_create_assembly
            from minipublic.web.people.actions import check_add_member
            from minipublic.web.people.tasks import run_send_sign_in_links
            from minipublic.web.progress.actions import do_start_task

            with transaction.atomic():
                a = do_create_assembly(title="RQ test", question="Q?", commissioner="C",
                                       slug="rq-test", languages=["en"], public_summary="",
                                       is_public=False, acting_user=None)
                check_add_member(a, first_name="Ann", email="ann@example.org", acting_user=None)
                p = do_start_task(run_send_sign_in_links, kind="people.send_sign_in_links",
                                  title="t", assembly=a, assembly_id=a.pk, acting_user_id=None)
            print(p.pk)
            """
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    run(
        "-m",
        "django",
        "rqworker",
        "--burst",
        "--job-class",
        "django_tasks_rq.Job",
        "default",
        timeout=300,
    )
    status = run(
        "-c",
        "import django; django.setup();"
        "from minipublic.web.progress.models import TaskProgress;"
        f"p = TaskProgress.objects.get(pk='{progress_id}'); print(p.status, p.result)",
    )
    assert status.startswith("succeeded {'sent': 1}"), status
    outbox = list((tmp_path / "outbox").glob("*"))
    assert outbox and "ann@example.org" in outbox[0].read_text()
