"""``minipublic sortition``: commands over CSV files (no server)."""

import typer

app = typer.Typer(help="sortition commands.", no_args_is_help=True)
