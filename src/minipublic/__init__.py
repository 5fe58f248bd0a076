"""minipublic: run citizens' assemblies and juries, from civic lottery to evaluation.

The core packages (:mod:`minipublic.sortition`, :mod:`minipublic.deliberation`,
:mod:`minipublic.cohesion`) are pure computation with no Django import; the
site lives in :mod:`minipublic.web`.
"""

__version__ = "0.1.0"
