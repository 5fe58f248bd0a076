"""``minipublic statements dri``: the Deliberative Reason Index from two CSV files.

Registered into the ``statements`` group; rich, numpy, pandas and scipy are
imported inside the command so ``minipublic --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from minipublic.cli._statements import app as statements_app
from minipublic.errors import MinipublicError


def _words(p: float) -> str:
    if p != p:  # NaN
        return "not tested"
    return "above chance" if p < 0.05 else "not distinguishable from chance"


@statements_app.command("dri")
def dri_command(
    considerations: Annotated[
        Path,
        typer.Argument(help="CSV participant,stage,consideration,rating (one row per rating)."),
    ],
    preferences: Annotated[
        Path, typer.Argument(help="CSV participant,stage,option,rank (1 = first choice).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the results into.")],
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Seed of the permutations (record it).")
    ] = 0,
    permutations: Annotated[
        int,
        typer.Option("--permutations", min=0, help="Permutations for each p-value (0: none)."),
    ] = 1000,
) -> None:
    """Deliberative Reason Index (meta-consensus) of each stage and member.

    Writes dri.csv, individual.csv, pairs.csv and consistency.svg into OUT.
    """
    from rich.console import Console
    from rich.table import Table

    from minipublic.deliberation.dri import (
        consistency_svg,
        deliberative_reason_index,
        read_considerations,
        read_preferences,
    )

    try:
        result = deliberative_reason_index(
            read_considerations(considerations),
            read_preferences(preferences),
            permutations=permutations,
            seed=seed,
            files=(str(considerations), str(preferences)),
        )
        svg = consistency_svg(result)
        out.mkdir(parents=True, exist_ok=True)
        result.stages.to_csv(out / "dri.csv", index=False)
        result.individual.to_csv(out / "individual.csv", index=False)
        result.pairs.to_csv(out / "pairs.csv", index=False)
        (out / "consistency.svg").write_text(svg, encoding="utf-8")
    except (MinipublicError, OSError) as exc:
        Console(stderr=True).print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None

    table = Table(title="Deliberative Reason Index")
    for column in ("stage", "DRI", "members", "pairs", "left out", "p (above chance)"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for row in result.stages.itertuples(index=False):
        table.add_row(
            str(row.stage),
            f"{row.dri:.3f}",
            str(row.n_participants),
            str(row.n_pairs),
            str(row.n_pairs_dropped),
            "-" if row.p_value != row.p_value else f"{row.p_value:.3g} ({_words(row.p_value)})",
        )
    _console = Console()
    _console.print(table)
    if result.change is not None:
        pre, post = result.change_stages
        line = f"Change {post} - {pre}: {result.change:+.3f}"
        if result.change_p_value is not None:
            line += f", p = {result.change_p_value:.3g} ({_words(result.change_p_value)})"
        _console.print(line, highlight=False)
    _console.print(
        f"Seed {result.seed}, {result.permutations} permutations. "
        f"Wrote dri.csv, individual.csv, pairs.csv, consistency.svg to {out}",
        highlight=False,
    )
