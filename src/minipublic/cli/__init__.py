"""The ``minipublic`` command line.

Each lifecycle area adds its own command group from a private module, so the
core packages can be used on CSV files with no server and no database.
"""

import typer

from minipublic.cli import (
    _assembly,
    _cohesion,
    _evaluation,
    _report,
    _site,
    _sortition,
    _statements,
    _tables,
)

app = typer.Typer(
    name="minipublic",
    help="Run citizens' assemblies: civic lottery, statement maps, cohesion evaluation, and the site.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(_sortition.app, name="sortition")
app.add_typer(_statements.app, name="statements")
app.add_typer(_cohesion.app, name="cohesion")
app.add_typer(_tables.app, name="tables")
app.add_typer(_evaluation.app, name="evaluation")
app.add_typer(_assembly.app, name="assembly")
_site.register(app)
_report.register(app)
from minipublic.cli import _dri  # noqa: E402, F401  (adds `statements dri`)


def main() -> None:
    """Entry point of the ``minipublic`` console script."""
    app()
