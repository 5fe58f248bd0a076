"""Permission rows of the ``followup`` app (see :mod:`minipublic.web.permissions`).

Only the commissioner writes responses and progress reports (respond and
evaluate phases); only organisers set the promise; members rate published
responses and write joint statements (respond and evaluate phases). The
public tracker is as public as the assembly's page.
"""

from minipublic.web.permissions import Context, always

STAFF = ("organiser", "facilitator", "commissioner", "evaluator")


def is_public(ctx: Context) -> bool:
    return bool(ctx.assembly and ctx.assembly.is_public)


def follow_up_phase(ctx: Context) -> bool:
    """Responses, reports, verdicts and joint statements belong to the respond and evaluate phases."""
    return bool(ctx.assembly and ctx.assembly.phase in {"respond", "evaluate"})


RULES = {
    **{(role, "view", "followup"): always for role in STAFF},
    ("organiser", "edit", "commitment"): always,
    ("commissioner", "respond", "recommendation"): follow_up_phase,
    ("commissioner", "report", "progress"): follow_up_phase,
    ("commissioner", "import", "tracker"): follow_up_phase,
    ("commissioner", "export", "tracker"): always,
    ("organiser", "export", "tracker"): always,
    ("organiser", "send", "followup_email"): always,
    ("member", "rate", "response"): follow_up_phase,
    ("member", "write", "joint_statement"): follow_up_phase,
    ("member", "view", "joint_statements"): always,
    # The public tracker, its feed and following by email: as public as the assembly.
    ("anyone", "view", "tracker"): is_public,
    ("anyone", "follow", "tracker"): is_public,
    ("member", "view", "tracker"): always,
    **{(role, "view", "tracker"): always for role in STAFF},
}
