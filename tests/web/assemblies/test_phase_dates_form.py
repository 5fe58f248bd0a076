"""The phase-dates form saves every phase or none (issue #14 item 7)."""

import pytest

from minipublic.web.assemblies.models import AuditEvent, Phase, PhaseDates
from minipublic.web.demo import DEMO_SLUG

pytestmark = pytest.mark.django_db


def _snapshot(assembly):
    return sorted(
        PhaseDates.objects.filter(assembly=assembly).values_list("phase", "starts_on", "ends_on")
    )


def test_one_invalid_phase_saves_nothing(client_as, demo_assembly):
    before = _snapshot(demo_assembly)
    n_events = AuditEvent.objects.filter(event_type="phase_dates.changed").count()
    data = {}
    for i, phase in enumerate(Phase):
        data[f"{phase.value}_starts_on"] = f"2031-0{i + 1}-01"
        data[f"{phase.value}_ends_on"] = f"2031-0{i + 1}-20"
    data["evaluate_ends_on"] = "2030-01-01"  # before its start
    response = client_as("organiser").post(f"/a/{DEMO_SLUG}/dates/", data)
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert _snapshot(demo_assembly) == before
    assert AuditEvent.objects.filter(event_type="phase_dates.changed").count() == n_events
    # Corrected: all eight are stored.
    data["evaluate_ends_on"] = "2031-08-30"
    response = client_as("organiser").post(f"/a/{DEMO_SLUG}/dates/", data)
    assert response.status_code == 302
    stored = {p: (s.isoformat(), e.isoformat()) for p, s, e in _snapshot(demo_assembly)}
    assert stored["invite"] == ("2031-01-01", "2031-01-20")
    assert stored["evaluate"] == ("2031-08-01", "2031-08-30")
