"""Permission rows of the ``evaluation`` app (see :mod:`minipublic.web.permissions`).

Before the evaluator publishes the results, only the evaluator and the
organisers see the dashboard (organisers: aggregate numbers only, no row-level
export); afterwards every staff role sees the report, and the public too when
the assembly is public. Members see and withdraw only their own answers.
"""

from minipublic.web.permissions import Context, always


def published(ctx: Context) -> bool:
    if ctx.assembly is None:
        return False
    settings = getattr(ctx.assembly, "evaluation_settings", None)
    return settings is not None and settings.published_at is not None


def published_and_public(ctx: Context) -> bool:
    return published(ctx) and bool(ctx.assembly.is_public)


RULES = {
    # The dashboard (aggregate numbers).
    ("evaluator", "view", "evaluation"): always,
    ("organiser", "view", "evaluation"): always,
    ("facilitator", "view", "evaluation"): published,
    ("commissioner", "view", "evaluation"): published,
    # Row-level data and running the analysis: the evaluator only.
    ("evaluator", "export", "evaluation"): always,
    ("evaluator", "run", "analysis"): always,
    ("evaluator", "publish", "evaluation"): always,
    # Survey design.
    ("evaluator", "manage", "waves"): always,
    ("evaluator", "view", "waves"): always,
    ("organiser", "view", "waves"): always,
    # The evaluation report.
    ("evaluator", "view", "evaluation_report"): always,
    ("organiser", "view", "evaluation_report"): always,
    ("facilitator", "view", "evaluation_report"): published,
    ("commissioner", "view", "evaluation_report"): published,
    ("member", "view", "evaluation_report"): published,
    ("anyone", "view", "evaluation_report"): published_and_public,
    # Members: their own answers.
    ("member", "answer", "survey"): always,
    ("member", "view", "own_answers"): always,
    ("member", "withdraw", "own_answers"): always,
    # Personal survey links and the public sample's open link: the link is the key.
    ("anyone", "open", "survey_link"): always,
}
