"""Notifications: email sent only after the action's transaction commits.

Actions call :func:`send_on_commit`; if the transaction rolls back, nothing is
sent. Templates are plain text: ``<app>/email/<name>_subject.txt`` (one line)
and ``<app>/email/<name>.txt``.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """Return *path* (from ``reverse``) as a full link for an email."""
    return settings.MINIPUBLIC_BASE_URL + path


def render_email(template: str, context: dict, *, language: str | None = None) -> tuple[str, str]:
    """Return ``(subject, body)`` of the email *template* rendered in *language*."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    return " ".join(subject.split()), body


def send_on_commit(
    template: str, context: dict, *, to: list[str], language: str | None = None
) -> None:
    """Queue an email to *to*, sent when the current transaction commits."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    subject, body = render_email(template, context, language=language)

    def _send() -> None:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)

    transaction.on_commit(_send)
