"""A survey-answers import that fails or whose process dies after the rows are written.

The public comparison panel's answers (``check_import_public_panel``) are
stored with one bulk insert, then one audit line. The fault is injected at
the audit line, when every response row is already in the table: an error,
or the process dying (a ``BaseException`` no handler catches; the database
rolls back the open transaction as it does for a dead connection). Either
way no response of that file remains, and the same file then imports with
the same answers as an import that saw no fault.

The evaluation's analysis task is cached per data version: one left
"running" by a dead worker is started again once its task is stale.
"""

import pytest
from django.db import transaction

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.evaluation import actions
from minipublic.web.evaluation.models import Response, Wave

pytestmark = pytest.mark.django_db

PANEL = "trust_people,open_listen\n5,4\n6,\n7,2\n0,5\n"


class ProcessKilled(BaseException):
    """The process ends here: no ``except Exception`` handler runs."""


def _answers(wave, exclude=()) -> list:
    rows = Response.objects.filter(wave=wave).exclude(pk__in=exclude)
    return sorted((repr(sorted(r.answers.items())), r.source) for r in rows)


@pytest.mark.parametrize("fault", [RuntimeError, ProcessKilled])
def test_survey_import_fault_leaves_nothing_and_reruns(demo_assembly, user, monkeypatch, fault):
    wave = Wave.objects.get(assembly=demo_assembly, code="P")
    evaluator = user("evaluator")
    old = list(Response.objects.filter(wave=wave).values_list("pk", flat=True))

    # What an import that saw no fault stores (then rolled back).
    with transaction.atomic():
        assert actions.check_import_public_panel(wave, PANEL, acting_user=evaluator) == 4
        reference = _answers(wave, exclude=old)
        transaction.set_rollback(True)
    assert len(reference) == 4

    n_audit = AuditEvent.objects.filter(event_type="responses.imported").count()
    real = actions.record_event
    seen = []

    def record_event(kind, obj, **kw):
        if kind == "responses.imported":
            seen.append(Response.objects.filter(wave=wave).count() - len(old))
            raise fault("process stopped")
        return real(kind, obj, **kw)

    monkeypatch.setattr(actions, "record_event", record_event)
    with pytest.raises(fault):
        actions.check_import_public_panel(wave, PANEL, acting_user=evaluator)
    monkeypatch.undo()
    assert seen == [4]  # all four rows had been written
    assert sorted(Response.objects.filter(wave=wave).values_list("pk", flat=True)) == sorted(old)
    assert AuditEvent.objects.filter(event_type="responses.imported").count() == n_audit

    assert actions.check_import_public_panel(wave, PANEL, acting_user=evaluator) == 4
    assert _answers(wave, exclude=old) == reference
    assert AuditEvent.objects.filter(event_type="responses.imported").count() == n_audit + 1


def test_analysis_left_running_by_a_dead_worker_is_started_again(demo_assembly, user, settings):
    """The analysis is cached per data version; one whose worker died must not block it for ever."""
    import datetime as dt

    from django.utils import timezone

    from minipublic.web.evaluation.data import data_version
    from minipublic.web.evaluation.models import Analysis
    from minipublic.web.progress.models import TaskProgress

    Analysis.objects.filter(assembly=demo_assembly).delete()
    first = actions.do_start_analysis(demo_assembly, acting_user=user("evaluator"))
    assert first.status == Analysis.Status.RUNNING  # its task never ran: the worker "died"
    # While the task is fresh, asking again returns the same analysis.
    assert actions.do_start_analysis(demo_assembly).pk == first.pk
    settings.MINIPUBLIC_TASK_RUN_TIMEOUT = 60
    TaskProgress.objects.filter(pk=first.progress_id).update(
        status="running", started_at=timezone.now() - dt.timedelta(seconds=61)
    )
    second = actions.do_start_analysis(demo_assembly, acting_user=user("evaluator"))
    assert second.pk != first.pk and second.status == Analysis.Status.RUNNING
    assert not Analysis.objects.filter(pk=first.pk).exists()
    assert second.data_version == data_version(demo_assembly)
