"""Permission rows of the ``decisions`` app (see :mod:`minipublic.web.permissions`).

Phases: members propose amendments in the deliberate and decide phases;
organisers open ballots in the deliberate and decide phases; minority
statements are written in the decide and respond phases. Results and the
report are as public as the assembly's page.
"""

from minipublic.web.permissions import Context, always

STAFF = ("organiser", "facilitator", "commissioner", "evaluator")


def is_public(ctx: Context) -> bool:
    """The assembly is listed publicly."""
    return bool(ctx.assembly and ctx.assembly.is_public)


def amendments_phase(ctx: Context) -> bool:
    """Members may propose amendments while the assembly deliberates or decides."""
    return bool(ctx.assembly and ctx.assembly.phase in {"deliberate", "decide"})


def voting_phase(ctx: Context) -> bool:
    """Ballots are opened while the assembly deliberates or decides."""
    return bool(ctx.assembly and ctx.assembly.phase in {"deliberate", "decide"})


def statements_phase(ctx: Context) -> bool:
    """Minority statements are written while the assembly decides or the response is awaited."""
    return bool(ctx.assembly and ctx.assembly.phase in {"decide", "respond"})


RULES = {
    # Staff pages: every staff role reads; organisers manage; facilitators
    # also draft (tables hand their drafts to them) and type paper ballots.
    **{(role, "view", "decisions"): always for role in STAFF},
    ("organiser", "manage", "decisions"): always,
    ("organiser", "draft", "recommendation"): always,
    ("facilitator", "draft", "recommendation"): always,
    ("organiser", "decide", "amendment"): always,
    ("organiser", "prepare", "ballot"): always,
    ("organiser", "open", "ballot"): voting_phase,
    ("organiser", "close", "ballot"): always,
    ("organiser", "enter", "paper_ballot"): always,
    ("facilitator", "enter", "paper_ballot"): always,
    ("organiser", "edit", "foreword"): always,
    # Members read the drafts, propose amendments, vote and write minority statements.
    ("member", "view", "recommendations"): always,
    **{(role, "view", "recommendations"): always for role in STAFF},
    ("member", "propose", "amendment"): amendments_phase,
    ("organiser", "propose", "amendment"): amendments_phase,
    ("member", "vote", "ballot"): always,
    ("member", "write", "minority_statement"): statements_phase,
    # Results, the tally file and the report: as public as the assembly.
    ("anyone", "view", "results"): is_public,
    ("member", "view", "results"): always,
    **{(role, "view", "results"): always for role in STAFF},
}
