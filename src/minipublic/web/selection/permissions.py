"""Permission rows of the ``selection`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import Context, always


def is_public(ctx: Context) -> bool:
    """The assembly is listed publicly (its transparency page is then public too)."""
    return bool(ctx.assembly and ctx.assembly.is_public)


RULES = {
    # The selected person's own link (the signed link is the credential).
    ("anyone", "respond", "seat"): always,
    # Quotas and the selection run: organisers act; the evaluator reads the results.
    ("organiser", "edit", "quotas"): always,
    ("organiser", "run", "selection"): always,
    ("organiser", "view", "selection"): always,
    ("evaluator", "view", "selection"): always,
    ("organiser", "commit", "draw"): always,
    ("organiser", "draw", "panel"): always,
    ("organiser", "manage", "panel"): always,
    # The transparency page and its files: as public as the assembly's page.
    ("anyone", "view", "transparency"): is_public,
    ("member", "view", "transparency"): always,
    ("organiser", "view", "transparency"): always,
    ("facilitator", "view", "transparency"): always,
    ("commissioner", "view", "transparency"): always,
    ("evaluator", "view", "transparency"): always,
}
