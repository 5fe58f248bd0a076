"""``minipublic report``: the assembly's report as PDF and/or HTML, from the site's database.

For organisers who script their publishing. It reads the same data folder as
``minipublic serve`` (``--data-dir``, else ``MINIPUBLIC_DATA_DIR``, else
``./var``), so it works on the demo database after ``minipublic demo``.
"""

from pathlib import Path

import typer

PdfOption = typer.Option(None, "--pdf", help="Write the report as PDF (PDF/UA) to this file.")
HtmlOption = typer.Option(None, "--html", help="Write the report as one HTML file.")
DataDirOption = typer.Option(
    None, "--data-dir", help="Data folder of the site (default: $MINIPUBLIC_DATA_DIR or ./var)."
)


def report(
    assembly_slug: str = typer.Argument(
        ..., help="The assembly's web address name, e.g. aberwen-climate."
    ),
    pdf: Path | None = PdfOption,
    html: Path | None = HtmlOption,
    language: str = typer.Option("en", "--language", help="en (English) or cy (Welsh)."),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Write an assembly's report: cover, contents, foreword, process, every recommendation
    with its support and minority statements."""
    from minipublic.cli._site import _fail, _setup, console

    if pdf is None and html is None:
        _fail("Give --pdf FILE and/or --html FILE.")
    if language not in ("en", "cy"):
        _fail(f"--language: {language!r} is not one of en, cy.")
    _setup(data_dir)
    from django.db.utils import OperationalError

    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.decisions.report import render_pdf, report_html, weasyprint_problem

    try:
        assembly = Assembly.objects.filter(slug=assembly_slug).first()
    except OperationalError as exc:
        _fail(
            f"Cannot read the database ({exc}). Run `minipublic demo --no-serve` or `minipublic manage migrate` first."
        )
    if assembly is None:
        known = ", ".join(Assembly.objects.values_list("slug", flat=True)[:10]) or "none"
        _fail(f"No assembly {assembly_slug!r} (assemblies: {known}).")
    if html is not None:
        html.write_text(report_html(assembly, for_print=True, language=language), encoding="utf-8")
        console.print(f"Wrote {html}")
    if pdf is not None:
        problem = weasyprint_problem()
        if problem:
            _fail(problem)
        data = render_pdf(assembly, language=language)
        tmp = pdf.with_name(pdf.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(pdf)
        console.print(f"Wrote {pdf} ({len(data) // 1024} KB)")


def register(app: typer.Typer) -> None:
    app.command()(report)
