"""The evaluation report: HTML for the site and the assembly's public report, PDF via WeasyPrint."""

import base64

from django.template.loader import render_to_string
from django.utils import translation

from minipublic.web.evaluation import explain
from minipublic.web.evaluation.models import Analysis


def latest_analysis(assembly) -> Analysis | None:
    return Analysis.objects.filter(assembly=assembly, status=Analysis.Status.DONE).first()


def report_context(assembly) -> dict:
    from minipublic.web.evaluation.actions import evaluation_settings

    analysis = latest_analysis(assembly)
    ctx = {
        "assembly": assembly,
        "analysis": analysis,
        "settings_obj": evaluation_settings(assembly),
    }
    if analysis is not None:
        ctx.update(explain.present(analysis.result, min_n=ctx["settings_obj"].min_n))
    return ctx


def evaluation_report_section(assembly, language: str = "en") -> str:
    """The evaluation's section of the assembly's public report, as an HTML fragment.

    For the decisions app's public report: ``{{ section|safe }}`` it where the
    evaluation belongs. It shows the main estimates of the latest finished
    analysis (or says that none has been run yet), in *language* ("en" or "cy").
    Plots are left out (the fragment must stand alone); the full report links them.
    """
    with translation.override(language):
        return render_to_string("evaluation/_report_section.html", report_context(assembly))


def report_pdf(assembly, language: str = "en", *, base_url: str = "") -> bytes:
    """The evaluation report as PDF (WeasyPrint). Raises RuntimeError naming what is missing."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise RuntimeError(
            "PDF needs WeasyPrint and its system libraries (Pango, HarfBuzz): "
            "pip install weasyprint, and apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            f"({exc})"
        ) from exc
    with translation.override(language):
        ctx = report_context(assembly)
        analysis = ctx["analysis"]
        plots = analysis.plots if analysis is not None else {}
        ctx["plot_uris"] = {
            name: "data:image/svg+xml;base64," + base64.b64encode(plots[name].encode()).decode()
            for name in ("forest_T1", "forest_T2", "subgroups", "change_by_wave")
            if name in plots
        }
        html = render_to_string("evaluation/report_print.html", ctx)
    return HTML(string=html, base_url=base_url).write_pdf()
