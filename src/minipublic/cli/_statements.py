"""``minipublic statements``: commands over CSV files (no server)."""

import typer

app = typer.Typer(help="statements commands.", no_args_is_help=True)
