"""``minipublic tables``: table plans from CSV files (no server)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

_IMPORTED = time.monotonic()
WRITE_RESERVE = 0.5  # seconds kept back from the search for scoring and writing the files
MIN_SEARCH = 0.5  # the search always gets at least this long


def _seconds_since_start() -> float:
    """Seconds since this process started (from /proc on Linux; else since this module loaded)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as f:
            # Field 22 (starttime, clock ticks after boot) follows the ")" of the name.
            started = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED


app = typer.Typer(
    help="Table plans: mixed tables for several rounds, few repeat meetings, re-seating.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)


def _fail(exc: Exception) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[red]error: {exc}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _columns(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def _mix_spec(mix: str | None, cluster: str | None) -> dict:
    """``age,area:2,trust`` -> {"age": Mix("diversify", 1), "area": Mix("diversify", 2), ...}."""
    from minipublic.deliberation.tables import Mix
    from minipublic.errors import InputError

    out = {}
    for kind, text, option in (("diversify", mix, "--mix"), ("cluster", cluster, "--cluster")):
        for item in _columns(text):
            name, _, weight = item.partition(":")
            name = name.strip()
            try:
                w = float(weight) if weight.strip() else 1.0
            except ValueError:
                raise InputError(
                    f"weight {weight!r} of {name!r} is not a number (write column:weight)",
                    column=option,
                ) from None
            if name in out:
                raise InputError(f"{name!r} is given twice", column=option)
            out[name] = Mix(kind, w)
    return out


def _tables_list(value: str | None, tables: int) -> tuple[int, ...]:
    from minipublic.errors import InputError

    out = []
    for item in _columns(value):
        try:
            t = int(item)
        except ValueError:
            raise InputError(
                f"{item!r} is not a table number", column="--accessible-tables"
            ) from None
        if not 1 <= t <= tables:
            raise InputError(f"table {t} is not from 1 to {tables}", column="--accessible-tables")
        out.append(t)
    return tuple(out)


@app.command()
def assign(
    members: Annotated[Path, typer.Argument(help="Members file (CSV/XLSX): id + feature columns.")],
    tables: Annotated[int, typer.Option("--tables", "-t", help="Tables per round.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for plan.csv and summary.txt.")],
    rounds: Annotated[int, typer.Option("--rounds", "-r", help="Rounds (table changes).")] = 1,
    mix: Annotated[
        str | None,
        typer.Option("--mix", help="Columns to spread evenly, comma-separated; column:weight."),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", help="Columns whose equal values sit together (column:weight)."),
    ] = None,
    together: Annotated[
        str | None,
        typer.Option("--together", help="Column: equal non-empty values always share a table."),
    ] = None,
    needs_access: Annotated[
        str | None,
        typer.Option("--needs-access", help="Yes/no column: these sit only at accessible tables."),
    ] = None,
    accessible_tables: Annotated[
        str | None,
        typer.Option("--accessible-tables", help="Accessible table numbers, e.g. 1,3."),
    ] = None,
    apart: Annotated[
        Path | None, typer.Option("--apart", help="CSV id1,id2: pairs never at one table.")
    ] = None,
    pin: Annotated[
        Path | None,
        typer.Option("--pin", help="CSV round,id,table: seats fixed by hand (blank round = all)."),
    ] = None,
    facilitators: Annotated[
        Path | None, typer.Option("--facilitators", help="CSV id,table: facilitators' tables.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (record it to re-run).")] = 0,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds for the whole command (start-up, reading, search, writing); "
            f"the search gets what is left, at least {MIN_SEARCH:g} s.",
        ),
    ] = 4.0,
) -> None:
    """Seat MEMBERS at tables for each round; write OUT/plan.csv and OUT/summary.txt."""
    from minipublic.deliberation.tables import (
        assign_tables,
        read_apart,
        read_facilitators,
        read_members,
        read_pins,
    )
    from minipublic.errors import InputError, MinipublicError

    try:
        if tables < 1:
            raise InputError(f"--tables must be at least 1, not {tables}", column="--tables")
        if rounds < 1:
            raise InputError(f"--rounds must be at least 1, not {rounds}", column="--rounds")
        frame = read_members(members)
        ids = set(frame["id"])
        fac = read_facilitators(facilitators, members=ids, tables=tables) if facilitators else {}
        pairs = read_apart(apart, known=ids | set(fac)) if apart else []
        pins = read_pins(pin, known=ids, tables=tables, rounds=rounds) if pin else {}
        spec = _mix_spec(mix, cluster)
        access_cols = _tables_list(accessible_tables, tables)
        if access_cols and not needs_access:
            raise InputError(
                "--accessible-tables needs --needs-access COLUMN (who needs them)",
                column="--needs-access",
            )
        plan = assign_tables(
            frame,
            tables=tables,
            rounds=rounds,
            mix=spec,
            seed=seed,
            together=together,
            needs_access=needs_access,
            accessible_tables=access_cols,
            apart=pairs,
            pinned=pins,
            facilitators=fac,
            time_limit=max(MIN_SEARCH, time_limit - _seconds_since_start() - WRITE_RESERVE),
        )
        out.mkdir(parents=True, exist_ok=True)
        plan.assignment.to_csv(out / "plan.csv", index=False)
        (out / "summary.txt").write_text(plan.summary(), encoding="utf-8")
    except (MinipublicError, OSError) as exc:
        _fail(exc)
    typer.echo(
        f"{plan.assignment['id'].nunique()} members at {tables} tables for {rounds} round(s); "
        f"repeat meetings {plan.repeat_meetings} (lower bound {plan.repeat_lower_bound}). "
        f"Seed {seed}. Wrote plan.csv and summary.txt to {out}"
    )


@app.command()
def reseat(
    members: Annotated[Path, typer.Argument(help="Members file the plan was made from.")],
    plan_file: Annotated[Path, typer.Argument(help="plan.csv (round,table,id) to repair.")],
    round: Annotated[int, typer.Option("--round", help="Round to re-seat (1-based).")],
    absent: Annotated[str, typer.Option("--absent", help="Absent ids, comma-separated.")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the new plan.csv and summary.txt.")
    ],
    mix: Annotated[str | None, typer.Option("--mix", help="As for assign.")] = None,
    cluster: Annotated[str | None, typer.Option("--cluster", help="As for assign.")] = None,
    together: Annotated[str | None, typer.Option("--together", help="As for assign.")] = None,
    needs_access: Annotated[
        str | None, typer.Option("--needs-access", help="As for assign.")
    ] = None,
    accessible_tables: Annotated[
        str | None, typer.Option("--accessible-tables", help="As for assign.")
    ] = None,
    apart: Annotated[Path | None, typer.Option("--apart", help="As for assign.")] = None,
    pin: Annotated[Path | None, typer.Option("--pin", help="As for assign.")] = None,
    facilitators: Annotated[
        Path | None, typer.Option("--facilitators", help="As for assign.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Re-seat one ROUND of PLAN_FILE after absences, moving as few members as possible."""
    from minipublic.deliberation.tables import (
        read_apart,
        read_facilitators,
        read_members,
        read_pins,
    )
    from minipublic.deliberation.tables import reseat as reseat_plan
    from minipublic.deliberation.tables._io import read_plan
    from minipublic.errors import InputError, MinipublicError

    try:
        frame = read_members(members)
        ids = set(frame["id"])
        plan = read_plan(plan_file, known=ids)
        tables, rounds = plan.tables, plan.rounds
        fac = read_facilitators(facilitators, members=ids, tables=tables) if facilitators else {}
        pairs = read_apart(apart, known=ids | set(fac)) if apart else []
        pins = read_pins(pin, known=ids, tables=tables, rounds=rounds) if pin else {}
        gone = _columns(absent)
        for x in gone:
            if x not in ids:
                raise InputError(f"absent id {x!r} is not in {members.name}", column="--absent")
        new = reseat_plan(
            plan,
            frame,
            round=round,
            absent=gone,
            seed=seed,
            mix=_mix_spec(mix, cluster),
            together=together,
            needs_access=needs_access,
            accessible_tables=_tables_list(accessible_tables, tables),
            apart=pairs,
            pinned=pins,
            facilitators=fac,
        )
        out.mkdir(parents=True, exist_ok=True)
        new.assignment.to_csv(out / "plan.csv", index=False)
        (out / "summary.txt").write_text(new.summary(), encoding="utf-8")
    except (MinipublicError, OSError) as exc:
        _fail(exc)
    typer.echo(
        f"Round {round}: {len(gone)} absent, {new.moved} member(s) moved. "
        f"Wrote plan.csv and summary.txt to {out}"
    )
