"""System checks that stop a production site from starting half-configured.

Django runs them before ``migrate`` and ``check`` (so ``minipublic serve``,
which migrates first, refuses to start) and ``check --deploy`` lists them.
A developer's or demonstration machine says so with ``MINIPUBLIC_DEV=1``
(``minipublic demo`` sets it) or ``MINIPUBLIC_DEBUG=1``.
"""

from django.conf import settings
from django.core.checks import Error, register

CONSOLE = "django.core.mail.backends.console.EmailBackend"


def _production() -> bool:
    return not (settings.DEBUG or getattr(settings, "MINIPUBLIC_DEV", False))


@register()
def check_mail_and_base_url(app_configs=None, **kwargs) -> list[Error]:
    """Production needs a real mail backend and the site's public address."""
    if not _production():
        return []
    errors = []
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if backend == CONSOLE:
        errors.append(
            Error(
                "No mail server is configured, and printing mail on the console would put "
                "sign-in links in the server's logs.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD), "
                "or MINIPUBLIC_EMAIL=file to write mail to <data dir>/outbox; on a "
                "developer's machine set MINIPUBLIC_DEV=1.",
                id="minipublic.E001",
            )
        )
    if not getattr(settings, "MINIPUBLIC_BASE_URL_SET", True):
        errors.append(
            Error(
                "MINIPUBLIC_BASE_URL is not set: links in mail would point at 127.0.0.1.",
                hint="Set MINIPUBLIC_BASE_URL to the site's public address, e.g. "
                "https://assemblies.example.org; on a developer's machine set MINIPUBLIC_DEV=1.",
                id="minipublic.E002",
            )
        )
    return errors
