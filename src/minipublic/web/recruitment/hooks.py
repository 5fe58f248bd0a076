"""What the recruitment app adds to the public page: the registration link and how many registered."""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from minipublic.web.hooks import Fact, Link


def public_links(request, assembly) -> list[Link]:
    """The registration page, while registration is open."""
    from minipublic.web.recruitment.actions import registration_is_open, registration_settings

    if not registration_is_open(assembly):
        return []
    closes_on = registration_settings(assembly).closes_on
    note = (
        _("open until the end of %(date)s") % {"date": formats.date_format(closes_on)}
        if closes_on
        else _("for households that received a letter with a code")
    )
    return [Link(reverse("recruitment:register", args=[assembly.slug]), _("Register"), note)]


def public_facts(request, assembly) -> list[Fact]:
    from minipublic.web.recruitment.models import Registrant

    n = Registrant.objects.filter(assembly=assembly).count()
    if not n:
        return []
    return [Fact(formats.number_format(n, force_grouping=True), _("people registered"), 10)]
