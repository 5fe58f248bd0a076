"""The ``minipublic`` command line.

The typer application (``minipublic.cli.app``, built in ``_app.py``) is
made on first use. ``minipublic statements map`` with well-formed options
skips it altogether (see ``_map.py``): typer, click and pydantic cost more
than the whole statement map of a conversation of a few hundred people.
"""

from __future__ import annotations

import sys

__all__ = ["app", "main"]


def __getattr__(name: str):
    if name == "app":
        from minipublic.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the ``minipublic`` console script."""
    if sys.argv[1:3] == ["statements", "map"]:
        from minipublic.cli._map import run_without_typer

        if run_without_typer(sys.argv[1:]):
            return
    from minipublic.cli._app import app

    app()
