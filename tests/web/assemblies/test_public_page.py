"""The public page shows live facts and links to every public page (issue #13)."""

import pytest

from minipublic.web.assemblies.models import Assembly
from minipublic.web.demo import DEMO_SLUG
from minipublic.web.people.models import Participant
from minipublic.web.recruitment.models import Registrant

pytestmark = pytest.mark.django_db


def test_public_page_has_live_facts_and_links(client, demo_assembly):
    text = client.get(f"/a/{DEMO_SLUG}/").text
    registered = Registrant.objects.filter(assembly=demo_assembly).count()
    members = Participant.objects.members(demo_assembly).count()
    assert f"{registered:,}" in text and "people registered" in text
    assert "100</span> drawn by lottery" in text
    assert f"{members}</span> members taking part" in text
    assert f'href="/a/{DEMO_SLUG}/lottery/"' in text
    # Registration has closed (learn phase): no link to it.
    assert f'href="/a/{DEMO_SLUG}/register/"' not in text
    # The sessions, and what happens next.
    from django.utils import timezone

    for meeting in demo_assembly.meetings.filter(starts_at__gte=timezone.now()):
        assert meeting.title in text
    assert "What happens next:" in text and "Deliberate" in text
    assert "Forty residents" not in text


def test_registration_link_while_open(client, demo_assembly):
    Assembly.objects.filter(pk=demo_assembly.pk).update(phase="register")
    text = client.get(f"/a/{DEMO_SLUG}/").text
    assert f'href="/a/{DEMO_SLUG}/register/"' in text


def test_public_page_in_welsh(client, demo_assembly):
    client.cookies["django_language"] = "cy"
    text = client.get(f"/a/{DEMO_SLUG}/").text
    assert "Cynulliad Hinsawdd Aberwen" in text
    assert "Penwythnos 1" in text
    assert "wedi cofrestru" in text  # "people registered"
