"""What the ``decisions`` app adds to other pages: a staff tab, a member-home section, public links."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minipublic.web.decisions.models import Ballot, BallotStatus
from minipublic.web.hooks import Link, Section, Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "view", "decisions", assembly=assembly):
        return []
    return [Tab(reverse("decisions:overview", args=[assembly.slug]), _("Decisions"), "decisions")]


def member_home(request, assembly, participant) -> list[Section]:
    """Only what the member can do now: vote, amend, write minority statements, read results."""
    n_open = Ballot.objects.filter(assembly=assembly, status=BallotStatus.OPEN).count()
    amendable = []
    if request_can(request, "propose", "amendment", assembly=assembly):
        amendable = list(
            assembly.recommendations.filter(amendments_open=True)
            .exclude(ballots__status__in=[BallotStatus.OPEN, BallotStatus.CLOSED])
            .order_by("number")
        )
    statement_recs = []
    if request_can(request, "write", "minority_statement", assembly=assembly):
        statement_recs = list(
            assembly.recommendations.filter(ballots__status=BallotStatus.CLOSED)
            .distinct()
            .order_by("number")
        )
    has_results = Ballot.objects.filter(assembly=assembly, status=BallotStatus.CLOSED).exists()
    if not (n_open or amendable or statement_recs):
        return []
    return [
        Section(
            "decisions/_member_section.html",
            {
                "n_open_ballots": n_open,
                "amendable": amendable,
                "statement_recs": statement_recs,
                "has_results": has_results,
            },
            order=20,
        )
    ]


def public_links(request, assembly) -> list[Link]:
    """Results and the report, once a ballot has closed (when the assembly is public)."""
    if not request_can(request, "view", "results", assembly=assembly):
        return []
    if not Ballot.objects.filter(assembly=assembly, status=BallotStatus.CLOSED).exists():
        return []
    return [
        Link(
            reverse("decisions:results", args=[assembly.slug]),
            _("Results of the votes"),
            _("Support for each recommendation, the tally file and receipt check."),
        ),
        Link(
            reverse("decisions:report", args=[assembly.slug]),
            _("The assembly's report"),
            _("Web page and PDF."),
        ),
    ]
