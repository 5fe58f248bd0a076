"""``minipublic statements``: opinion maps and near-duplicates from CSV files (no server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from minipublic.cli._lazy import LazyConsole, lazy_function
from minipublic.errors import MinipublicError

BarColumn = lazy_function("rich.progress", "BarColumn")
Progress = lazy_function("rich.progress", "Progress")
TextColumn = lazy_function("rich.progress", "TextColumn")
TimeElapsedColumn = lazy_function("rich.progress", "TimeElapsedColumn")
Table = lazy_function("rich.table", "Table")

app = typer.Typer(
    help="Statement maps: opinion groups, consensus and bridging statements, near-duplicates.",
    no_args_is_help=True,
)

_console = LazyConsole()
_errors = LazyConsole(stderr=True)


def _fail(exc: Exception) -> None:
    _errors.print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _write_svg(opinion_map, path: Path, texts: dict | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 7))
    colours = plt.get_cmap("tab10")
    xy = opinion_map.coordinates
    out = ~opinion_map.clustered
    if out.any():
        ax.scatter(xy[out, 0], xy[out, 1], s=8, c="#bbbbbb", label="not clustered (too few votes)")
    for g in range(opinion_map.n_groups):
        mask = opinion_map.groups == g
        ax.scatter(
            xy[mask, 0],
            xy[mask, 1],
            s=12,
            color=colours(g % 10),
            alpha=0.7,
            label=f"group {chr(65 + g) if g < 26 else g} ({int(mask.sum())} people)",
        )
        cx, cy = opinion_map.clustering.group_centers[g]
        ax.annotate(
            chr(65 + g) if g < 26 else str(g),
            (cx, cy),
            fontsize=18,
            weight="bold",
            ha="center",
            va="center",
            color="black",
            bbox={"boxstyle": "circle", "fc": "white", "ec": colours(g % 10)},
        )
    ax.axhline(0, color="#dddddd", lw=0.8, zorder=0)
    ax.axvline(0, color="#dddddd", lw=0.8, zorder=0)
    ax.set_xlabel("first opinion axis")
    ax.set_ylabel("second opinion axis")
    ax.set_title(
        f"Opinion map: {int(opinion_map.clustered.sum())} participants, "
        f"{len(opinion_map.statements)} statements, {opinion_map.n_groups} groups"
    )
    ax.legend(loc="best", fontsize=8)
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)


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
    import sys

    from minipublic.deliberation.statements import read_statements, read_votes, statement_map

    if svg not in ("direct", "matplotlib"):
        _fail(MinipublicError(f"--svg {svg!r}: use direct or matplotlib"))
    try:
        table = read_votes(votes)
        for note in table.attrs.get("notes", []):
            _errors.print(f"note: {votes.name}: {note}", highlight=False, soft_wrap=True)
        texts = None
        moderated_out: list = []
        meta: list = []
        if comments is not None:
            st = read_statements(comments)
            texts = dict(zip(st["statement"], st["text"], strict=True))
            moderated_out = st.loc[st["moderated"] == -1, "statement"].tolist()
            meta = st.loc[st["is_meta"] & (st["moderated"] != -1), "statement"].tolist()
        options = {
            "seed": seed,
            "min_votes": min_votes,
            "max_groups": max_groups,
            "moderated_out": moderated_out,
            "meta_statements": meta,
        }
        if sys.stderr.isatty():
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=_errors.real,
                transient=True,
            ) as bar:
                task = bar.add_task("statement map", total=1.0)

                def progress(fraction: float, message: str) -> None:
                    bar.update(task, completed=fraction, description=message)

                result = statement_map(table, progress=progress, **options)
        else:  # no terminal to draw a bar on (a script, a pipe): skip its thread
            result = statement_map(table, **options)
        out.mkdir(parents=True, exist_ok=True)
        result.groups_frame()[["participant", "group"]].to_csv(out / "groups.csv", index=False)
        frame = result.statements_frame()
        if texts is not None:
            frame.insert(1, "text", [texts.get(s, "") for s in frame["statement"]])
        frame.to_csv(out / "statements.csv", index=False)
        (out / "map.json").write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
        if svg == "matplotlib":
            _write_svg(result, out / "map.svg", texts)
        else:
            from minipublic.deliberation.statements._svg import map_svg

            (out / "map.svg").write_text(map_svg(result), encoding="utf-8")
    except (MinipublicError, OSError) as exc:
        _fail(exc)
    sizes = ", ".join(
        f"{chr(65 + g)}: {int((result.groups == g).sum())}" for g in range(result.n_groups)
    )
    _console.print(
        f"{int(result.clustered.sum())} of {len(result.participants)} participants in "
        f"{result.n_groups} groups ({sizes}); {len(result.statements)} statements. "
        f"Seed {seed}. Wrote groups.csv, statements.csv, map.json, map.svg to {out}"
    )


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
