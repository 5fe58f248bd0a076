"""The learning demo has something on every page, built through the actions (with audit lines)."""

import pytest
from django.utils import timezone

from minipublic.web.assemblies.models import AuditEvent
from minipublic.web.learning import actions
from minipublic.web.learning.models import (
    Claim,
    Contribution,
    Question,
    Rating,
    SpeakerRequest,
    TablePlan,
)

pytestmark = pytest.mark.django_db


def test_demo_learning_data(demo_assembly):
    members = list(actions.members_of(demo_assembly))
    plan = TablePlan.objects.get(meeting__assembly=demo_assembly)
    assert plan.status == "ready" and plan.seed == 2040 and plan.rounds == 2
    assert plan.seats.count() == 2 * len(members)
    assert plan.repeat_lower_bound <= plan.repeat_meetings
    kinds = set(
        Contribution.objects.filter(assembly=demo_assembly).values_list("speaker__kind", flat=True)
    )
    assert kinds == {"expert", "lived", "advocate", "official"}
    now = timezone.now()
    rated = Rating.objects.filter(contribution__assembly=demo_assembly)
    assert rated.exists()
    assert all(r.contribution.open_for_rating(now) for r in rated)  # only after the session
    questions = Question.objects.filter(assembly=demo_assembly)
    assert sum(q.is_overdue(now) for q in questions) == 1
    assert {q.status for q in questions} == {"open", "in_session", "in_writing"}
    assert len(actions.agreed_criteria(demo_assembly)) == 3
    claims = Claim.objects.filter(assembly=demo_assembly)
    assert claims.count() == 4 and claims.exclude(verdict="").count() == 3
    assert claims.filter(flagged_by_user__isnull=False).count() == 1
    assert SpeakerRequest.objects.filter(assembly=demo_assembly).count() == 2
    for event in ("table_plan.computed", "rating.saved", "claim.answered", "criteria.voted"):
        assert AuditEvent.objects.filter(assembly=demo_assembly, event_type=event).exists()
