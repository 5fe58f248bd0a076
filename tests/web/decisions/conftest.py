"""Fixtures of the decisions tests: a fresh recommendation and an open ballot in the demo."""

import pytest

from minipublic.web.decisions import actions
from minipublic.web.decisions.tally import default_rule


@pytest.fixture
def members(demo_assembly):
    from minipublic.web.people.models import Participant

    return list(
        Participant.objects.filter(assembly=demo_assembly, is_active=True)
        .select_related("personal_details")
        .order_by("pk")
    )


@pytest.fixture
def rec(demo_assembly, user):
    theme = demo_assembly.themes.first()
    return actions.check_draft_recommendation(
        demo_assembly,
        theme=theme,
        title="Solar panels on every school",
        text="Put solar panels on the roof of every school by 2030.",
        drafted_by="Table 7",
        acting_user=user("organiser"),
    )


@pytest.fixture
def open_ballot(rec, user):
    """A ballot on *rec*: 5-point gradient, support 1-2 >= 75 %, quorum 50 %, opened."""
    rule = {**default_rule("gradient5").to_dict(), "support_percent": "75"}
    ballot = actions.check_prepare_ballot(rec, rule=rule, acting_user=user("organiser"))
    actions.check_open_ballot(ballot, acting_user=user("organiser"))
    ballot.refresh_from_db()
    return ballot
