"""Permission rows of the ``followup`` app (see :mod:`minipublic.web.permissions`)."""

RULES: dict = {}
