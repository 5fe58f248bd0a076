"""Permission rows of the ``api`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import always

RULES = {
    ("organiser", "manage", "api_tokens"): always,
}
