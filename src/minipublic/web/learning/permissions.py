"""Permission rows of the ``learning`` app (see :mod:`minipublic.web.permissions`).

Staff of the assembly read every learning page; only organisers plan
sessions, make and print table plans (the printout carries names) and edit
the evidence library; organisers and facilitators answer questions and
claims. Members read their own assembly's pages once the learning phase has
begun, and rate, ask, vote and flag while it is open (learn and deliberate).
"""

from minipublic.web.assemblies.models import Phase
from minipublic.web.permissions import Context, always

OPEN_PHASES = {Phase.LEARN.value, Phase.DELIBERATE.value}


def learning_begun(ctx: Context) -> bool:
    """The assembly has reached the learning phase."""
    return ctx.assembly is not None and ctx.assembly.current_phase.index >= Phase.LEARN.index


def learning_open(ctx: Context) -> bool:
    """Members may rate, ask, vote and flag: the assembly is learning or deliberating."""
    return ctx.assembly is not None and ctx.assembly.phase in OPEN_PHASES


def public_and_begun(ctx: Context) -> bool:
    """The assembly is public and has reached the learning phase."""
    return bool(ctx.assembly and ctx.assembly.is_public and learning_begun(ctx))


STAFF = ("organiser", "facilitator", "commissioner", "evaluator")

RULES = {
    **{(role, "view", "learning"): always for role in STAFF},
    ("organiser", "edit", "session"): always,
    ("organiser", "print", "table_plan"): always,
    ("organiser", "edit", "evidence"): always,
    ("organiser", "edit", "criteria"): always,
    ("organiser", "answer", "question"): always,
    ("facilitator", "answer", "question"): always,
    ("organiser", "respond", "claim"): always,
    ("facilitator", "respond", "claim"): always,
    ("organiser", "flag", "claim"): learning_open,
    ("facilitator", "flag", "claim"): learning_open,
    ("member", "flag", "claim"): learning_open,
    ("member", "view", "learning_member"): learning_begun,
    ("member", "rate", "evidence"): learning_open,
    ("member", "request", "speaker"): learning_open,
    ("member", "ask", "question"): learning_open,
    ("member", "vote", "question"): learning_open,
    ("member", "vote", "criteria"): learning_open,
    ("anyone", "view", "claims_public"): public_and_begun,
    ("member", "view", "claims_public"): learning_begun,
    **{(role, "view", "claims_public"): always for role in STAFF},
}
