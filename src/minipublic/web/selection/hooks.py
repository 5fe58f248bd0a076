"""What the selection app adds to the public page: the lottery page, how many drawn and taking part."""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from minipublic.web.hooks import Fact, Link
from minipublic.web.permissions import request_can


def public_links(request, assembly) -> list[Link]:
    """The public lottery page (published files and how to check the draw)."""
    from minipublic.web.selection.actions import drawn_run

    if not request_can(request, "view", "transparency", assembly=assembly):
        return []
    note = (
        _("the published lottery, the public seed and how anyone can check the draw")
        if drawn_run(assembly) is not None
        else _("how the members will be chosen; the draw has not happened yet")
    )
    return [
        Link(
            reverse("selection:transparency", args=[assembly.slug]),
            _("How the members were chosen"),
            note,
        )
    ]


def public_facts(request, assembly) -> list[Fact]:
    from minipublic.web.people.models import Participant
    from minipublic.web.selection.actions import drawn_run

    run = drawn_run(assembly)
    if run is None:
        return []
    members = Participant.objects.members(assembly).count()
    return [
        Fact(formats.number_format(len(run.panel)), _("drawn by lottery"), 20),
        Fact(formats.number_format(members), _("members taking part"), 30),
    ]
