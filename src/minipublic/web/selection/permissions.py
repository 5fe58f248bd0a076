"""Permission rows of the ``selection`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import Context, always, in_phase


def is_public(ctx: Context) -> bool:
    """The assembly is listed publicly (its transparency page is then public too)."""
    return bool(ctx.assembly and ctx.assembly.is_public)


RULES = {
    # The selected person's own link (the signed link is the credential).
    ("anyone", "respond", "seat"): always,
    # Quotas and the selection run: organisers act (in the phases the lifecycle
    # says); the evaluator reads the results.
    ("organiser", "view", "quotas"): always,
    ("organiser", "edit", "quotas"): in_phase("register", "select"),
    ("organiser", "run", "selection"): in_phase("select"),
    ("organiser", "view", "selection"): always,
    ("evaluator", "view", "selection"): always,
    # The draw happens in the select phase only: commit one run, then draw it.
    ("organiser", "commit", "draw"): in_phase("select"),
    ("organiser", "draw", "panel"): in_phase("select"),
    # The panel page is readable later; invitations, answers and replacements
    # go on until the learning sessions start.
    ("organiser", "view", "panel"): always,
    ("organiser", "manage", "panel"): in_phase("select", "learn"),
    # The transparency page and its files: as public as the assembly's page.
    ("anyone", "view", "transparency"): is_public,
    ("member", "view", "transparency"): always,
    ("organiser", "view", "transparency"): always,
    ("facilitator", "view", "transparency"): always,
    ("commissioner", "view", "transparency"): always,
    ("evaluator", "view", "transparency"): always,
}
