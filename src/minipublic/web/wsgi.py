"""WSGI entry point (``minipublic.web.wsgi:application``) for gunicorn, waitress or mod_wsgi.

Two Django handlers share the site's URLs and views. A statement vote and a
map-version poll (hundreds a second when an assembly votes, each a tiny JSON
answer) go through one that leaves out the middleware those two views never
need (:data:`LEAN_SKIPS`: static files, framing and content-security headers
for HTML pages, login lockouts); every other request goes through the full
stack. Everything else in ``settings.MIDDLEWARE`` (HTTPS redirect and security
headers, sessions, language, CSRF, sign-in, messages, the member's identity)
runs for votes too, including any middleware added later.
"""

import os
import re

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipublic.web.settings")

#: Middleware a vote or a poll does without.
LEAN_SKIPS = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)

#: The two hot addresses (``deliberation:cast`` and ``deliberation:map_version``).
HOT_PATH = re.compile(r"/a/[-\w]+/(?:statements/vote/|opinion-map/version\.json)\Z", re.ASCII)


class LeanHandler(WSGIHandler):
    """A WSGI handler whose middleware chain is ``settings.MIDDLEWARE`` minus :data:`LEAN_SKIPS`."""

    def load_middleware(self, is_async: bool = False) -> None:
        from django.conf import settings

        # Django reads the list from settings while it builds the chain, once,
        # at start-up (before any request thread runs).
        full = settings.MIDDLEWARE
        self.middleware_names = [m for m in full if m not in LEAN_SKIPS]
        settings.MIDDLEWARE = self.middleware_names
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


_full = get_wsgi_application()
_lean = LeanHandler()


def application(environ, start_response):
    """Votes and polls through :class:`LeanHandler`; everything else through the full stack."""
    if HOT_PATH.match(environ.get("PATH_INFO", "")):
        return _lean(environ, start_response)
    return _full(environ, start_response)
