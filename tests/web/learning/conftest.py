"""A small learning-phase assembly of 12 members with registration answers, for fast tests."""

import datetime as dt

import pytest
from django.utils import timezone

from minipublic.web.assemblies.models import Assembly, Meeting, StaffRole
from minipublic.web.people.models import Participant, PersonalDetails
from minipublic.web.recruitment.models import Registrant, Source

# (first name, gender, area, trust 0-10 or None, support needs)
PEOPLE = [
    ("Ann", "woman", "north", 1, []),
    ("Ben", "man", "north", 2, []),
    ("Cai", "man", "south", 3, ["interpreter"]),
    ("Dee", "woman", "south", 8, ["interpreter"]),
    ("Eli", "man", "east", 9, []),
    ("Fay", "woman", "east", 5, ["access"]),
    ("Gil", "man", "west", 5, []),
    ("Hal", "man", "west", 10, []),
    ("Ivy", "woman", "north", 0, []),
    ("Jon", "man", "south", 7, ["access"]),
    ("Kim", "woman", "east", None, []),
    ("Lee", "woman", "west", 4, []),
]


@pytest.fixture
def small(db, user):
    """Assembly "small-learning" in the learn phase: 12 members, two sessions (past, next).

    Olivia organises, Fergus facilitates. Returns a dict with ``assembly``,
    ``members`` (first name -> Participant), ``past`` and ``next`` meetings.
    """
    assembly = Assembly.objects.create(
        slug="small-learning", title="Small learning", question="?", is_public=True, phase="learn"
    )
    StaffRole.objects.create(assembly=assembly, user=user("organiser"), role="organiser")
    StaffRole.objects.create(assembly=assembly, user=user("facilitator"), role="facilitator")
    members = {}
    for i, (name, gender, area, trust, needs) in enumerate(PEOPLE):
        p = Participant.objects.create(assembly=assembly, is_active=True)
        PersonalDetails.objects.create(participant=p, first_name=name, last_name="Test")
        Registrant.objects.create(
            assembly=assembly,
            participant=p,
            source=Source.IMPORT,
            external_id=f"s{i}",
            gender=gender,
            area=area,
            trust_in_government=trust,
            support_needs=needs,
            language="cy" if "interpreter" in needs else "en",
        )
        members[name] = p
    now = timezone.now()
    past = Meeting.objects.create(
        assembly=assembly,
        title="Past session",
        starts_at=now - dt.timedelta(days=7),
        ends_at=now - dt.timedelta(days=7) + dt.timedelta(hours=4),
    )
    nxt = Meeting.objects.create(
        assembly=assembly,
        title="Next session",
        starts_at=now + dt.timedelta(days=7),
        ends_at=now + dt.timedelta(days=7, hours=4),
    )
    return {"assembly": assembly, "members": members, "past": past, "next": nxt}
