"""``minipublic evaluation``: the site's survey data — pseudonymised export and due reminders.

Top-level imports stay light (``minipublic --help`` must start fast): Django,
pandas and the site are imported inside the commands.
"""

from pathlib import Path

import typer

app = typer.Typer(
    help="Evaluation surveys of an assembly on this site: export the answers, send due reminders.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, without importing rich (see _app.py)
)

DataDirOption = typer.Option(
    None,
    "--data-dir",
    help="Folder of the site's database (default: $MINIPUBLIC_DATA_DIR or ./var).",
)

OutOption = typer.Option(..., "--out", help="Folder to write responses.csv and scales.csv into.")


def _assembly(slug: str):
    from minipublic.cli._site import _fail
    from minipublic.web.assemblies.models import Assembly

    assembly = Assembly.objects.filter(slug=slug).first()
    if assembly is None:
        _fail(f"No assembly with the web address name {slug!r}.")
    return assembly


@app.command()
def export(
    slug: str = typer.Argument(..., help="The assembly's web address name, e.g. aberwen-climate."),
    out: Path = OutOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Write DIR/responses.csv and DIR/scales.csv in the cohesion toolkit's data contract.

    People appear under per-export codes (R00001 ...); no names, contacts,
    addresses or free-text answers. Analyse them with ``minipublic cohesion``.
    """
    from rich.console import Console

    from minipublic.cli._site import _setup

    _setup(data_dir)
    from minipublic.web.evaluation.actions import do_collect_baselines
    from minipublic.web.evaluation.data import write_export

    assembly = _assembly(slug)
    do_collect_baselines(assembly)
    frames = write_export(assembly, out)
    console = Console()
    arms = frames.responses.groupby(["wave", "arm"]).size()
    console.print(
        f"Wrote {out / 'responses.csv'} ({len(frames.responses)} rows) and "
        f"{out / 'scales.csv'} ({len(frames.scales)} items)."
    )
    for (wave, arm), n in arms.items():
        console.print(f"  {wave} {arm}: {n}")
    for reason, n in frames.left_out.items():
        console.print(f"  left out: {n} answer sheets ({reason})")


@app.command("send-reminders")
def send_reminders(
    slug: str = typer.Argument(
        None, help="One assembly (default: every assembly with an open wave)."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Send every invitation and reminder due now. Safe to run every hour from cron: nothing is sent twice."""
    from rich.console import Console

    from minipublic.cli._site import _setup

    _setup(data_dir)
    from minipublic.web.evaluation.actions import do_send_due_messages
    from minipublic.web.evaluation.models import Wave, WaveStatus

    waves = Wave.objects.filter(status=WaveStatus.OPEN).exclude(code="P").select_related("assembly")
    if slug:
        waves = waves.filter(assembly=_assembly(slug))
    console = Console()
    for wave in waves:
        n = do_send_due_messages(wave)
        console.print(f"{wave.assembly.slug} {wave.code}: {n} sent")
