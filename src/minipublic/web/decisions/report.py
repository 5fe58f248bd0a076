"""The assembly's report: one HTML document, shown on the site and printed to PDF by WeasyPrint.

Sections: cover, contents, the members' foreword, the question, the process
(sessions; evidence by speaker type when an app provides it; how members were
selected: panel against the quota targets), every recommendation with its
support distribution and minority statements, and how the votes were counted.

Other apps add the evidence section through their ``hooks.py``: a function
``report_evidence(assembly) -> list[tuple[str, int]]`` (speaker type, number
of contributions). Without one the section is left out.

WeasyPrint needs Pango and HarfBuzz from the operating system. When they are
missing, importing it raises ``OSError``; :func:`weasyprint_problem` turns that
into a sentence naming the Debian packages, which the site shows instead of
failing.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minipublic.web.decisions.labels import POINTS, point_colour
from minipublic.web.decisions.models import BallotStatus, Recommendation
from minipublic.web.decisions.results import ballot_view

#: Debian packages WeasyPrint needs at run time (plus a font with Welsh letters).
DEBIAN_PACKAGES = (
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
    "libfontconfig1",
    "fonts-dejavu-core",
)


def weasyprint_problem() -> str:
    """Empty if WeasyPrint can run here, else what is missing, in plain words."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return _(
            "The PDF needs the Python package WeasyPrint, which is not installed "
            "(pip install weasyprint)."
        )
    except OSError as exc:
        return _(
            "The PDF needs system libraries that are missing on this server (%(error)s). "
            "On Debian or Ubuntu install them with: apt-get install %(packages)s"
        ) % {"error": str(exc).splitlines()[0][:200], "packages": " ".join(DEBIAN_PACKAGES)}
    return ""


@dataclass
class RecommendationEntry:
    rec: Recommendation
    result: object = None  # BallotView or None
    skipped: bool = False
    statements: list = field(default_factory=list)


def _evidence(assembly) -> list[tuple[str, int]]:
    from minipublic.web.hooks import _hook_modules

    rows: list[tuple[str, int]] = []
    for module in _hook_modules():
        fn = getattr(module, "report_evidence", None)
        if fn is not None:
            rows.extend(fn(assembly) or [])
    return rows


def _selection(assembly) -> dict | None:
    """The drawn panel against its quota targets, or ``None`` if there was no draw."""
    try:
        from minipublic.web.selection.models import RunStatus, SelectionRun
    except ImportError:  # pragma: no cover - the selection app is part of the site
        return None
    run = (
        SelectionRun.objects.filter(assembly=assembly, status=RunStatus.DRAWN)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if run is None:
        return None
    seats = list(run.members.filter(active=True).select_related("registrant"))
    counts: Counter = Counter()
    for seat in seats:
        for feature, value in seat.registrant.features().items():
            counts[(feature, str(value))] += 1
    rows = []
    for q in run.quotas:
        if q.get("direction") == "any" and not float(q.get("share") or 0):
            continue
        rows.append(
            {
                "feature": q["feature"],
                "value": q["value"],
                "share": float(q.get("share") or 0),
                "target": round(float(q.get("share") or 0) * run.panel_size / 100),
                "min": q.get("min"),
                "max": q.get("max"),
                "panel": counts[(q["feature"], str(q["value"]))],
            }
        )
    return {
        "run": run,
        "n_pool": run.n_pool,
        "panel_size": len(seats) or run.panel_size,
        "rows": rows,
        "public_seed": run.public_seed,
        "algorithm": run.get_algorithm_display(),
    }


def report_context(assembly) -> dict:
    """Everything the report shows, in the current language."""
    entries = []
    themes = []
    recs = list(
        Recommendation.objects.filter(assembly=assembly)
        .select_related("theme")
        .prefetch_related("ballots", "minority_statements__signatures")
        .order_by("theme__position", "number", "pk")
    )
    by_theme: dict = {}
    for rec in recs:
        ballots = list(rec.ballots.all())
        closed = next((b for b in ballots if b.status == BallotStatus.CLOSED), None)
        skipped = any(b.status == BallotStatus.SKIPPED for b in ballots) and closed is None
        if closed is None and not skipped:
            continue  # not voted on: not part of the assembly's output
        entry = RecommendationEntry(
            rec=rec,
            result=ballot_view(closed) if closed else None,
            skipped=skipped,
            statements=list(rec.minority_statements.all()),
        )
        entries.append(entry)
        key = rec.theme_id
        if key not in by_theme:
            by_theme[key] = (rec.theme, [])
            themes.append(by_theme[key])
        by_theme[key][1].append(entry)
    voted = [e for e in entries if e.result is not None]
    return {
        "assembly": assembly,
        "foreword": getattr(assembly, "foreword", None),
        "meetings": list(assembly.meetings.all()),
        "evidence": _evidence(assembly),
        "selection": _selection(assembly),
        "themes": themes,
        "n_voted": len(voted),
        "n_adopted": sum(1 for e in voted if e.result.result.get("adopted")),
        "n_statements": sum(len(e.statements) for e in entries),
        "generated": timezone.now(),
        "swatches": [
            (scale, value, point_colour(scale, value))
            for scale, points in POINTS.items()
            for value in points
        ],
    }


def report_html(
    assembly, *, for_print: bool, language: str | None = None, request=None, pdf_problem: str = ""
) -> str:
    """The report as HTML: a site page (``for_print=False``) or the document WeasyPrint prints."""
    with translation.override(language or translation.get_language()):
        context = report_context(assembly)
        context["pdf_problem"] = pdf_problem
        context["language"] = translation.get_language()
        template = "decisions/report_print.html" if for_print else "decisions/report_page.html"
        return render_to_string(template, context, request=request)


def render_pdf(assembly, *, language: str | None = None, base_url: str | None = None) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) made by WeasyPrint.

    Raises
    ------
    OSError
        WeasyPrint's system libraries are missing (see :func:`weasyprint_problem`).
    """
    from weasyprint import HTML

    html = report_html(assembly, for_print=True, language=language)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
