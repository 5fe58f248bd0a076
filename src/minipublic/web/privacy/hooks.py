"""The data-protection tab for organisers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minipublic.web.hooks import Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "set", "retention", assembly=assembly):
        return []
    return [Tab(reverse("privacy:overview", args=[assembly.slug]), _("Data protection"), "privacy")]
