"""``minipublic statements map``: the work, and a start that does not load typer.

:func:`run_map` does the command's work for the typer command in
``_statements.py``. :func:`run_without_typer` runs it straight from
``sys.argv`` when the arguments are well formed (one votes file and the
options in :data:`OPTIONS`, as ``--name value`` or ``--name=value``): typer
with click and pydantic takes about 0.15 s of CPU to start, three times the
statement map of a few hundred participants. Anything else (``--help``, an
unknown or repeated option, a value that is not a plain whole number, a
missing ``--out``) goes to typer, whose messages then say what is wrong. A
test checks that :data:`OPTIONS` matches the typer command's options.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from minipublic.cli._lazy import LazyConsole, progress_bar
from minipublic.errors import MinipublicError

_errors = LazyConsole(stderr=True)

#: ``--option: (parameter, type, default)`` of ``statements map``; None = required.
OPTIONS: dict[str, tuple[str, type, object]] = {
    "--out": ("out", Path, None),
    "--comments": ("comments", Path, None),
    "--seed": ("seed", int, 0),
    "--min-votes": ("min_votes", int, 7),
    "--max-groups": ("max_groups", int, 5),
    "--svg": ("svg", str, "direct"),
}
REQUIRED = ("--out",)

#: Below this many votes the map takes well under a second: no progress bar
#: (drawing one means importing rich, which takes longer than the map).
PROGRESS_MIN_VOTES = 250_000

_WHOLE = re.compile(r"-?[0-9]+")


def parse_map_arguments(argv: list[str]) -> dict | None:
    """Keyword arguments of :func:`run_map` from ``argv`` (after ``statements map``), or None.

    None whenever typer should handle the command line instead.
    """
    found: dict = {}
    positional: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("-"):
            name, eq, value = arg.partition("=")
            if name not in OPTIONS or name in found:
                return None
            if not eq:
                if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                    return None
                value = argv[i + 1]
                i += 1
            found[name] = value
        else:
            positional.append(arg)
        i += 1
    if len(positional) != 1 or any(name not in found for name in REQUIRED):
        return None
    kwargs: dict = {"votes": Path(positional[0])}
    for name, (parameter, kind, default) in OPTIONS.items():
        if name not in found:
            kwargs[parameter] = default
        elif kind is int:
            if not _WHOLE.fullmatch(found[name]):
                return None
            kwargs[parameter] = int(found[name])
        else:
            kwargs[parameter] = kind(found[name])
    return kwargs


def run_without_typer(argv: list[str]) -> bool:
    """Run ``statements map`` from ``argv`` if it is well formed; False to leave it to typer."""
    if argv[:2] != ["statements", "map"]:
        return False
    kwargs = parse_map_arguments(argv[2:])
    if kwargs is None:
        return False
    try:
        message = run_map(**kwargs)
    except (MinipublicError, OSError) as exc:
        _errors.print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
        sys.exit(2)
    print(message)
    return True


def run_map(
    votes: Path,
    out: Path,
    *,
    comments: Path | None = None,
    seed: int = 0,
    min_votes: int = 7,
    max_groups: int = 5,
    svg: str = "direct",
) -> str:
    """Compute the map and write groups.csv, statements.csv, map.json, map.svg; the summary line.

    Raises
    ------
    MinipublicError, OSError
        Bad input or options, or a file that cannot be read or written.
    """
    if svg not in ("direct", "matplotlib"):
        raise MinipublicError(f"--svg {svg!r}: use direct or matplotlib")
    _one_blas_thread()
    from minipublic.deliberation.statements import VoteMatrix, statement_map

    votes_in, notes = _read_votes(votes)
    for note in notes:
        print(f"note: {votes.name}: {note}", file=sys.stderr)
    texts = None
    moderated_out: list = []
    meta: list = []
    if comments is not None:
        texts, moderated_out, meta = _read_statements(comments)
    options = {
        "seed": seed,
        "min_votes": min_votes,
        "max_groups": max_groups,
        "moderated_out": moderated_out,
        "meta_statements": meta,
    }
    n_votes = votes_in.n_votes if isinstance(votes_in, VoteMatrix) else len(votes_in)
    if sys.stderr.isatty() and n_votes >= PROGRESS_MIN_VOTES:
        with progress_bar(_errors, "statement map") as progress:
            result = statement_map(votes_in, progress=progress, **options)
    else:  # quick, or no terminal to draw a bar on: skip the bar and its thread
        result = statement_map(votes_in, **options)
    out.mkdir(parents=True, exist_ok=True)
    groups = result.groups_columns()
    _write_csv(out / "groups.csv", {k: groups[k] for k in ("participant", "group")})
    columns = result.statements_columns()
    if texts is not None:
        text = [texts.get(s, "") for s in columns["statement"]]
        columns = {"statement": columns.pop("statement"), "text": text, **columns}
    _write_csv(out / "statements.csv", columns)
    (out / "map.json").write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    if svg == "matplotlib":
        _write_svg(result, out / "map.svg", texts)
    else:
        from minipublic.deliberation.statements._svg import map_svg

        (out / "map.svg").write_text(map_svg(result), encoding="utf-8")
    sizes = ", ".join(
        f"{chr(65 + g)}: {int((result.groups == g).sum())}" for g in range(result.n_groups)
    )
    return (
        f"{int(result.clustered.sum())} of {len(result.participants)} participants in "
        f"{result.n_groups} groups ({sizes}); {len(result.statements)} statements. "
        f"Seed {seed}. Wrote groups.csv, statements.csv, map.json, map.svg to {out}"
    )


def _one_blas_thread() -> None:
    """Start BLAS and OpenMP with one thread, unless told otherwise or already started.

    The map's dense steps work on thin matrices where threads cost more than
    they save; setting this before NumPy loads spares the pipeline
    threadpoolctl's import and library scan (see ``_map._single_thread``).
    """
    import os
    import sys

    if "numpy" not in sys.modules:
        for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            os.environ.setdefault(variable, "1")


def _read_votes(path: Path):
    """The votes (a VoteMatrix, or a table when pandas had to read them) and notes."""
    from minipublic.deliberation.statements._io import read_vote_columns

    quick = read_vote_columns(path)
    if quick is not None:
        return quick.matrix(), quick.notes
    from minipublic.deliberation.statements import read_votes

    table = read_votes(path)
    return table, table.attrs.get("notes", [])


def _read_statements(path: Path):
    """``{statement: text}``, moderated-out ids and meta-statement ids."""
    from minipublic.deliberation.statements._io import read_statement_columns

    st = read_statement_columns(path)
    if st is None:
        from minipublic.deliberation.statements import read_statements

        frame = read_statements(path)
        st = {c: frame[c].to_numpy() for c in ("statement", "moderated", "is_meta")}
        st["text"] = frame["text"].tolist()
    ids = st["statement"].tolist()
    texts = dict(zip(ids, st["text"], strict=True))
    moderated_out = [s for s, m in zip(ids, st["moderated"], strict=True) if m == -1]
    meta = [s for s, m, x in zip(ids, st["moderated"], st["is_meta"], strict=True) if x and m != -1]
    return texts, moderated_out, meta


def _write_csv(path: Path, columns: dict) -> None:
    """Write columns as pandas' ``to_csv(index=False)`` does, without pandas.

    Numbers are written as NumPy prints them (shortest round-trip form), NaN
    as an empty cell, text quoted only where needed; a test checks the bytes
    against pandas.
    """
    import csv

    import numpy as np

    cells = []
    for values in columns.values():
        array = np.asarray(values)
        if array.dtype.kind == "f":
            text = array.astype(str)
            text[np.isnan(array)] = ""
            cells.append(text.tolist())
        elif array.dtype.kind in "iub":
            cells.append(array.astype(str).tolist())
        else:
            cells.append(["" if v is None else str(v) for v in values])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(columns))
        writer.writerows(zip(*cells, strict=True))


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
