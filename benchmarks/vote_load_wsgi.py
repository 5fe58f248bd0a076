"""WSGI entry for benchmarks/vote_load.py: import the views and the statement engine once,
in gunicorn's master before it forks (``--preload``), so no worker pays for them in a request."""

import gc

from django.urls import get_resolver

import minipublic.deliberation.statements  # noqa: F401  (numpy, scipy, scikit-learn)
from minipublic.web.wsgi import application

get_resolver().url_patterns  # noqa: B018  (imports every app's views)

# What the master imported stays out of the workers' garbage collections (and
# their pages stay shared after the fork), as gunicorn's docs advise with --preload.
gc.freeze()

__all__ = ["application"]
