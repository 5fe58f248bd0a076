"""``minipublic statements``: opinion maps and near-duplicates from CSV files (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minipublic.cli._lazy import LazyConsole, lazy_function
from minipublic.errors import MinipublicError

Table = lazy_function("rich.table", "Table")

app = typer.Typer(
    help="Statement maps: opinion groups, consensus and bridging statements, near-duplicates.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)

_console = LazyConsole()
_errors = LazyConsole(stderr=True)


def _fail(exc: Exception) -> None:
    _errors.print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command("map")
def map_command(
    votes: Annotated[
        Path,
        typer.Argument(
            help="Polis votes.csv or participants-votes.csv, or participant,statement,vote CSV."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the results into.")],
    comments: Annotated[
        Path | None,
        typer.Option(
            "--comments", help="Statements file (Polis comments.csv or statement,text,moderated)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (record it to re-run).")] = 0,
    min_votes: Annotated[
        int, typer.Option("--min-votes", help="Votes needed to be placed in a group.")
    ] = 7,
    max_groups: Annotated[
        int, typer.Option("--max-groups", help="Largest number of groups tried.")
    ] = 5,
    svg: Annotated[
        str,
        typer.Option(
            "--svg", help="How to draw map.svg: direct (fast, default) or matplotlib (slow)."
        ),
    ] = "direct",
) -> None:
    """Compute the opinion map: groups.csv, statements.csv, map.json and map.svg in OUT."""
    from minipublic.cli._map import run_map

    try:
        message = run_map(
            votes,
            out,
            comments=comments,
            seed=seed,
            min_votes=min_votes,
            max_groups=max_groups,
            svg=svg,
        )
    except (MinipublicError, OSError) as exc:
        _fail(exc)
    typer.echo(message)


@app.command("similar")
def similar_command(
    comments: Annotated[
        Path, typer.Argument(help="Statements file (Polis comments.csv or statement,text).")
    ],
    text: Annotated[str, typer.Option("--text", help="The new statement to check.")],
    method: Annotated[str, typer.Option("--method", help="auto, lexical or embedding.")] = "auto",
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Minimum similarity (0-1).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Show at most this many matches.")] = 5,
) -> None:
    """List existing statements that say nearly the same as --text."""
    from minipublic.deliberation.statements import read_statements, similar_statements

    try:
        st = read_statements(comments)
        st = st[st["moderated"] != -1]
        hits = similar_statements(
            text,
            dict(zip(st["statement"], st["text"], strict=True)),
            method=method,
            threshold=threshold,
            top=top,
        )
    except (MinipublicError, OSError) as exc:
        _fail(exc)
    if not hits:
        _console.print("No similar statement found.")
        return
    table = Table(title=f"Statements similar to: {text}")
    table.add_column("statement")
    table.add_column("similarity", justify="right")
    table.add_column("text")
    for hit in hits:
        table.add_row(str(hit.statement), f"{hit.score:.2f}", hit.text)
    _console.print(table)
    _console.print(f"method: {hits[0].method}")
