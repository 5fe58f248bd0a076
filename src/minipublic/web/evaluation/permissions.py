"""Permission rows of the ``evaluation`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
