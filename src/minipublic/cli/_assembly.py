"""``minipublic assembly export|import``: a whole assembly in one archive file, and back.

See :mod:`minipublic.web.assemblies.archive` for what the archive holds.
"""

from pathlib import Path
from typing import Annotated

import typer

from minipublic.cli._site import DataDirOption, _fail, _migrate, _setup, console

app = typer.Typer(
    help="Move a whole assembly between sites: one archive file (JSON + CSV + manifest).",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)


@app.command("export")
def export(
    slug: Annotated[
        str, typer.Argument(help="The assembly's web address name, e.g. aberwen-climate.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The archive file to write (.zip).")],
    data_dir: Path | None = DataDirOption,
) -> None:
    """Write every row of the assembly to one archive (it holds personal data: keep it safe)."""
    _setup(data_dir)
    from minipublic.web.assemblies.archive import export_assembly
    from minipublic.web.assemblies.models import Assembly

    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        _fail(f"No assembly has the web address name {slug!r}.")
    try:
        out.write_bytes(export_assembly(assembly))
    except OSError as exc:
        _fail(f"{out}: cannot write the archive ({exc.strerror or exc}).")
    console.print(f"Wrote {out} ({out.stat().st_size:,} bytes).")


@app.command("import")
def import_(
    archive: Annotated[
        Path, typer.Argument(help="An archive written by `minipublic assembly export`.")
    ],
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create the archived assembly in this site (all or nothing)."""
    _setup(data_dir)
    from minipublic.web.assemblies.archive import ArchiveError, import_assembly

    try:
        data = archive.read_bytes()
    except OSError as exc:
        _fail(f"{archive}: cannot read the file ({exc.strerror or exc}).")
    _migrate()
    try:
        summary = import_assembly(data, source=str(archive))
    except ArchiveError as exc:
        _fail(str(exc))
    rows = sum(summary.counts.values())
    console.print(f"Imported the assembly {summary.slug!r}: {rows:,} rows.")
