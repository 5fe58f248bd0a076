"""Permission rows of the ``deliberation`` app (see :mod:`minipublic.web.permissions`).

Members vote, write statements, propose and score criteria and answer the
meta-consensus survey in the deliberate phase, while the organiser keeps the
conversation open. The public votes and writes statements only when the
organiser opened public voting on a publicly listed assembly, and sees the
map only when the organiser made it public. Staff moderate and see
everything; only the organiser changes the settings.
"""

from minipublic.web.permissions import Context, always

STAFF = ("organiser", "facilitator", "commissioner", "evaluator")
FACILITATORS = ("organiser", "facilitator")


def _conversation(ctx: Context):
    return getattr(ctx.assembly, "conversation", None) if ctx.assembly is not None else None


def members_may_take_part(ctx: Context) -> bool:
    """The deliberate phase, and the organiser has not closed the conversation."""
    conversation = _conversation(ctx)
    return bool(conversation and conversation.is_open and ctx.assembly.phase == "deliberate")


def public_may_vote(ctx: Context) -> bool:
    """The organiser opened voting to the public on a publicly listed assembly."""
    conversation = _conversation(ctx)
    return bool(conversation and conversation.public_voting and ctx.assembly.is_public)


def map_is_public(ctx: Context) -> bool:
    conversation = _conversation(ctx)
    return bool(conversation and conversation.map_public and ctx.assembly.is_public)


def conversation_exists(ctx: Context) -> bool:
    return _conversation(ctx) is not None


def member_in_deliberation(ctx: Context) -> bool:
    return bool(_conversation(ctx) and ctx.assembly.phase == "deliberate")


RULES = {
    ("member", "vote", "statements"): members_may_take_part,
    ("anyone", "vote", "statements"): public_may_vote,
    ("member", "view", "opinion_map"): conversation_exists,
    ("anyone", "view", "opinion_map"): map_is_public,
    ("member", "take_part", "criteria"): member_in_deliberation,
    ("member", "answer", "meta_consensus"): member_in_deliberation,
    ("organiser", "manage", "conversation"): always,
    ("organiser", "export", "moderation_log"): always,
    ("facilitator", "export", "moderation_log"): always,
    ("evaluator", "export", "moderation_log"): always,
    ("commissioner", "export", "moderation_log"): always,
    ("organiser", "run", "meta_consensus"): always,
    ("evaluator", "run", "meta_consensus"): always,
}
for _role in STAFF:
    RULES[(_role, "view", "deliberation")] = always
    RULES[(_role, "view", "opinion_map")] = always
    RULES[(_role, "view", "criteria")] = always
    RULES[(_role, "view", "meta_consensus")] = always
for _role in FACILITATORS:
    RULES[(_role, "moderate", "statements")] = conversation_exists
    RULES[(_role, "facilitate", "criteria")] = conversation_exists
RULES[("member", "view", "criteria")] = conversation_exists
