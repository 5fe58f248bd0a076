"""What the ``learning`` app adds to other pages (see :mod:`minipublic.web.hooks`)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.hooks import Link, Section, Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "view", "learning", assembly=assembly):
        return []
    return [Tab(reverse("learning:sessions", args=[assembly.slug]), _("Learning"), "learning")]


def member_home(request, assembly, participant) -> list[Section]:
    """The member's seats at the next session with a table plan, and what they can do now."""
    from minipublic.web.learning.actions import current_plan
    from minipublic.web.learning.models import Contribution, Question, Rating

    if not request_can(request, "view", "learning_member", assembly=assembly):
        return []
    sections = []
    now = timezone.now()
    for meeting in assembly.meetings.filter(starts_at__gte=now - dt.timedelta(hours=12))[:3]:
        plan = current_plan(meeting)
        if plan is None:
            continue
        seats = list(plan.seats.filter(participant=participant).order_by("round"))
        if seats:
            sections.append(
                Section(
                    "learning/_home_tables.html",
                    {"meeting": meeting, "seats": seats, "rounds": plan.rounds},
                    order=10,
                )
            )
            break
    if request_can(request, "rate", "evidence", assembly=assembly):
        rated = set(
            Rating.objects.filter(
                participant=participant, contribution__assembly=assembly
            ).values_list("contribution_id", flat=True)
        )
        to_rate = [
            c
            for c in Contribution.objects.filter(assembly=assembly).select_related("meeting")
            if c.open_for_rating(now) and c.pk not in rated
        ]
        sections.append(
            Section(
                "learning/_home_learning.html",
                {
                    "n_to_rate": len(to_rate),
                    "n_questions": Question.objects.filter(assembly=assembly).count(),
                },
                order=20,
            )
        )
    return sections


def public_links(request, assembly) -> list[Link]:
    if not request_can(request, "view", "claims_public", assembly=assembly):
        return []
    return [
        Link(
            reverse("learning:public_claims", args=[assembly.slug]),
            _("Claims checked by the assembly"),
            _("Factual claims members heard, and the answers checked against their own criteria."),
        )
    ]
