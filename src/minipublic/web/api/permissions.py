"""Permission rows of the ``api`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import always

# A token reads what its maker may read: organisers (the pool, selection,
# deliberation, results) and evaluators (the pseudonymised evaluation export).
RULES = {
    ("organiser", "manage", "api_tokens"): always,
    ("evaluator", "manage", "api_tokens"): always,
}
