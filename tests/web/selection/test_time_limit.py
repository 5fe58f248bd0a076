"""A time limit for long selections: asked before the start, passed to the core, shown after."""

import pytest
from django.core.exceptions import ValidationError

import minipublic.sortition
from minipublic.sortition import find_distribution
from minipublic.web.selection import actions
from minipublic.web.selection.models import RunStatus

from .test_actions import _lines

pytestmark = pytest.mark.django_db


def _quotas(assembly):
    actions.do_save_quotas(actions.quota_set_of(assembly), panel_size=10, lines=_lines())


def _stopped_run(assembly, organiser):
    """A finished run with a 60 s limit, stored as the core stores a run the limit cut short."""
    run = actions.do_create_run(
        assembly, algorithm="leximin", seed="s", m=100, time_limit=60, acting_user=organiser
    )
    actions.compute_run(run)
    run.refresh_from_db()
    run.stats = {**run.stats, "optimal": False, "min_probability_upper_bound": 0.3}
    run.save(update_fields=["stats"])
    return run


def test_time_limit_is_checked_and_kept(small_pool, user, django_capture_on_commit_callbacks):
    olivia = user("organiser")
    _quotas(small_pool)
    with pytest.raises(ValidationError) as info:
        actions.check_start_selection(
            small_pool, algorithm="leximin", seed="s", m=100, time_limit=30, acting_user=olivia
        )
    assert "time_limit" in info.value.message_dict
    with django_capture_on_commit_callbacks(execute=False):
        run = actions.check_start_selection(
            small_pool, algorithm="leximin", seed="s", m=100, time_limit=120, acting_user=olivia
        )
    assert run.time_limit == 120
    assert small_pool.audit_events.get(event_type="selection.started").new["time_limit"] == 120


def test_the_run_passes_its_time_limit_to_the_core(
    small_pool, user, django_capture_on_commit_callbacks, monkeypatch
):
    olivia = user("organiser")
    _quotas(small_pool)
    seen = {}

    def spy(*args, **kwargs):
        seen["time_limit"] = kwargs.get("time_limit")
        return find_distribution(*args, **kwargs)

    monkeypatch.setattr(minipublic.sortition, "find_distribution", spy)
    run = actions.do_create_run(
        small_pool, algorithm="leximin", seed="s", m=100, time_limit=90, acting_user=olivia
    )
    actions.compute_run(run)
    run.refresh_from_db()
    assert seen["time_limit"] == 90
    assert run.status == RunStatus.DONE
    # Finished well within the limit: the optimum, and the page says nothing about stopping.
    assert run.stats["optimal"] is True and not run.stopped_early


def test_a_run_stopped_by_the_limit_says_so_with_the_bound(small_pool, user, client_as):
    olivia = user("organiser")
    _quotas(small_pool)
    run = _stopped_run(small_pool, olivia)
    client = client_as("organiser")
    html = client.get(f"/a/{small_pool.slug}/selection/runs/{run.pk}/").content.decode()
    assert 'id="stopped-early"' in html
    assert "60 seconds" in html and "30.00%" in html
    assert f"{run.min_percent:.2f}%" in html


def test_the_overview_estimates_the_time_before_the_start(small_pool, client_as):
    client = client_as("organiser")
    url = f"/a/{small_pool.slug}/selection/"
    assert 'id="time-estimate"' not in client.get(url).content.decode()  # no quotas yet
    _quotas(small_pool)
    html = client.get(url).content.decode()
    assert 'id="time-estimate"' in html and "under a minute" in html
    assert "Time limit in minutes" in html
    estimate = actions.time_estimate(small_pool)
    assert f"form {estimate['types']} different profiles" in html


def test_the_estimate_and_the_stop_note_in_welsh(small_pool, user, client_as):
    olivia = user("organiser")
    _quotas(small_pool)
    client = client_as("organiser")
    client.cookies["django_language"] = "cy"
    html = client.get(f"/a/{small_pool.slug}/selection/").content.decode()
    assert "dylai LEXIMIN gymryd llai na munud" in html
    assert "Terfyn amser mewn munudau" in html
    run = _stopped_run(small_pool, olivia)
    html = client.get(f"/a/{small_pool.slug}/selection/runs/{run.pk}/").content.decode()
    assert "Daeth y terfyn amser (60 eiliad)" in html and "30.00%" in html
