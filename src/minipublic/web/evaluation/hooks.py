"""What the ``evaluation`` app adds to other pages: the staff tab and the member's open surveys."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.hooks import Link, Section, Tab
from minipublic.web.permissions import request_can


def nav_tabs(request, assembly) -> list[Tab]:
    if request_can(request, "view", "evaluation", assembly=assembly):
        return [
            Tab(
                reverse("evaluation:dashboard", args=[assembly.slug]), _("Evaluation"), "evaluation"
            )
        ]
    return []


def open_waves_for(participant):
    """Waves open now that *participant* has not finished (sent or withdrawn)."""
    from minipublic.web.evaluation.models import Response, Wave, WaveCode, WaveStatus

    now = timezone.now()
    done = (
        Response.objects.filter(participant=participant)
        .filter(Q(submitted_at__isnull=False) | Q(withdrawn_at__isnull=False))
        .values("wave_id")
    )
    return list(
        Wave.objects.filter(assembly_id=participant.assembly_id, status=WaveStatus.OPEN)
        .exclude(code=WaveCode.PUBLIC)
        .exclude(pk__in=done)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .order_by("code")
    )


def member_home(request, assembly, participant) -> list[Section]:
    waves = open_waves_for(participant)
    if not waves:
        return []
    return [Section("evaluation/_member_home.html", {"waves": waves}, order=20)]


def public_links(request, assembly) -> list[Link]:
    if request_can(request, "view", "evaluation_report", assembly=assembly):
        from minipublic.web.evaluation.permissions import published
        from minipublic.web.permissions import Context

        if published(Context(user=None, participant=None, assembly=assembly)):
            return [
                Link(
                    reverse("evaluation:report", args=[assembly.slug]),
                    _("Evaluation report"),
                    _("What taking part changed: trust, openness and ties between people."),
                )
            ]
    return []
