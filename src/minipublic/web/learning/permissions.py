"""Permission rows of the ``learning`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
