"""Permission rows of the ``progress`` app (see :mod:`minipublic.web.permissions`).

A task's progress is visible to the assembly's staff; the view also checks
that the task belongs to the assembly in the URL.
"""

from minipublic.web.permissions import always

RULES = {
    ("organiser", "view", "task_progress"): always,
    ("facilitator", "view", "task_progress"): always,
    ("commissioner", "view", "task_progress"): always,
    ("evaluator", "view", "task_progress"): always,
}
