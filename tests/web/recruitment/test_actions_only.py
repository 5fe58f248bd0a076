"""State changes go through actions: the demo and the pages leave audit lines (issue #14 items 10, 16)."""

import pytest
from django.core.exceptions import ValidationError

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.demo import DEMO_SLUG
from minipublic.web.recruitment import actions
from minipublic.web.recruitment.models import Address, SupportArrangement
from minipublic.web.selection.models import SelectionRun

pytestmark = pytest.mark.django_db


def _events(kind):
    return AuditEvent.objects.filter(assembly__slug=DEMO_SLUG, event_type=kind)


def test_demo_support_arrangements_and_run_are_audited(demo_assembly):
    arranged = SupportArrangement.objects.filter(
        registrant__assembly=demo_assembly, state="arranged"
    ).count()
    assert arranged > 0
    # Every arranged support row came through the support board's action.
    assert _events("support.updated").count() == arranged
    # The demo's selection run was started, committed and drawn by actions.
    run = SelectionRun.objects.get(assembly=demo_assembly)
    assert _events("selection.started").filter(object_id=str(run.pk)).exists()
    assert _events("draw.committed").count() == 1
    assert _events("panel.drawn").count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<b>x</b>",
        "ftp://example.org/x",
        'example.org/"onmouseover=alert(1)',
        "not a url",
    ],
)
def test_short_url_accepts_only_http_addresses(demo_assembly, user, bad):
    settings_obj = actions.registration_settings(demo_assembly)
    with pytest.raises(ValidationError) as info:
        actions.check_update_registration_settings(
            settings_obj, short_url=bad, acting_user=user("organiser")
        )
    assert "short_url" in info.value.message_dict
    settings_obj.refresh_from_db()
    assert settings_obj.short_url == "aberwen.example/join"


@pytest.mark.parametrize("good", ["https://aberwen.example/join", "aberwen.example/join?x=1", ""])
def test_short_url_keeps_http_addresses(demo_assembly, user, good):
    settings_obj = actions.check_update_registration_settings(
        actions.registration_settings(demo_assembly), short_url=good, acting_user=user("organiser")
    )
    assert settings_obj.short_url == good


def test_settings_page_refuses_a_javascript_url(client_as, demo_assembly):
    response = client_as("organiser").post(
        f"/a/{DEMO_SLUG}/recruitment/settings/",
        {
            "is_open": "on",
            "questions": ["gender"],
            "areas": "north",
            "short_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 400
    assert "only http and https" in response.content.decode()
    assert actions.registration_settings(demo_assembly).short_url == "aberwen.example/join"


def test_door_knock_through_the_action(client_as, demo_assembly):
    address = Address.objects.filter(assembly=demo_assembly, invited=True).first()
    demo_assembly.phase = "register"
    type(demo_assembly).objects.filter(pk=demo_assembly.pk).update(phase="register")
    client = client_as("organiser")
    url = f"/a/{DEMO_SLUG}/recruitment/door-knocking/{address.pk}/"
    client.post(url, {"note": "   "})
    address.refresh_from_db()
    assert address.door_knocked_at is None
    client.post(url, {"note": "Left a card"})
    address.refresh_from_db()
    assert address.door_knock_note == "Left a card"
    assert _events("address.door_knocked").filter(object_id=str(address.pk)).count() == 1
