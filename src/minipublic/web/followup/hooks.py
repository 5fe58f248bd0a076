"""What the ``followup`` app adds to other pages: a staff tab, a member-home section, public links."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minipublic.web.followup.models import Response, Verdict
from minipublic.web.hooks import Link, Section, Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "view", "followup", assembly=assembly):
        return []
    return [Tab(reverse("followup:manage", args=[assembly.slug]), _("Follow-up"), "followup")]


def member_home(request, assembly, participant) -> list[Section]:
    """Published responses the member has not rated yet (only while rating is open)."""
    if not request_can(request, "rate", "response", assembly=assembly):
        return []
    published = Response.objects.filter(
        recommendation__assembly=assembly, published_version__gt=0
    ).select_related("recommendation")
    rated = set(
        Verdict.objects.filter(participant=participant, response__in=published).values_list(
            "response_id", flat=True
        )
    )
    to_rate = [r for r in published if r.pk not in rated]
    if not published:
        return []
    return [
        Section(
            "followup/_member_section.html",
            {"to_rate": to_rate, "n_published": len(published)},
            order=15,
        )
    ]


def public_links(request, assembly) -> list[Link]:
    if not request_can(request, "view", "tracker", assembly=assembly):
        return []
    if not assembly.recommendations.filter(outcome="adopted").exists():
        return []
    return [
        Link(
            reverse("followup:tracker", args=[assembly.slug]),
            _("What happened to the recommendations"),
            _("The commissioner's response to each one, and progress since."),
        )
    ]
