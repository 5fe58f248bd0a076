"""Permission rows of the ``decisions`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
