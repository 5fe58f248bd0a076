"""The typer application behind the ``minipublic`` command.

Each lifecycle area adds its own command group from a private module, so the
core packages can be used on CSV files with no server and no database.

Help is plain text (``rich_markup_mode=None`` on every group): typer's rich
help imports rich, which took ``minipublic --help`` from 0.13 s to 0.3-0.4 s.
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
    rich_markup_mode=None,
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
