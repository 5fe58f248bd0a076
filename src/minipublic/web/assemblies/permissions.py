"""Permission rows of the ``assemblies`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import Context, always


def is_public(ctx: Context) -> bool:
    """The assembly is listed publicly."""
    return bool(ctx.assembly and ctx.assembly.is_public)


def has_next_phase(ctx: Context) -> bool:
    """The assembly is not yet in its last phase."""
    return ctx.assembly is not None and ctx.assembly.next_phase is not None


def has_earlier_phase(ctx: Context) -> bool:
    """The assembly has left its first phase, so there is a phase to reopen."""
    return ctx.assembly is not None and ctx.assembly.current_phase.index > 0


def may_create_assemblies(ctx: Context) -> bool:
    """The staff account was made with the right to start new assemblies."""
    return bool(getattr(ctx.user, "can_create_assemblies", False))


RULES = {
    # The public page: everyone for a public assembly; staff and members always.
    ("anyone", "view", "assembly_page"): is_public,
    ("member", "view", "assembly_page"): always,
    ("organiser", "view", "assembly_page"): always,
    ("facilitator", "view", "assembly_page"): always,
    ("commissioner", "view", "assembly_page"): always,
    ("evaluator", "view", "assembly_page"): always,
    # The dashboard: every staff role reads it; only organisers act on it.
    ("organiser", "view", "dashboard"): always,
    ("facilitator", "view", "dashboard"): always,
    ("commissioner", "view", "dashboard"): always,
    ("evaluator", "view", "dashboard"): always,
    ("organiser", "change", "phase"): has_next_phase,
    ("organiser", "reopen", "phase"): has_earlier_phase,
    ("organiser", "edit", "assembly"): always,
    ("organiser", "schedule", "meeting"): always,
    ("organiser", "manage", "staff"): always,
    ("organiser", "view", "audit_log"): always,
    ("account", "create", "assembly"): may_create_assemblies,
}
