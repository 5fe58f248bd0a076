"""A small assembly with a pool of 40 registrants, for fast selection tests."""

import random

import pytest

from minipublic.web.assemblies.models import Assembly, StaffRole
from minipublic.web.people.models import Participant
from minipublic.web.recruitment.models import Registrant, Source


def make_small_pool(assembly: Assembly, organiser, trust: list[int]) -> Assembly:
    """Give *assembly* its *organiser* and 40 registrants, two per household; ``trust[i]`` each."""
    StaffRole.objects.create(assembly=assembly, user=organiser, role="organiser")
    for i in range(40):
        p = Participant.objects.create(assembly=assembly, is_active=False)
        Registrant.objects.create(
            assembly=assembly,
            participant=p,
            source=Source.IMPORT,
            external_id=f"x{i}",
            household_key=f"{i // 2} test street",  # two people per household
            gender="woman" if i % 2 else "man",
            area="a" if i < 24 else "b",
            trust_in_government=trust[i],
        )
    return assembly


@pytest.fixture
def small_pool(db, user):
    """An assembly of 40 registrants (gender w/m, trust low/medium/high, area a/b); Olivia organises."""
    rng = random.Random(11)
    assembly = Assembly.objects.create(
        slug="small-test", title="Small test assembly", question="?", is_public=True, phase="select"
    )
    trust = [rng.choice([1, 2, 5, 5, 8]) for _ in range(40)]
    return make_small_pool(assembly, user("organiser"), trust)
