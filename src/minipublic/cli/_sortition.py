"""``minipublic sortition``: commands over CSV files (no server)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from minipublic.cli._lazy import LazyConsole, lazy_function, lazy_module
from minipublic.errors import InputError, MinipublicError

if TYPE_CHECKING:
    from minipublic.sortition._lottery import Lottery

BarColumn = lazy_function("rich.progress", "BarColumn")
Progress = lazy_function("rich.progress", "Progress")
TextColumn = lazy_function("rich.progress", "TextColumn")
TimeElapsedColumn = lazy_function("rich.progress", "TimeElapsedColumn")
Table = lazy_function("rich.table", "Table")

# pandas and the sortition package load when a command runs, not for --help.
pd = lazy_module("pandas")
build_manifest = lazy_function("minipublic.sortition", "build_manifest")
check_feasibility = lazy_function("minipublic.sortition", "check_feasibility")
draw = lazy_function("minipublic.sortition", "draw")
file_sha256 = lazy_function("minipublic.sortition", "file_sha256")
find_distribution = lazy_function("minipublic.sortition", "find_distribution")
follow_up = lazy_function("minipublic.sortition", "follow_up")
invite = lazy_function("minipublic.sortition", "invite")
lottery_from_frame = lazy_function("minipublic.sortition", "lottery_from_frame")
lottery_index = lazy_function("minipublic.sortition", "lottery_index")
read_addresses = lazy_function("minipublic.sortition", "read_addresses")
read_pool = lazy_function("minipublic.sortition", "read_pool")
read_quotas = lazy_function("minipublic.sortition", "read_quotas")
read_weights = lazy_function("minipublic.sortition", "read_weights")
replace = lazy_function("minipublic.sortition", "replace")
round_lottery = lazy_function("minipublic.sortition", "round_lottery")
verify = lazy_function("minipublic.sortition", "verify")
write_manifest = lazy_function("minipublic.sortition", "write_manifest")
# The same as minipublic.sortition.ALGORITHMS (a test checks), named here for the help text.
ALGORITHMS = ("leximin", "maximin", "nash", "legacy")

app = typer.Typer(
    help="Civic lottery: check quotas, select a fair panel, verify a draw, replace, invite.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)
console = LazyConsole()
err = LazyConsole(stderr=True)


def _fail(exc: Exception) -> None:
    err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _progress(description: str):
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[message]}"),
        console=err.real,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=1.0, message="")

        def update(fraction: float, message: str) -> None:
            bar.update(task, completed=max(0.0, min(1.0, fraction)), message=message)

        yield update


def _input(path: Path) -> dict:
    return {"file": str(path.resolve()), "sha256": file_sha256(path)}


def _write_panel(pool, ids, path: Path) -> None:
    table = pool.table
    chosen = table[table[pool.id_column].isin(set(ids))]
    cols = [pool.id_column] + [c for c in table.columns if c != pool.id_column]
    out = chosen[cols].rename(columns={pool.id_column: "id"})
    out.to_csv(path, index=False)


def _dir(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


@app.command()
def check(
    people: Annotated[
        Path, typer.Argument(help="People file (CSV/XLSX): id + one column per feature.")
    ],
    categories: Annotated[Path, typer.Argument(help="Quotas file: feature,value,min,max.")],
    size: Annotated[int, typer.Option("--size", "-k", help="Panel size.")],
    households: Annotated[
        str | None, typer.Option(help="Address column(s), comma-separated: one per household.")
    ] = None,
    id_column: Annotated[str | None, typer.Option(help="Id column (default: id).")] = None,
) -> None:
    """Check that a panel meeting all quotas exists; explain and suggest a relaxation if not."""
    try:
        pool = read_pool(people, id_column=id_column, household_columns=households)
        quotas = read_quotas(categories)
        result = check_feasibility(pool, quotas, size)
    except MinipublicError as exc:
        _fail(exc)
    colour = "green" if result.feasible else "red"
    console.print(f"[{colour}]{'Feasible' if result.feasible else 'Not feasible'}[/{colour}]")
    for line in result.explanation:
        console.print(line, highlight=False)
    if not result.feasible:
        raise typer.Exit(1)


@app.command()
def select(
    people: Annotated[Path, typer.Argument(help="People file (CSV/XLSX).")],
    categories: Annotated[Path, typer.Argument(help="Quotas file: feature,value,min,max.")],
    size: Annotated[int, typer.Option("--size", "-k", help="Panel size.")],
    out: Annotated[Path, typer.Option(help="Output directory.")],
    algorithm: Annotated[str, typer.Option(help=f"One of: {', '.join(ALGORITHMS)}.")] = "leximin",
    seed: Annotated[
        str | None,
        typer.Option(help="Public seed for the draw. Leave out to publish the lottery first."),
    ] = None,
    households: Annotated[
        str | None, typer.Option(help="Address column(s), comma-separated: one per household.")
    ] = None,
    panels: Annotated[int, typer.Option("--panels", "-m", help="Panels in the lottery.")] = 1000,
    lottery_seed: Annotated[int, typer.Option(help="Seed of the lottery rounding.")] = 0,
    id_column: Annotated[str | None, typer.Option(help="Id column (default: id).")] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="Seconds allowed to leximin/maximin; then the best distribution so far "
            "is used, marked not yet optimal in the manifest."
        ),
    ] = None,
) -> None:
    """Find a fair distribution, round it to a lottery of m panels, and draw from a public seed.

    Writes DIR/distribution.csv (the m panels), DIR/probabilities.csv,
    DIR/manifest.json and, with --seed, DIR/panel.csv.
    """
    try:
        pool = read_pool(people, id_column=id_column, household_columns=households)
        quotas = read_quotas(categories)
        if algorithm in ("leximin", "maximin"):
            from minipublic.sortition import estimate_seconds

            n_types, guess = estimate_seconds(pool, quotas)
            if guess > 60 and (time_limit is None or time_limit > 60):
                console.print(
                    f"{len(pool)} people form {n_types} distinct profiles: {algorithm} may take "
                    + (
                        f"roughly {guess / 60:.0f} minutes"
                        if guess >= 120
                        else f"about {guess:.0f} s"
                    )
                    + " or more"
                    + (
                        ""
                        if time_limit
                        else "; --time-limit SECONDS stops early with the best so far"
                    )
                    + ".",
                    highlight=False,
                )
        with _progress(f"{algorithm}") as update:
            dist = find_distribution(
                pool, quotas, size, algorithm=algorithm, progress=update, time_limit=time_limit
            )
            update(1.0, "rounding to a lottery")
            lottery = round_lottery(dist, m=panels, seed=lottery_seed)
        out = _dir(out)
        (out / "distribution.csv").write_text(lottery.to_csv(), encoding="utf-8")
        pd.DataFrame(
            {
                "id": list(dist.ids),
                "probability": dist.probabilities,
                "lottery_probability": lottery.realised,
            }
        ).to_csv(out / "probabilities.csv", index=False)
        drawn = None
        if seed is not None:
            drawn = draw(lottery, seed)
            _write_panel(pool, drawn.panel, out / "panel.csv")
        _write_select_manifest(out, people, categories, dist, lottery, drawn, households)
    except MinipublicError as exc:
        _fail(exc)
    _summary(dist, lottery)
    if not dist.optimal:
        console.print(
            f"Time limit reached: this distribution is NOT yet optimal. Its smallest probability "
            f"is {dist.stats['min_probability']:.4f}; the optimum's is at most "
            f"{dist.min_upper_bound:.4f}.",
            highlight=False,
        )
    if drawn is None:
        console.print(
            f"Lottery of {lottery.m} panels written (SHA-256 {lottery.sha256}). Publish it, then "
            f'run: minipublic sortition draw {out} --seed "..."'
        )
    else:
        console.print(
            f"Seed {drawn.public_seed!r} -> panel {drawn.index} of {drawn.m}: "
            f"{len(drawn.panel)} people written to {out / 'panel.csv'}"
        )


def _write_select_manifest(out, people, categories, dist, lottery, drawn, households) -> None:
    outputs = {
        name: file_sha256(out / name)
        for name in ("distribution.csv", "probabilities.csv", "panel.csv")
        if (out / name).exists()
    }
    manifest = build_manifest(
        "sortition select",
        inputs={"people": _input(people), "categories": _input(categories)},
        outputs=outputs,
        algorithm=dist.algorithm,
        solver=dist.solver,
        panel_size=dist.panel_size,
        households=households,
        seed=dist.seed,
        statistics=dist.stats,
        zero_reasons=dist.zero_reasons,
        seconds=round(dist.seconds, 3),
        lottery=lottery.to_dict(),
        draw=None if drawn is None else drawn.to_dict(),
        draw_rule="index = int(SHA-256(UTF-8 bytes of the seed, spaces trimmed), base 16) mod m; "
        "the panel is row `index` (0-based) of distribution.csv",
    )
    write_manifest(out / "manifest.json", manifest)


def _summary(dist, lottery: Lottery) -> None:
    s = dist.stats
    table = Table(title=f"{dist.algorithm} over {s['n_people']} people, panel of {s['panel_size']}")
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for key, label in (
        ("min_probability", "min probability"),
        ("max_probability", "max probability"),
        ("gini", "Gini"),
        ("n_zero", "people with probability 0"),
        ("n_panels", "panels in the distribution"),
    ):
        v = s[key]
        table.add_row(label, f"{v:.4f}" if isinstance(v, float) else str(v))
    table.add_row("lottery panels (m)", str(lottery.m))
    table.add_row(
        "max lottery deviation", f"{lottery.max_deviation:.4f} (bound {lottery.bound:.4f})"
    )
    table.add_row("seconds", f"{dist.seconds:.1f}")
    console.print(table)
    for pid, why in list(dist.zero_reasons.items())[:10]:
        console.print(f"probability 0: {pid}: {why}", highlight=False)


def _load_dir(directory: Path):
    dist_path = directory / "distribution.csv"
    if not dist_path.exists():
        raise InputError("no distribution.csv here", file=str(directory))
    frame = pd.read_csv(dist_path, dtype=str, keep_default_na=False)
    panels = lottery_from_frame(frame, source=str(dist_path))
    manifest = {}
    if (directory / "manifest.json").exists():
        manifest = json.loads((directory / "manifest.json").read_text())
    return panels, manifest, file_sha256(dist_path)


@app.command("draw")
def draw_command(
    directory: Annotated[
        Path, typer.Argument(help="Directory written by `select` without --seed.")
    ],
    seed: Annotated[str, typer.Option(help="The public seed, e.g. the numbers drawn in public.")],
    people: Annotated[
        Path | None, typer.Option(help="People file (default: the one in manifest.json).")
    ] = None,
) -> None:
    """Draw the panel from a published lottery and a public seed; writes DIR/panel.csv."""
    try:
        panels, manifest, sha = _load_dir(directory)
        expected = (manifest.get("lottery") or {}).get("sha256")
        if expected and expected != sha:
            raise InputError(
                "distribution.csv has changed since the lottery was made (SHA-256 differs)",
                file=str(directory / "distribution.csv"),
            )
        people = people or Path(manifest["inputs"]["people"]["file"])
        pool = read_pool(people, household_columns=manifest.get("households"))
        if seed.strip() == "":
            raise InputError("the public seed is empty", column="seed")
        index, digest = lottery_index(seed, len(panels))
        _write_panel(pool, panels[index], directory / "panel.csv")
        manifest["draw"] = {
            "public_seed": seed.strip(),
            "index": index,
            "m": len(panels),
            "panel": list(panels[index]),
            "lottery_sha256": sha,
        }
        manifest.setdefault("outputs", {})["panel.csv"] = file_sha256(directory / "panel.csv")
        write_manifest(directory / "manifest.json", manifest)
    except (MinipublicError, KeyError) as exc:
        _fail(exc if isinstance(exc, MinipublicError) else InputError(f"manifest lacks {exc}"))
    console.print(f"SHA-256 of the seed: {digest}; mod {len(panels)} = {index}.", highlight=False)
    console.print(f"{len(panels[index])} people written to {directory / 'panel.csv'}")


@app.command("verify")
def verify_command(
    directory: Annotated[
        Path, typer.Argument(help="Directory with distribution.csv and panel.csv.")
    ],
    seed: Annotated[str, typer.Option(help="The public seed announced for the draw.")],
    fingerprint: Annotated[
        str | None,
        typer.Option(
            help="The lottery's SHA-256 as published before the draw (on the lottery page). "
            "Default: the commitment in manifest.json."
        ),
    ] = None,
) -> None:
    """Re-derive the draw from the published files and say whether the panel matches.

    The lottery (distribution.csv) must also match the fingerprint committed
    before the seed was chosen: given with --fingerprint, or read from
    manifest.json's "commitment".
    """
    try:
        panels, manifest, sha = _load_dir(directory)
        panel_path = directory / "panel.csv"
        if not panel_path.exists():
            raise InputError("no panel.csv here", file=str(directory))
        published = pd.read_csv(panel_path, dtype=str, keep_default_na=False)
        if "id" not in published.columns:
            raise InputError("no id column", file=str(panel_path), row=1, column="id")
        committed = (manifest.get("commitment") or {}).get("sha256")
        if fingerprint is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", fingerprint.strip()):
            raise InputError(
                "the fingerprint should be 64 hexadecimal characters (a SHA-256)",
                column="--fingerprint",
            )
        result = verify(
            panels,
            published["id"].tolist(),
            seed,
            fingerprint=fingerprint or committed,
            lottery_sha256=sha,
        )
    except MinipublicError as exc:
        _fail(exc)
    expected = (manifest.get("lottery") or {}).get("sha256")
    lines = list(result.messages)
    ok = result.matches
    if fingerprint and committed and fingerprint.strip().lower() != committed.lower():
        lines.insert(0, "The fingerprint given does NOT match the commitment in manifest.json.")
        ok = False
    if not (fingerprint or committed):
        lines.insert(
            0,
            "No committed fingerprint to check (give --fingerprint as published before "
            "the draw): the lottery could have been chosen after the seed.",
        )
    if expected:
        if expected == sha:
            lines.insert(0, f"distribution.csv matches the manifest (SHA-256 {sha}).")
        else:
            lines.insert(0, "distribution.csv does NOT match the SHA-256 in manifest.json.")
            ok = False
    for line in lines:
        console.print(line, highlight=False)
    console.print("[green]VERIFIED[/green]" if ok else "[red]DOES NOT MATCH[/red]")
    if not ok:
        raise typer.Exit(1)


def _ids_arg(value: str) -> list[str]:
    path = Path(value)
    if path.exists():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        col = "id" if "id" in frame.columns else frame.columns[0]
        return [v.strip() for v in frame[col] if v.strip()]
    return [v.strip() for v in value.split(",") if v.strip()]


@app.command("replace")
def replace_command(
    people: Annotated[Path, typer.Argument(help="People file the panel was drawn from.")],
    categories: Annotated[Path, typer.Argument(help="Quotas file: feature,value,min,max.")],
    panel: Annotated[Path, typer.Option(help="The selected panel (panel.csv).")],
    dropped: Annotated[str, typer.Option(help="Ids who dropped out: a,b,c or a CSV with id.")],
    seed: Annotated[str, typer.Option(help="Public seed of the replacement draw.")],
    out: Annotated[Path, typer.Option(help="Output directory.")],
    algorithm: Annotated[str, typer.Option(help=f"One of: {', '.join(ALGORITHMS)}.")] = "leximin",
    exclude: Annotated[
        str | None, typer.Option(help="Ids who can no longer be drawn: a,b or a CSV with id.")
    ] = None,
    households: Annotated[str | None, typer.Option(help="Address column(s).")] = None,
    panels: Annotated[int, typer.Option("--panels", "-m", help="Panels in the lottery.")] = 1000,
    id_column: Annotated[str | None, typer.Option(help="Id column (default: id).")] = None,
) -> None:
    """Draw replacements for dropouts, keeping the quotas as close as possible."""
    try:
        pool = read_pool(people, id_column=id_column, household_columns=households)
        quotas = read_quotas(categories)
        current = pd.read_csv(panel, dtype=str, keep_default_na=False)
        if "id" not in current.columns:
            raise InputError("no id column", file=str(panel), row=1, column="id")
        with _progress("replacements") as update:
            result = replace(
                pool,
                quotas,
                current["id"].tolist(),
                _ids_arg(dropped),
                public_seed=seed,
                algorithm=algorithm,
                m=panels,
                exclude=_ids_arg(exclude) if exclude else (),
                progress=update,
            )
        out = _dir(out)
        _write_panel(pool, result.replacements, out / "replacements.csv")
        _write_panel(pool, result.panel_after, out / "panel.csv")
        manifest = build_manifest(
            "sortition replace",
            inputs={
                "people": _input(people),
                "categories": _input(categories),
                "panel": _input(panel),
            },
            outputs={n: file_sha256(out / n) for n in ("replacements.csv", "panel.csv")},
            **result.to_dict(),
        )
        write_manifest(out / "manifest.json", manifest)
    except MinipublicError as exc:
        _fail(exc)
    console.print(
        f"Replaced {', '.join(result.dropped)} with {', '.join(result.replacements)} "
        f"(seed -> panel {result.draw.index} of {result.m})."
    )
    for change in result.quota_changes:
        console.print(f"quota widened: {change.describe()}", highlight=False)


@app.command("invite")
def invite_command(
    addresses: Annotated[Path, typer.Argument(help="Address file (CSV/XLSX) with an area column.")],
    n: Annotated[int, typer.Option("--n", help="Addresses to invite.")],
    area: Annotated[str, typer.Option(help="Area column.")],
    seed: Annotated[str, typer.Option(help="Seed of the invitation lottery.")],
    out: Annotated[Path, typer.Option(help="Output directory.")],
    weights: Annotated[
        Path | None, typer.Option(help="area,weight file (oversampling weights; default 1).")
    ] = None,
    id_column: Annotated[str | None, typer.Option(help="Address id column (default: id).")] = None,
) -> None:
    """Stage-one lottery: draw N addresses stratified by area, with oversampling weights."""
    try:
        table, name, sha = read_addresses(addresses)
        w = read_weights(weights) if weights else None
        result = invite(
            table,
            n,
            area_column=area,
            weights=w,
            seed=seed,
            id_column=id_column,
            source=name,
            sha256=sha,
        )
        out = _dir(out)
        result.invited.to_csv(out / "invited.csv", index=False)
        result.allocation.to_csv(out / "allocation.csv", index=False)
        inputs = {"addresses": _input(addresses)}
        if weights:
            inputs["weights"] = _input(weights)
        manifest = build_manifest(
            "sortition invite",
            inputs=inputs,
            outputs={x: file_sha256(out / x) for x in ("invited.csv", "allocation.csv")},
            public_seed=seed,
            **result.to_dict(),
        )
        write_manifest(out / "manifest.json", manifest)
    except MinipublicError as exc:
        _fail(exc)
    table_out = Table(title=f"{n} invitations")
    for col in ("area", "addresses", "weight", "invited", "inclusion probability"):
        table_out.add_column(col)
    for row in result.allocation.itertuples():
        table_out.add_row(
            str(row.area),
            str(row.addresses),
            f"{row.weight:g}",
            str(row.invited),
            f"{row.inclusion_probability:.4f}",
        )
    console.print(table_out)


@app.command("followup")
def followup_command(
    directory: Annotated[Path, typer.Argument(help="Directory written by `invite`.")],
    responses: Annotated[Path, typer.Option(help="Ids that registered: CSV with id column.")],
) -> None:
    """Door-knocking list: invited addresses in oversampled areas that did not respond."""
    from minipublic.sortition import Invitation

    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        invited = pd.read_csv(directory / "invited.csv", dtype=str, keep_default_na=False)
        invited["weight"] = invited["weight"].astype(float)
        invitation = Invitation(
            invited,
            pd.DataFrame(manifest["allocation"]),
            manifest["n"],
            manifest["area_column"],
            manifest["id_column"],
            manifest["seed"],
            manifest["method"],
        )
        result = follow_up(invitation, _ids_arg(str(responses)))
        result.to_csv(directory / "followup.csv", index=False)
    except (OSError, KeyError, ValueError) as exc:
        _fail(InputError(f"cannot read the invitation files: {exc}", file=str(directory)))
    except MinipublicError as exc:
        _fail(exc)
    console.print(f"{len(result)} addresses to visit written to {directory / 'followup.csv'}")
