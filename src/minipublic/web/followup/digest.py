"""The daily email: what was published or reported since the last one, once per person.

:func:`send_daily_digests` sends, for one day, one email to each member (with
an email address) and each confirmed follower, listing that day's notices.
Exactly once per (assembly, day, recipient), even when the worker dies and
the task runs again: a :class:`~minipublic.web.followup.models.Delivery` row
is committed *before* the email goes, and a day's rows are never claimed
twice (unique constraint). A row claimed but not marked sent (the worker died
while sending) is not retried automatically; the organiser's page lists it.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from minipublic.web.followup.models import Delivery, Follower, Notice
from minipublic.web.notify import absolute_url, render_email


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def recipients(assembly) -> list[tuple[str, str, str, str]]:
    """``(key, email, language, unsubscribe_url)`` of everyone who gets the daily email."""
    out = []
    members = (
        assembly.participants.filter(is_active=True)
        .exclude(personal_details__email="")
        .select_related("personal_details")
        .order_by("pk")
    )
    for p in members:
        d = p.personal_details
        out.append((f"member:{p.pseudonym}", d.email, d.preferred_language or "en", ""))
    for f in Follower.objects.filter(
        assembly=assembly, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).order_by("pk"):
        url = absolute_url(reverse("followup:unsubscribe", args=[f.token]))
        out.append((f"follower:{f.pk}", f.email, f.language, url))
    return out


def _send(email: str, language: str, context: dict, unsubscribe_url: str) -> None:
    subject, body = render_email("followup/email/digest", context, language=language)
    headers = {}
    if unsubscribe_url:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email], headers=headers).send()


def send_daily_digests(
    assembly,
    day: datetime.date,
    *,
    progress: Callable[[float, str], None] | None = None,
    send: Callable[[str, str, dict, str], None] = _send,
) -> dict:
    """Send *day*'s email to every recipient who has not had it; return counts."""
    start, end = _day_bounds(day)
    notices = list(
        Notice.objects.filter(assembly=assembly, created_at__gte=start, created_at__lt=end)
        .select_related("response__recommendation")
        .order_by("created_at", "pk")
    )
    if not notices:
        return {"notices": 0, "sent": 0, "skipped": 0}
    people = recipients(assembly)
    context = {
        "assembly": assembly,
        "day": day,
        "notices": notices,
        "tracker_url": absolute_url(reverse("followup:tracker", args=[assembly.slug])),
    }
    sent = skipped = 0
    for i, (key, email, language, unsubscribe_url) in enumerate(people, start=1):
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    assembly=assembly, day=day, recipient=key, notices=len(notices)
                )
        except IntegrityError:
            skipped += 1  # claimed by an earlier run: never twice
            continue
        send(email, language, {**context, "unsubscribe_url": unsubscribe_url}, unsubscribe_url)
        Delivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        sent += 1
        if progress is not None:
            progress(i / len(people), f"{i} of {len(people)}")
    return {"notices": len(notices), "sent": sent, "skipped": skipped}
