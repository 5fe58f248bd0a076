"""Permission rows read the assembly's phase where the lifecycle says so (issue #14 item 9)."""

import pytest

from minipublic.web.assemblies.models import Phase
from minipublic.web.permissions import can, in_phase

pytestmark = pytest.mark.django_db

# (action, subject) -> the phases in which the organiser may do it.
PHASED = {
    ("run", "selection"): {"select"},
    ("commit", "draw"): {"select"},
    ("draw", "panel"): {"select"},
    ("edit", "quotas"): {"register", "select"},
    ("manage", "panel"): {"select", "learn"},
    ("upload", "address_file"): {"invite", "register"},
    ("change", "area_weights"): {"invite", "register"},
    ("run", "invitation_lottery"): {"invite", "register"},
    ("make", "letters"): {"invite", "register"},
    ("record", "door_knock"): {"invite", "register"},
}

# Reading stays open in every phase.
ALWAYS = [
    ("view", "selection"),
    ("view", "quotas"),
    ("view", "panel"),
    ("view", "door_knocking"),
    ("download", "letters"),
    ("view", "recruitment"),
]


@pytest.mark.parametrize("phase", [p.value for p in Phase])
def test_organiser_rows_follow_the_phase(phase, demo_assembly, user):
    demo_assembly.phase = phase  # not saved: the test's own copy
    olivia = user("organiser")
    for (action, subject), phases in PHASED.items():
        allowed = can(olivia, None, action, subject, assembly=demo_assembly)
        assert allowed == (phase in phases), (action, subject, phase)
    for action, subject in ALWAYS:
        assert can(olivia, None, action, subject, assembly=demo_assembly), (action, subject)


def test_drawing_in_the_select_phase_only_through_the_page(client_as, demo_assembly):
    """The draw page answers 403 outside "select" (the demo is in "learn")."""
    from minipublic.web.selection.actions import drawn_run

    run = drawn_run(demo_assembly)
    url = f"/a/{demo_assembly.slug}/selection/runs/{run.pk}/draw/"
    client = client_as("organiser")
    assert demo_assembly.phase == "learn"
    assert client.post(url, {"public_seed": "1", "confirm": "on"}).status_code == 403
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="select")
    # In "select" the page is reached; the action then refuses a second draw.
    assert client.post(url, {"public_seed": "1", "confirm": "on"}).status_code == 400


def test_in_phase_predicate_names_its_phases():
    predicate = in_phase("select", "learn")
    assert predicate.phases == ("select", "learn")
    assert "select" in predicate.__name__
