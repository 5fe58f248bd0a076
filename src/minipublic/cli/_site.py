"""Site commands: ``demo``, ``serve``, ``createstaff`` and ``manage``."""

import typer


def register(app: typer.Typer) -> None:
    """Add the site's top-level commands to *app*."""
