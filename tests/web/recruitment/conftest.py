"""Fixtures of the recruitment tests."""

import pytest


@pytest.fixture
def registration_open(db):
    """The demo assembly back in its register phase (the demo itself is in "learn")."""
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.demo import DEMO_SLUG

    Assembly.objects.filter(slug=DEMO_SLUG).update(phase="register")
    return Assembly.objects.get(slug=DEMO_SLUG)
