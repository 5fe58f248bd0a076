"""``minipublic cohesion``: commands over CSV files (no server)."""

import typer

app = typer.Typer(help="cohesion commands.", no_args_is_help=True)
