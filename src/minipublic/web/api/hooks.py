"""The API tokens tab for organisers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from minipublic.web.hooks import Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if not request_can(request, "manage", "api_tokens", assembly=assembly):
        return []
    return [Tab(reverse("api:tokens", args=[assembly.slug]), _("API"), "api")]
