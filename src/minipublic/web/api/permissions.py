"""Permission rows of the ``api`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
