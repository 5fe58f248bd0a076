"""Where the ``deliberation`` app shows up on pages it does not own."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minipublic.web.hooks import Link, Section, Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "view", "deliberation", assembly=assembly):
        return []
    return [
        Tab(reverse("deliberation:manage", args=[assembly.slug]), _("Deliberation"), "deliberation")
    ]


def member_home(request, assembly, participant) -> list[Section]:
    """In the deliberate phase only: vote on statements, see the map, criteria, survey."""
    conversation = getattr(assembly, "conversation", None)
    if conversation is None or assembly.phase != "deliberate":
        return []
    return [
        Section(
            "deliberation/_member_home.html",
            {
                "conversation": conversation,
                "can_vote": request_can(request, "vote", "statements", assembly=assembly),
            },
            order=60,
        )
    ]


def public_links(request, assembly) -> list[Link]:
    conversation = getattr(assembly, "conversation", None)
    if conversation is None or not assembly.is_public:
        return []
    links = []
    if conversation.public_voting:
        links.append(
            Link(
                reverse("deliberation:vote", args=[assembly.slug]),
                _("Vote on statements"),
                _("Agree, disagree or pass on what people have said, and add your own."),
            )
        )
    if conversation.map_public:
        links.append(
            Link(
                reverse("deliberation:map", args=[assembly.slug]),
                _("The opinion map"),
                _("Where people agree and where they differ, updated as votes come in."),
            )
        )
    return links
