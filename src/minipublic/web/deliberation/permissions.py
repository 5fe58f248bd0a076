"""Permission rows of the ``deliberation`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
